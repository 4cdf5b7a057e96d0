"""The /plan calculation's result as a reply: the answers given, the verdict, the schedule and its chart; and the
calculator's warning and suggestion for a monthly amount chosen in the walkthrough."""

from __future__ import annotations

from dataclasses import replace

from bot.core.actions import PlanPress, PlanVerb
from bot.core.i18n import Lang
from bot.core.plan import LONG_MONTHS, ORDER, Field, Inputs, Result, Schedule, Verdict, compute, surplus
from bot.core.planprompts import money
from bot.core.plantexts import PlanTexts
from bot.core.replies import Chart, Choice, Reply


def _schedule_line(plan: Schedule, texts: PlanTexts, lang: Lang) -> str:
    if plan.months == 1:
        return texts.say("result.schedule_once", lang, amount=money(plan.total))
    if plan.last == plan.monthly:
        return texts.say("result.schedule_even", lang, months=plan.months, amount=money(plan.monthly))
    return texts.say(
        "result.schedule_last", lang, months=plan.months - 1, amount=money(plan.monthly), last=money(plan.last),
        last_month=plan.months, total_months=plan.months,
    )  # fmt: skip


def result_reply(inputs: Inputs, texts: PlanTexts, lang: Lang) -> Reply:
    """The result of the calculation as one message, with the chart of the schedule it recommends."""
    result = compute(inputs)

    def shown(question: Field) -> str:
        value = inputs.get(question)
        if value is None:
            return texts.say("result.skipped", lang)
        return texts.say("result.amount", lang, amount=money(value))

    lines = [texts.say("result.given", lang, **{question.value: shown(question) for question in ORDER})]
    if result.surplus is not None and result.surplus > 0:
        lines.append(texts.say("result.surplus", lang, amount=money(result.surplus)))
    if result.counted_as_zero:
        items = texts.say("result.list_separator", lang).join(
            texts.say(f"result.item_{question.value}", lang) for question in result.counted_as_zero
        )
        lines.append(texts.say("result.counted_as_zero", lang, items=items))
    lines += _verdict_lines(result, inputs, texts, lang)
    recommended = result.instead if result.verdict is Verdict.TOO_HIGH else result.plan
    if recommended is not None and recommended.months > LONG_MONTHS:
        years = f"{recommended.months / 12:.1f}".removesuffix(".0")
        lines.append(texts.say("result.long", lang, months=recommended.months, years=years))
    if recommended is not None or result.plan is not None:  # a schedule was shown: say what it leaves out
        lines.append(texts.say("result.no_interest", lang))
    chart = _chart(recommended, texts, lang) if recommended is not None and recommended.drawable else None
    again = Choice(texts.say("buttons.again", lang), PlanPress(PlanVerb.AGAIN).pack())
    return Reply("\n\n".join(lines), (again,), title=texts.say("result.title", lang), chart=chart)


def _verdict_lines(result: Result, inputs: Inputs, texts: PlanTexts, lang: Lang) -> list[str]:
    verdict, plan, surplus, proposal = result.verdict, result.plan, result.surplus or 0, inputs.proposal or 0
    if verdict is Verdict.NO_SURPLUS:
        return [texts.say("verdicts.no_surplus", lang, amount=money(surplus))]
    if verdict is Verdict.UNCHECKED and plan is not None:
        return [
            _schedule_line(plan, texts, lang),
            texts.say("verdicts.unchecked", lang, proposal=money(proposal)),
        ]
    if verdict is Verdict.FITS and plan is not None:
        if plan.months > LONG_MONTHS:  # not to be proposed as it is: `result.long` says why and what to do
            return [_schedule_line(plan, texts, lang)]
        return [_schedule_line(plan, texts, lang), texts.say("verdicts.fits", lang, months=plan.months)]
    if verdict is Verdict.TOO_HIGH:
        warning = _too_high(proposal, surplus, texts, lang)
        if result.instead is None:
            return [warning, texts.say("verdicts.no_room", lang)]
        instead = result.instead
        return [
            warning,
            texts.say("verdicts.instead", lang, amount=money(instead.monthly), months=instead.months),
            _schedule_line(instead, texts, lang),
        ]
    return [texts.say(f"verdicts.{verdict.value}", lang)]


def _too_high(proposal: int, surplus: int, texts: PlanTexts, lang: Lang) -> str:
    if surplus > 0:
        return texts.say("verdicts.too_high", lang, proposal=money(proposal), surplus=money(surplus))
    # "more than your surplus (-1,500 yuan)" reads oddly: there is none
    return texts.say("verdicts.too_high_no_surplus", lang, proposal=money(proposal))


def proposal_warning(inputs: Inputs, proposal: int, texts: PlanTexts, lang: Lang) -> Reply | None:
    """The calculator's kind warning for a monthly amount chosen elsewhere (the walkthrough's monthly step) that the
    user's own /plan numbers say is more than is left each month, with what to ask for instead; None when it fits or
    the numbers cannot tell (no income given)."""
    left = surplus(inputs)
    if left is None or proposal <= left:
        return None
    proposed = replace(inputs, proposal=proposal)
    result = compute(proposed)
    if result.verdict is Verdict.TOO_HIGH:
        return Reply("\n\n".join(_verdict_lines(result, proposed, texts, lang)))
    return Reply(_too_high(proposal, left, texts, lang))  # the amount owed unknown: no schedule to offer instead


def _chart(plan: Schedule, texts: PlanTexts, lang: Lang) -> Chart:
    def say(key: str) -> str:
        return texts.say(f"chart.{key}", lang)

    return Chart(
        instalments=plan.instalments,
        title=say("title"),
        month_axis=say("month_axis"),
        paid_axis=say("paid_axis"),
        left_axis=say("left_axis"),
        paid=say("paid"),
        left=say("left"),
        caption=texts.say("result.chart_caption", lang),
    )


def suggested_monthly(inputs: Inputs) -> int | None:
    """The monthly amount the result recommends (what the surplus carries, the user's own proposal when it fits, or
    what to ask for instead of one that does not); None when the result could not work one out."""
    result = compute(inputs)
    recommended = result.instead if result.verdict is Verdict.TOO_HIGH else result.plan
    return recommended.monthly if recommended is not None else None
