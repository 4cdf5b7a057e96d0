"""The safety screen: is a message from someone in crisis, about a scam, or in despair? Checked before anything else.

`Screen(extra_crisis, extra_scams)(text) -> Screening`. Two signals, per concern in the order crisis → scam →
distress → anger: the phrases, then a learned model (anger has phrases only).

* The built-in phrases live beside this package (`safety_phrases.yaml`, read on first use) and are always on; the
  knowledge folder's aliases.yaml can only add phrases. They are the floor: what they find is found, whatever the
  model says.
* The learned models (bot/core/safetymodel.py, `data/safety.npz`, read on first use; one for crisis, one for scams)
  add what the phrases miss: farewells, hints, means, stories and English said in words no list foresaw. A model
  reads the same normal form with the concern's `unless` spans blanked out, so every veto holds for it too; it
  speaks when its score reaches the threshold chosen by cross-validation (`python -m bench.train_safety`).
* Two tiers for crisis: a phrase, or a model score from the model's `full` threshold on, is a crisis (the full
  crisis reply first); a model-only score between the two thresholds is `CRISIS_SOFT` — the message reads a little
  like a crisis but more like stress ("我真的很怕我爸妈知道我逾期"): the user gets the answer they asked for and one
  caring line with a hotline, so nobody the model hears is left without help, and nobody stressed is patronised.
  A model-only hit on a short message (under `FULL_MIN_LENGTH`, a Chinese character or a number counting one and an
  English word two: "欠了4万") needs a score `SHORT_MARGIN` above `full` for the full reply, else it is soft: a few
  n-grams are little evidence. A message that answers the question the bot just asked
  (`answer=True`: "欠了三万多" at the amount step) is not given the soft tier: the question says what it means, and
  the step goes on (never the full reply for a soft hit there). Nor is a message that clearly denies self-harm
  (the crisis `denial` patterns: "我没想伤害自己 就是想问罚息能不能减"): the user said what they do not mean.

A pure function of the text: no I/O after the first load, nothing logged, nothing kept. `Screening.rule` says what
decided (a phrase, a pattern, or "learned crisis model +1.23").

How a message is read, so that a risk said in passing, or typed carelessly, is still seen:

* one normal form (NFKC, Traditional → Simplified, lower case, punctuation and spaces inside Chinese words gone);
* the whole message is searched, so one clause inside a long story about debt counts;
* Chinese phrases are also matched by sound (pinyin from pypinyin's table, as the respeller reads it), so
  a homophone typo (不相活, 自沙) or a phrase typed in pinyin ("zi sha") is caught — at least half of the
  characters must be the right ones, so unrelated words that merely sound alike (紫砂) are not;
* a long English word one typing slip away from a key word ("suicde", "myslef") is read as that word;
* `unless` patterns veto a hit inside a negation, an idiom, or words about someone else (不想死, 想死你了,
  你去死, "financial suicide"); idioms such as 累死了, 笑死, 死贵 or "kill time" are not in the lists at all.

Written by hand because no maintained library screens Chinese and English text for these risks; the pieces that are
libraries (OpenCC for the script, pypinyin's readings, rapidfuzz's edit distance) are used through this one package.

The package by job: `reading` (the normal form and how a message sounds), `patterns` (compiled regular
expressions and the characters each needs), `rules` (the shipped phrases and one concern's compiled rules), and this
module (the verdict and the order in which concerns are heard).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.core.safety.patterns import bounded, either
from bot.core.safety.reading import SPACES, Unit, corrected, latin_of, normal_form, units_of
from bot.core.safety.rules import Rules, builtin_phrases
from bot.core.safetymodel import SafetyModel, full_at, grams, readable
from bot.core.safetymodel import shipped as shipped_model

__all__ = ["Concern", "Screen", "Screening", "normal_form"]


class Concern(StrEnum):
    CRISIS = "crisis"  # thoughts of ending one's life: the crisis reply, before anything else
    SCAM = "scam"  # paid agents, "credit repair", codes and passwords asked for: the scam card, then the answer
    DISTRESS = "distress"  # despair that is not a crisis: a kind sentence first, then the answer
    #: venting at Alipay or the debt ("这破支付宝 天天扣我钱", "scam" as an insult): an acknowledging line, then the
    #: answer or the guide (phrases only: no learned model)
    ANGER = "anger"
    #: the crisis model's lower tier (no phrase): the answer, then one caring line with a hotline
    CRISIS_SOFT = "crisis_soft"


#: The concerns with phrases and models of their own, in order of precedence (CRISIS_SOFT is the crisis model's).
_SCREENED = (Concern.CRISIS, Concern.SCAM, Concern.DISTRESS, Concern.ANGER)
#: What a model-only score below the model's `full` threshold means, for a concern with a softer tier.
_SOFTER = {Concern.CRISIS: Concern.CRISIS_SOFT}


@dataclass(frozen=True)
class Screening:
    """What the screen found: the concern (None for an ordinary message) and the phrase or pattern that decided it
    (for the benchmark's listing of misses and false alarms; never logged)."""

    concern: Concern | None = None
    rule: str = ""
    #: A crisis with a plan or the means at hand ("药都买好了"): the full reply, emergency numbers first, every time.
    urgent: bool = False
    #: The message clearly denies self-harm ("我没想伤害自己 就是想问…"): its question is what it is about.
    denied: bool = False
    #: Only the learned model heard a crisis (no phrase or pattern): after a crisis reply, a question it hears is
    #: answered with a short caring line rather than the crisis reply again, and a 👎 note is kept as a note.
    learned: bool = False
    #: A soft crisis hit that is soft only because the message is short (the model's score reached the full
    #: threshold) or because a written soft pattern found it: with nothing else to show, the full reply.
    clear: bool = False


class Screen:
    """The safety screen for one knowledge base: the built-in phrases plus the admin's additions, and the learned
    models (`learned=True`: the shipped ones, read on first use; False: phrases only; or a `SafetyModel`)."""

    def __init__(
        self,
        extra_crisis: Sequence[str] = (),
        extra_scams: Sequence[str] = (),
        *,
        learned: bool | SafetyModel = True,
    ) -> None:
        data = builtin_phrases()
        extra = {Concern.CRISIS: extra_crisis, Concern.SCAM: extra_scams}
        self._rules = [(concern, Rules(data.get(concern.value) or {}, extra.get(concern, ()))) for concern in _SCREENED]
        # The soft tier's own patterns (a question that may hide the thought: "人死了借呗还要还吗"), with the crisis
        # vetoes: heard after the crisis phrases and model, before the scam screen.
        crisis = data.get(Concern.CRISIS.value) or {}
        self._soft = Rules(
            {
                "patterns": crisis.get("soft", ()),
                "unless": [*crisis.get("unless", ()), *crisis.get("denial", ()), *crisis.get("everyday", ())],
            }
        )
        # A clear denial ("我没想伤害自己 就是想问…", "I'm not suicidal, I just want to know…") silences the soft tier:
        # the user said what they do not mean (second user trial: the denial itself was heard and escalated).
        self._means = Rules({"patterns": crisis.get("means", ()), "unless": crisis.get("unless", ())})
        self._denial = either(bounded(p) for p in crisis.get("denial", ()))
        self._learned = learned

    @property
    def model(self) -> SafetyModel | None:
        """The learned models this screen consults (None: phrases only)."""
        if self._learned is True:
            return shipped_model()
        return self._learned or None

    def __call__(self, text: str, *, answer: bool = False, after_crisis: bool = False) -> Screening:
        """What the screen finds in `text`; `answer`: the message answers the question the bot just asked it (a
        walkthrough step's option, a number, a checklist item: "身份证和流水都准备好了", "我想延期" at the requests
        step), and the crisis model's soft tier is not heard; `after_crisis`: the crisis reply was given a few
        messages ago, so the intent is known and the means alone ("药都买好了", which from anyone else may be cold
        medicine) are an urgent crisis.

        Such replies are short and first-person, the shape the crisis model learned most crises in, and what the
        user means is plain from the question they answer; a soft hit is a faint signal that would only add a
        caring line (measured: with it, "家里人生病了" and "生意不好" at the cause step got the line). A full model
        hit on a long enough message still counts, and so does every phrase, and the scam screen is asked as
        always."""
        form = corrected(normal_form(text))
        if not form:
            return Screening()
        units = units_of(form)
        latin, starts, ends = latin_of(form)
        if after_crisis and (means := self._means.find(form, units, latin, starts, ends)) is not None:
            return Screening(Concern.CRISIS, f"means after the crisis reply: {means}", urgent=True)
        # a denial of self-harm: no soft tier (the phrases elsewhere in the message and a full model score still count)
        denied = self._denial is not None and self._denial.search(form) is not None
        if after_crisis and not denied and (soft := self._soft.find(form, units, latin, starts, ends)) is not None:
            # right after the crisis reply a faint hint ("does the debt just disappear if the borrower is gone") is
            # the same crisis, not a user winding down
            return self._crisis(form, units, latin, starts, ends, f"{soft} (soft, after the crisis reply)")
        return self._heard(form, units, latin, starts, ends, faint=not (answer or denied), denied=denied)

    def _heard(
        self,
        form: str,
        units: Sequence[Unit],
        latin: str,
        starts: set[int],
        ends: set[int],
        *,
        faint: bool,
        denied: bool,
    ) -> Screening:
        """Each concern's phrases then its model, in order of precedence; `faint`: the soft tier may be heard."""
        model = self.model
        read: dict[str, set[str]] = {}  # n-grams by form: the models share them unless a veto blanks something
        for concern, rules in self._rules:  # in order of precedence; for each, its phrases then its model
            rule = rules.find(form, units, latin, starts, ends)
            if rule is not None:
                return self._crisis(form, units, latin, starts, ends, rule) if concern is Concern.CRISIS else (
                    Screening(concern, rule))  # fmt: skip
            linear = model.models.get(concern.value) if model is not None else None
            learned_form = rules.without_vetoes(form) if linear is not None else ""
            if linear is not None and readable(learned_form):
                if learned_form not in read:
                    read[learned_form] = grams(learned_form)
                score = linear.weigh(read[learned_form])
                if score >= (full_at(learned_form, linear.full) if concern in _SOFTER else linear.full):
                    rule = f"learned {concern.value} model {score:+.2f}"
                    if concern is Concern.CRISIS:
                        return replace(self._crisis(form, units, latin, starts, ends, rule), learned=True)
                    return Screening(concern, rule)
                if score >= linear.threshold and (faint or concern not in _SOFTER):
                    rule = f"learned {concern.value} model {score:+.2f} (soft)"
                    return Screening(_SOFTER.get(concern, concern), rule, learned=True, clear=score >= linear.full)
            if concern is Concern.CRISIS and faint:
                soft = self._soft.find(form, units, latin, starts, ends)
                if soft is not None:
                    return Screening(Concern.CRISIS_SOFT, f"{soft} (soft)", clear=True)
        return Screening(denied=denied)

    def _crisis(
        self, form: str, units: Sequence[Unit], latin: str, starts: set[int], ends: set[int], rule: str
    ) -> Screening:
        """A crisis hit, urgent when the message also names a plan or the means at hand."""
        means = self._means.find(form, units, latin, starts, ends)
        if means is None:
            return Screening(Concern.CRISIS, rule)
        return Screening(Concern.CRISIS, f"{rule}; means: {means}", urgent=True)

    def calm(self, text: str) -> str:
        """`text` in the screen's normal form without the words of stress or anger the distress and anger screens hear
        in it ("烦死了 借呗又打电话来" → "借呗又打电话来"): what the message asks, for the matcher, when those words
        cover the question up. Only words found as written are taken out (not those heard by sound)."""
        form = corrected(normal_form(text))
        kept = list(form)
        rules = dict(self._rules)
        for start, end in (*rules[Concern.DISTRESS].spans(form), *rules[Concern.ANGER].spans(form)):
            kept[start:end] = " " * (end - start)
        return SPACES.sub(" ", "".join(kept)).strip()

    def learned_form(self, text: str, concern: Concern) -> str:
        """What the learned model of `concern` reads of `text`: the screen's normal form without that concern's
        vetoed spans (the trainer reads texts through this too, so training and screening agree)."""
        rules = dict(self._rules)[concern]
        return rules.without_vetoes(corrected(normal_form(text)))
