"""/reminders: listing, adding (due days, a plan's start, credit-record checks) and cancelling reminders, and the
user's time zone."""

from __future__ import annotations

from datetime import date, datetime

from bot.core import reminders
from bot.core.actions import Reminder
from bot.core.i18n import Lang
from bot.core.knowledge import KnowledgeBase
from bot.core.reminders import Rule
from bot.core.replies import Choice, Reply
from bot.storage import StoredReminder
from bot.tools.base import Context, Result, ToolsBase
from bot.tools.forms import Form


class ReminderTools(ToolsBase):
    """The reminders' buttons (`r:`) and typed answers (due days, a credit-check interval, a time zone)."""

    async def _reminder_press(self, ctx: Context, action: Reminder, form: Form | None) -> Result:
        user_id, kb, lang = ctx.user_id, ctx.kb, ctx.lang
        match action:
            case Reminder("list", ""):
                return Result([await self._list(user_id, kb, lang)])
            case Reminder("add", ""):
                return Result([await self._due_prompt(ctx)], Form("due", {}))
            case Reminder("from", day) if (start := _iso_date(day)) is not None:
                return await self._add(user_id, [Rule.monthly(start.day, start)], kb, lang)
            case Reminder("credit", ""):
                return Result([self._credit_prompt(kb, lang, "reminder_credit_prompt")], Form("credit", {}))
            case Reminder("credit", months) if months.isdigit() and int(months) in reminders.CREDIT_PERIODS:
                return await self._add_credit(user_id, int(months), kb, lang, form)
            case Reminder("x", number) if number.isdigit():
                cancelled = await self.storage.cancel_reminder(user_id, int(number))
                key = "reminder_cancelled" if cancelled else "reminder_gone"
                return Result([Reply(kb.text(key, lang)), await self._list(user_id, kb, lang)], form, changed=False)
            case Reminder("tz" | "tzt", _):
                return await self._tz_press(user_id, action, form, kb, lang)
            case Reminder("stop", ""):
                return Result([Reply(kb.text("reminder_stopped", lang))], None, changed=form is not None)
        return await self._expired(user_id, form, kb, lang)

    async def _tz_press(
        self, user_id: int, action: Reminder, form: Form | None, kb: KnowledgeBase, lang: Lang
    ) -> Result:
        match action:
            case Reminder("tz", ""):
                choices = [Choice(name, Reminder("tz", name).pack()) for name in reminders.COMMON_ZONES]
                choices.append(Choice(kb.text("reminder_tz_other", lang), Reminder("tzt").pack()))
                tz = await self._tz(user_id)
                return Result([Reply(kb.text("reminder_tz_prompt", lang, tz=tz), tuple(choices))], form, changed=False)
            case Reminder("tz", name) if (chosen := reminders.known_zone(name)) is not None:
                return await self._set_tz(user_id, chosen, kb, lang)
            case Reminder("tzt", ""):
                return Result([Reply(kb.text("reminder_tz_type", lang), (self._stop(kb, lang),))], Form("tz", {}))
        return await self._expired(user_id, form, kb, lang)

    async def _expired(self, user_id: int, form: Form | None, kb: KnowledgeBase, lang: Lang) -> Result:
        return Result([Reply(kb.text("menu_expired", lang)), await self._list(user_id, kb, lang)], form, changed=False)

    async def _reminder_typed(self, ctx: Context, text: str, form: Form) -> Result:
        user_id, kb, lang = ctx.user_id, ctx.kb, ctx.lang
        if form.kind == "tz":
            chosen = reminders.known_zone(text)
            if chosen is None:
                return Result([Reply(kb.text("reminder_tz_unknown", lang), (self._stop(kb, lang),))], form, False)
            return await self._set_tz(user_id, chosen, kb, lang)
        if form.kind == "credit":  # "每三个月查一次征信"; anything else is asked about again, never dropped
            interval = reminders.read_interval(text)
            if interval is None:
                return Result([self._credit_prompt(kb, lang, "reminder_credit_unclear")], form, False)
            added = await self._add_credit(user_id, interval.months, kb, lang, form)
            if not interval.rounded:
                return added
            # "每6周": the nudges go by whole months; the reply says which was set
            rounded = Reply(kb.text("reminder_credit_rounded", lang, months=str(interval.months)))
            return Result([rounded, *added.replies], added.form, added.changed)
        await self.storage.set_prefs(user_id, lang=lang.value)
        tz = await self._tz(user_id)
        today = reminders.local_date(self.clock(), tz)
        rules = reminders.parse_due_days(text, today)
        if rules is None:
            return Result([Reply(kb.text("reminder_due_unclear", lang), (self._stop(kb, lang),))], form, False)
        start = self._plan_start(ctx, today)
        if start is not None:  # "15号" when the agreed plan starts on 15 March: not before it
            rules = [Rule.monthly(r.day, start) if r.kind is reminders.Kind.MONTHLY and r.day == start.day and r.on
                     is None else r for r in rules]  # fmt: skip
        return await self._add(user_id, rules, kb, lang)

    async def _due_prompt(self, ctx: Context) -> Reply:
        """The due-day question; when the agreed terms say when the plan starts, that day is offered as the first."""
        kb, lang = ctx.kb, ctx.lang
        start = self._plan_start(ctx, reminders.local_date(self.clock(), await self._tz(ctx.user_id)))
        choices: list[Choice] = []
        if start is not None:
            label = kb.text("reminder_from_button", lang, day=str(start.day), date=start.isoformat())
            choices.append(Choice(label, Reminder("from", start.isoformat()).pack()))
        return Reply(kb.text("reminder_due_prompt", lang), (*choices, self._stop(kb, lang)))

    @staticmethod
    def _plan_start(ctx: Context, today: date) -> date | None:
        terms = ctx.walk.terms if ctx.walk is not None else None
        return reminders.start_in_terms(terms, today) if terms else None

    def _credit_prompt(self, kb: KnowledgeBase, lang: Lang, key: str) -> Reply:
        choices = [Choice(kb.text("reminder_every", lang, months=str(n)), Reminder("credit", str(n)).pack())
                   for n in reminders.CREDIT_PERIODS]  # fmt: skip
        return Reply(kb.text(key, lang), (*choices, self._stop(kb, lang)))

    async def _add_credit(self, user_id: int, months: int, kb: KnowledgeBase, lang: Lang, form: Form | None) -> Result:
        await self.storage.set_prefs(user_id, lang=lang.value)
        tz = await self._tz(user_id)
        today = reminders.local_date(self.clock(), tz)
        year, month = divmod(today.year * 12 + today.month - 1 + months, 12)
        rule = Rule.credit(months, reminders.clamp_day(year, month + 1, today.day))
        result = await self._add(user_id, [rule], kb, lang)
        return Result(result.replies, form if form is not None and form.kind not in ("due", "credit") else None)

    async def _add(self, user_id: int, rules: list[Rule], kb: KnowledgeBase, lang: Lang) -> Result:
        tz = await self._tz(user_id)
        now = self.clock()
        timed = [(rule, reminders.next_fire(rule, now, tz)) for rule in rules]
        future = [(rule, moment) for rule, moment in timed if moment is not None]
        if not future:
            return Result([Reply(kb.text("reminder_past", lang), (self._stop(kb, lang),))], Form("due", {}), False)
        added = await self.storage.add_reminders(user_id, future, limit=reminders.MAX_PER_USER)
        if added is None:
            limit = str(reminders.MAX_PER_USER)
            return Result([Reply(kb.text("reminder_too_many", lang, max=limit)), await self._list(user_id, kb, lang)])
        lines = [self._line(r, tz, kb, lang) for r in added]
        set_text = kb.text("reminder_set", lang, reminders="\n".join(lines))
        return Result([Reply(set_text), await self._list(user_id, kb, lang)])

    async def _set_tz(self, user_id: int, tz: str, kb: KnowledgeBase, lang: Lang) -> Result:
        await self.storage.set_prefs(user_id, tz=tz, lang=lang.value)
        now = self.clock()
        for stored in await self.storage.reminders_of(user_id):
            rule = stored.rule  # None: unreadable, dropped
            await self.storage.reschedule_reminder(stored.id, reminders.next_fire(rule, now, tz) if rule else None)
        return Result([Reply(kb.text("reminder_tz_set", lang, tz=tz)), await self._list(user_id, kb, lang)])

    async def _list(self, user_id: int, kb: KnowledgeBase, lang: Lang) -> Reply:
        tz = await self._tz(user_id)
        stored = await self.storage.reminders_of(user_id)
        choices: list[Choice] = []
        lines: list[str] = []
        for number, reminder in enumerate(stored, 1):
            lines.append(f"{number}. {self._line(reminder, tz, kb, lang)}")
            cancel = Reminder("x", str(reminder.id)).pack()
            choices.append(Choice(kb.text("reminder_cancel_button", lang, n=str(number)), cancel))
        choices += [
            Choice(kb.text("reminder_add_button", lang), Reminder("add").pack()),
            Choice(kb.text("reminder_credit_button", lang), Reminder("credit").pack()),
            Choice(kb.text("reminder_tz_button", lang), Reminder("tz").pack()),
        ]
        if lines:
            text = kb.text("reminder_list", lang, reminders="\n".join(lines), tz=tz)
        else:
            text = kb.text("reminder_none", lang, tz=tz)
        return Reply(text, tuple(choices))

    def _line(self, reminder: StoredReminder, tz: str, kb: KnowledgeBase, lang: Lang) -> str:
        rule = reminder.rule  # None: unreadable, shown as unknown
        when = datetime.fromtimestamp(reminder.next_at, reminders.zone(tz)).strftime("%Y-%m-%d %H:%M")
        return kb.text("reminder_line", lang, what=describe(rule, kb, lang) if rule else "?", next=when)

    def _stop(self, kb: KnowledgeBase, lang: Lang) -> Choice:
        return Choice(kb.text("reminder_stop_button", lang), Reminder("stop").pack())


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def describe(rule: Rule, kb: KnowledgeBase, lang: Lang) -> str:
    """A rule as the user reads it ("每月 15 日", "2026-01-15", "每 3 个月查一次征信")."""
    if rule.kind is reminders.Kind.MONTHLY and rule.on is not None:
        return kb.text("reminder_monthly_from", lang, day=str(rule.day), date=rule.on.isoformat())
    if rule.kind is reminders.Kind.MONTHLY:  # the note about shorter months only where one is shorter than the day
        key = "reminder_monthly" if rule.day <= reminders.SHORTEST_MONTH else "reminder_monthly_short"
        return kb.text(key, lang, day=str(rule.day))
    if rule.kind is reminders.Kind.ONCE:
        assert rule.on is not None
        return kb.text("reminder_once", lang, date=rule.on.isoformat())
    return kb.text("reminder_credit", lang, months=str(rule.every))
