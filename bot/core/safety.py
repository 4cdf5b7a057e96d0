"""The safety screen: is a message from someone in crisis, about a scam, or in despair? Checked before anything else.

`Screen(extra_crisis, extra_scams)(text) -> Screening`. Two signals, per concern in the order crisis → scam →
distress → anger: the phrases, then a learned model (anger has phrases only).

* The built-in phrases live beside this module (`safety_phrases.yaml`, read on first use) and are always on; the
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
libraries (OpenCC for the script, pypinyin's readings, rapidfuzz's edit distance) are used through this one module.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any, NamedTuple

from bot.core.i18n import to_simplified
from bot.core.safetymodel import SafetyModel, full_at, grams, readable
from bot.core.safetymodel import shipped as shipped_model

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # incl. Cantonese 𠝹 (extension B)
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_KEPT = re.compile(rf"[^{_CJK}a-z0-9]+")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_SCRIPT_CHANGE = re.compile(rf"(?<=[{_CJK}])(?=[a-z])|(?<=[a-z])(?=[{_CJK}])")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_LATIN_WORD = re.compile(r"[a-z]+")
_UNIT = re.compile(rf"[{_CJK}]|[a-z]+")
_SPACES = re.compile(" +")

#: English key words a typing slip is put right to ("suicde" → "suicide"); only long, distinctive words, so that an
#: everyday word is never "corrected" into one of them.
_KEY_WORDS = ("suicide", "suicidal", "myself", "overdose", "hopeless", "unalive", "verification", "password")
#: From how many characters on a phrase heard by sound may use any reading of a character, not only its usual one.
_ANY_READING = 4
#: From how many letters on a phrase typed in pinyin may end inside a word (a particle such as "le" after it).
_LONG_PINYIN = 8
#: How many characters either side of a hit an `unless` pattern may look at.
_VETO_REACH = 30


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


def normal_form(text: str) -> str:
    """The form phrases are written in: see safety_phrases.yaml's header."""
    text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHES.sub("", text)
    text = to_simplified(text).casefold().replace("帐", "账")  # 停息挂帐 is 停息挂账
    text = _NOT_KEPT.sub(" ", text).strip()
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return _SCRIPT_CHANGE.sub(" ", text)


@functools.cache
def _builtin() -> dict[str, Any]:
    """The shipped phrases, read once on first use (not at import)."""
    import yaml

    source = resources.files("bot.core").joinpath("safety_phrases.yaml").read_text(encoding="utf-8")
    # LibYAML's parser when PyYAML has it: the same data, several times faster than the pure-Python one.
    data: dict[str, Any] = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data


def _readings(char: str) -> tuple[str, ...]:
    from bot.core.respell import syllables  # deferred: the respeller's pinyin table is loaded on first use

    return syllables(char)


def _bounded(pattern: str) -> str:
    """A pattern matches whole Latin words: "he" is not found inside "the"."""
    return rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])"


def _class_chars(items: Iterable[tuple[Any, Any]], sre: Any) -> frozenset[str] | None:
    """The characters a parsed character class ([...]) matches, or None when it is not a short list of them."""
    chars: set[str] = set()
    for kind, arg in items:
        if kind is sre.LITERAL:
            chars.add(chr(arg))
        elif kind is sre.RANGE and arg[1] - arg[0] < 64:
            chars.update(map(chr, range(arg[0], arg[1] + 1)))
        else:  # NEGATE, CATEGORY, a wide range
            return None
    return frozenset(chars)


def _needed(pattern: str) -> frozenset[str] | None:
    """Characters of which every match of `pattern` contains at least one, or None when no such set is known.

    A pattern whose set shares no character with a message cannot match it, so most messages skip most patterns
    without running them. Read from the pattern's parse by the standard library's own regex parser (the only one that
    reads Python's syntax exactly); anything it cannot vouch for (classes with categories, optional parts, flags)
    gives None, and the pattern is always run.
    """
    import importlib

    # The parser and constants re.compile itself uses (not in typeshed, hence by name).
    parser, sre = importlib.import_module("re._parser"), importlib.import_module("re._constants")

    def of_sequence(items: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
        found = [chars for chars in map(of_item, items) if chars is not None]
        return min(found, key=len) if found else None  # any one required item will do: the narrowest

    def of_item(item: tuple[Any, Any]) -> frozenset[str] | None:
        op, value = item
        if op is sre.LITERAL:
            return frozenset(chr(value))
        if op is sre.IN:
            return _class_chars(value, sre)
        if op is sre.BRANCH:
            branches = [of_sequence(branch) for branch in value[1]]
            return None if any(b is None for b in branches) else frozenset().union(*branches)  # type: ignore[arg-type]
        if op is sre.SUBPATTERN:
            _group, add_flags, _del_flags, inner = value
            return None if add_flags & re.IGNORECASE else of_sequence(inner)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _high, inner = value
            return of_sequence(inner) if low >= 1 else None
        if op is sre.ATOMIC_GROUP:
            return of_sequence(value)
        return None  # lookarounds, anchors, any character, group references

    parsed = parser.parse(pattern)
    return None if parsed.state.flags & re.IGNORECASE else of_sequence(parsed.data)


def _either(patterns: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted(set(patterns), key=lambda p: (-len(p), p))
    return re.compile("|".join(f"(?:{p})" for p in unique)) if unique else None


class _Unit(NamedTuple):
    """One character of Chinese, or one Latin word, with its readings and where it lies in the normal form.

    A named tuple, not a dataclass: one is made for every character of every message."""

    readings: tuple[str, ...]
    start: int
    end: int


def _units(form: str) -> list[_Unit]:
    """The text as the screen hears it: each Chinese character with its readings (似 → shi, si), each Latin word as
    itself (不想huo → bu, xiang, huo)."""
    # A unit is one CJK character or a run of a-z: the Latin ones, and only they, are ASCII.
    return [
        _Unit((token,) if token.isascii() else _readings(token), match.start(), match.end())
        for match in _UNIT.finditer(form)
        for token in (match.group(0),)
    ]


class _Pattern:
    """A pattern (whole Latin words) and the characters at least one of which any match of it contains."""

    __slots__ = ("needed", "regex")

    def __init__(self, pattern: str) -> None:
        self.regex = re.compile(_bounded(pattern))
        self.needed = _needed(pattern)


@functools.lru_cache(maxsize=4096)
def _pattern(pattern: str) -> _Pattern:
    """`_Pattern(pattern)`, made once per process: each Screen (one per knowledge load, and a /reload makes one) uses
    the same few hundred built-in patterns, and parsing them (re's cache holds only 512) is most of its build."""
    return _Pattern(pattern)


class _Rules:
    """One concern's phrases, patterns, co-occurrences and vetoes, compiled."""

    def __init__(self, section: Mapping[str, Any], extra: Iterable[str] = ()) -> None:
        phrases = {normal_form(p) for p in [*section.get("phrases", ()), *extra]} - {""}
        words = sorted(phrases, key=lambda w: (-len(w), w))
        # Words are looked up with `in` (Latin ones padded with spaces: whole words) and patterns one by one: both
        # far faster in CPython than one alternation of hundreds of branches.
        # Each word is filed under its first character (after the padding), so a message is searched only for the
        # words that can be in it, still in this order.
        self._words: dict[str, list[tuple[int, str, str]]] = {}
        for rank, word in enumerate(words):
            needle = f" {word} " if word[0].isascii() or word[-1].isascii() else word
            self._words.setdefault(needle.strip()[0], []).append((rank, word, needle))
        self._patterns = [_pattern(p) for p in dict.fromkeys(section.get("patterns", ()))]
        self._together = [tuple(_pattern(p) for p in group) for group in section.get("together", ())]
        # a denial of self-harm ("我没想伤害自己") and everyday things that read like the means ("感冒药买好了") veto
        # as `unless` does
        vetoes = (*section.get("unless", ()), *section.get("denial", ()), *section.get("everyday", ()))
        self._unless = _either(_bounded(p) for p in vetoes)
        # Chinese phrases by sound.
        self._by_start: dict[tuple[str, str], list[tuple[tuple[tuple[str, ...], ...], str]]] = {}
        sound_alike = {normal_form(w) for w in section.get("by_sound", ())}
        typed: dict[str, str] = {}
        for word in words:
            if len(word) >= 2 and all(_CJK_CHAR.fullmatch(c) for c in word):
                sound = tuple(_readings(c) for c in word)
                if len(word) >= 3 or word in sound_alike:
                    for first in sound[0]:  # indexed by how its first two characters may sound
                        for second in sound[1]:
                            self._by_start.setdefault((first, second), []).append((sound, word))
                joined = "".join(r[0] for r in sound)
                if len(joined) >= 5:  # "zisha": shorter pinyin is too easily part of something else
                    typed.setdefault(joined, word)
        self._typed = typed
        self._pinyin = _either(re.escape(t) for t in typed)

    def find(self, text: str, units: Sequence[_Unit], latin: str, starts: set[int], ends: set[int]) -> str | None:
        """The first phrase or pattern that counts in `text` (normal form; `units` how it sounds, `latin` its Latin
        words run together), or None."""
        chars = set(text)
        for finder in (self._by_word, self._by_pattern, self._by_patterns_together):
            found = finder(text, chars)
            if found is not None:
                return found
        return self._by_sound(text, units) or self._in_pinyin(latin, starts, ends)

    def _by_word(self, text: str, chars: set[str]) -> str | None:
        """The first phrase in `text` (by rank) that no veto covers."""
        padded = f" {text} "
        candidates = sorted(found for char in chars for found in self._words.get(char, ()))
        for _rank, word, needle in candidates:
            at = padded.find(needle)
            while at >= 0:
                # `padded` is `text` one place to the right; a padded needle starts one place before its word
                start = at if needle is not word else at - 1
                if not self._vetoed(text, start, start + len(word)):
                    return word
                at = padded.find(needle, at + 1)
        return None

    def _by_pattern(self, text: str, chars: set[str]) -> str | None:
        """The first pattern match in `text` that no veto covers."""
        for pattern in self._patterns:
            if pattern.needed is not None and pattern.needed.isdisjoint(chars):
                continue
            for hit in pattern.regex.finditer(text):
                if not self._vetoed(text, hit.start(), hit.end()):
                    return hit.group(0)
        return None

    def _by_patterns_together(self, text: str, chars: set[str]) -> str | None:
        """The first group of patterns that all match `text`, none of them vetoed."""
        for group in self._together:
            hits: list[re.Match[str]] = []
            for pattern in group:
                found = None if pattern.needed is not None and pattern.needed.isdisjoint(chars) else (
                    pattern.regex.search(text))  # fmt: skip
                if found is None or self._vetoed(text, found.start(), found.end()):
                    break
                hits.append(found)
            else:
                return " + ".join(hit.group(0) for hit in hits)
        return None

    def _by_sound(self, text: str, units: Sequence[_Unit]) -> str | None:
        for first, (unit, after) in enumerate(itertools.pairwise(units)):
            heads = [(a, b) for a in unit.readings for b in after.readings]
            for sound, word in (found for head in heads for found in self._by_start.get(head, ())):
                typed = units[first : first + len(sound)]
                if len(typed) < len(sound):
                    continue
                # a short phrase must sound so in the characters' usual readings (以 can be read si, but 想以后 is
                # not 想死; 合 can be ge, but 符合自己 is not 割自己); a longer one may use any reading (活着没意似)
                short = len(sound) < _ANY_READING
                heard = [t.readings[:1] if short else t.readings for t in typed]
                meant = [r[:1] if short else r for r in sound]
                if not all(set(h) & set(m) for h, m in zip(heard, meant, strict=True)):
                    continue
                same = sum(text[t.start : t.end] == c for t, c in zip(typed, word, strict=True))
                start, end = typed[0].start, typed[-1].end
                if same >= math.ceil(len(word) / 2) and not self._vetoed(text, start, end):
                    return word
        return None

    def _in_pinyin(self, latin: str, starts: set[int], ends: set[int]) -> str | None:
        if self._pinyin is not None and latin:
            for hit in self._pinyin.finditer(latin):
                # on word boundaries; a long one may end inside a word ("buxiangzaihuole": 不想再活 + le)
                if hit.start() in starts and (hit.end() in ends or hit.end() - hit.start() >= _LONG_PINYIN):
                    return self._typed[hit.group(0)]
        return None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where in `text` (normal form) each phrase and pattern is found as written, vetoed ones left out."""
        padded, chars = f" {text} ", set(text)
        found: list[tuple[int, int]] = []
        for _rank, word, needle in (item for char in chars for item in self._words.get(char, ())):
            at = padded.find(needle)
            while at >= 0:
                start = at if needle is not word else at - 1  # as in `_by_word`
                found.append((start, start + len(word)))
                at = padded.find(needle, at + 1)
        for pattern in self._patterns:
            if pattern.needed is None or not pattern.needed.isdisjoint(chars):
                found.extend(hit.span() for hit in pattern.regex.finditer(text))
        return [(start, end) for start, end in found if not self._vetoed(text, start, end)]

    def without_vetoes(self, text: str) -> str:
        """`text` with every span an `unless` pattern matches blanked out: what the learned model may read, so that
        a veto (不想死, 想死你了, "financial suicide") holds for it as it does for the phrases."""
        if self._unless is None:
            return text
        return _SPACES.sub(" ", self._unless.sub(" ", text)).strip()

    def _vetoed(self, text: str, start: int, end: int) -> bool:
        if self._unless is None:
            return False
        left = max(0, start - _VETO_REACH)
        for veto in self._unless.finditer(text, left, min(len(text), end + _VETO_REACH)):
            if veto.start() <= start and end <= veto.end():
                return True
        return False


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
        data = _builtin()
        extra = {Concern.CRISIS: extra_crisis, Concern.SCAM: extra_scams}
        self._rules = [
            (concern, _Rules(data.get(concern.value) or {}, extra.get(concern, ()))) for concern in _SCREENED
        ]
        # The soft tier's own patterns (a question that may hide the thought: "人死了借呗还要还吗"), with the crisis
        # vetoes: heard after the crisis phrases and model, before the scam screen.
        crisis = data.get(Concern.CRISIS.value) or {}
        self._soft = _Rules(
            {
                "patterns": crisis.get("soft", ()),
                "unless": [*crisis.get("unless", ()), *crisis.get("denial", ()), *crisis.get("everyday", ())],
            }
        )
        # A clear denial ("我没想伤害自己 就是想问…", "I'm not suicidal, I just want to know…") silences the soft tier:
        # the user said what they do not mean (second user trial: the denial itself was heard and escalated).
        self._means = _Rules({"patterns": crisis.get("means", ()), "unless": crisis.get("unless", ())})
        self._denial = _either(_bounded(p) for p in crisis.get("denial", ()))
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
        form = _corrected(normal_form(text))
        if not form:
            return Screening()
        units = _units(form)
        latin, starts, ends = _latin_of(form)
        if after_crisis and (means := self._means.find(form, units, latin, starts, ends)) is not None:
            return Screening(Concern.CRISIS, f"means after the crisis reply: {means}", urgent=True)
        # a denial of self-harm: no soft tier (the phrases elsewhere in the message and a full model score still count)
        denied = self._denial is not None and self._denial.search(form) is not None
        return self._heard(form, units, latin, starts, ends, faint=not (answer or denied), denied=denied)

    def _heard(
        self,
        form: str,
        units: Sequence[_Unit],
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
                    return self._crisis(form, units, latin, starts, ends, rule) if concern is Concern.CRISIS else (
                        Screening(concern, rule))  # fmt: skip
                if score >= linear.threshold and (faint or concern not in _SOFTER):
                    return Screening(
                        _SOFTER.get(concern, concern), f"learned {concern.value} model {score:+.2f} (soft)"
                    )
            if concern is Concern.CRISIS and faint:
                soft = self._soft.find(form, units, latin, starts, ends)
                if soft is not None:
                    return Screening(Concern.CRISIS_SOFT, f"{soft} (soft)")
        return Screening(denied=denied)

    def _crisis(
        self, form: str, units: Sequence[_Unit], latin: str, starts: set[int], ends: set[int], rule: str
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
        form = _corrected(normal_form(text))
        kept = list(form)
        rules = dict(self._rules)
        for start, end in (*rules[Concern.DISTRESS].spans(form), *rules[Concern.ANGER].spans(form)):
            kept[start:end] = " " * (end - start)
        return _SPACES.sub(" ", "".join(kept)).strip()

    def learned_form(self, text: str, concern: Concern) -> str:
        """What the learned model of `concern` reads of `text`: the screen's normal form without that concern's
        vetoed spans (the trainer reads texts through this too, so training and screening agree)."""
        rules = dict(self._rules)[concern]
        return rules.without_vetoes(_corrected(normal_form(text)))


def _latin_of(form: str) -> tuple[str, set[int], set[int]]:
    """The Latin words of `form` run together ("zi sha" → "zisha") with where each word starts and ends in it, so
    that a phrase typed in pinyin is matched on word boundaries only."""
    joined: list[str] = []
    starts: set[int] = set()
    ends: set[int] = set()
    length = 0
    for word in _LATIN_WORD.findall(form):
        starts.add(length)
        joined.append(word)
        length += len(word)
        ends.add(length)
    return "".join(joined), starts, ends


def _corrected(form: str) -> str:
    """Long English words one slip away from a key word are read as it ("suicde" → "suicide")."""
    from rapidfuzz.distance import OSA

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 6 or word in _KEY_WORDS:
            return word
        for key in _KEY_WORDS:
            if abs(len(key) - len(word)) <= 1 and OSA.distance(word, key, score_cutoff=1) <= 1:
                return key
        return word

    return _LATIN_WORD.sub(fix, form)
