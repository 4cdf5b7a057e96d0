"""The advisor's conversation logic shared by every transport: questions in, transport-neutral replies out.

It answers free text from the knowledge base (answer / clarify / honest fallback) and routes button actions. Every
text first passes the safety screen (bot/core/safety.py): a person in crisis gets the crisis reply and nothing else;
a message about a scam gets the `safety.scams` card first and then its answer; despair gets a kind word first; a
message the crisis model hears only faintly (stress, fear, shame about the debt) gets its answer and then one caring
line with a hotline.
Its buttons (bot/core/actions.py): ShowEntry (clarify choices, related topics), NoneOfThese under a clarify menu,
StartGuide to start or resume the negotiation walkthrough (handled by bot.core.dialogue).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from bot.core.actions import Action, NoneOfThese, ShowEntry, StartGuide
from bot.core.i18n import Lang
from bot.core.knowledge import Entry, EntryKind, KnowledgeBase
from bot.core.language import hong_kong_wording
from bot.core.matcher import Matcher, MatchResult, Status
from bot.core.replies import Choice, Reply
from bot.core.safety import Concern, Screen, Screening, normal_form
from bot.core.understand import is_question

#: How many related topics are offered under an answer.
MAX_RELATED = 3
#: What the screen may say of a message that is still answered as asked (a crisis or a scam changes the reply).
ANSWERED_FREELY: Final = frozenset({None, Concern.DISTRESS, Concern.ANGER, Concern.CRISIS_SOFT})
#: What the screen may say of a message whose feeling is acknowledged in a line before its answer or the guide.
VENTING: Final = frozenset({Concern.DISTRESS, Concern.ANGER})
#: The entry shown as the scam card.
SCAM_ENTRY = "safety.scams"
#: Where a clause ends: a long message's question is often its last clause.
_CLAUSE_END: Final = re.compile(r"[。！？!?.\n，,；;]+")
#: A space between Chinese characters: on a phone keyboard, often where a comma would be ("我就想问问 逾期了…").
_CJK_GAP: Final = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
#: What joins or varies an emoji (the variation selector, the zero-width joiner) and the spaces between emoji.
_EMOJI_JOINERS: Final = re.compile(r"[\s\ufe0f\u200d]+")
#: How many of the last clause's space-separated parts are tried as its question (longest first).
_TAIL_PARTS: Final = 3
#: Entries that are safety advice themselves (the card, what to do after paying a scammer): answering with one of
#: them needs no card in front.
SAFETY_PREFIX = "safety."


class Region(StrEnum):
    """Where crisis help is listed for; the values name the texts `crisis_<region>` in texts.yaml."""

    MAINLAND = "mainland"
    TAIWAN = "taiwan"
    HONG_KONG = "hongkong"
    ELSEWHERE = "elsewhere"  # outside all three ("I'm in the US", "我在国外"): only ever said, never guessed


#: The order of the regions' hotlines after the user's own (the line for anywhere else comes last).
_REGIONS: Final = (Region.MAINLAND, Region.TAIWAN, Region.HONG_KONG)
#: Where a place is said, in the order the word lists `place_words_<region>` are read.
_SAID: Final = (Region.HONG_KONG, Region.TAIWAN, Region.ELSEWHERE)
_REGION_OF_LANG: Final = {Lang.ZH_HANT: Region.TAIWAN, Lang.ZH_HK: Region.HONG_KONG}
_REGION_OF_SUBTAG: Final = {"cn": Region.MAINLAND, "tw": Region.TAIWAN, "hk": Region.HONG_KONG, "mo": Region.HONG_KONG}


def _padded_form(text: str) -> str:
    """`text` in the safety screen's normal form with a space at each end, for whole-word matching."""
    return f" {normal_form(text)} "


def region_of(lang: Lang, client_lang: str | None = None) -> Region:
    """Where the user most likely is: Taiwan wording → Taiwan, Hong Kong wording → Hong Kong, Simplified → mainland;
    English says nothing, so the client's language code decides ("en-HK"), else the mainland."""
    if lang is not Lang.EN:
        return _REGION_OF_LANG.get(lang, Region.MAINLAND)
    subtags = (client_lang or "").lower().replace("_", "-").split("-")[1:]
    return next((_REGION_OF_SUBTAG[tag] for tag in subtags if tag in _REGION_OF_SUBTAG), Region.MAINLAND)


@dataclass(frozen=True)
class Conversation:
    """Everything the advisor remembers about one user between messages."""

    lang: Lang = Lang.ZH_HANS
    client_lang: str | None = None  # the interface language the transport reports ("en-HK"): where help is listed
    #: The crisis reply was given a few messages ago: a second disclosure gets a shorter "I'm still here", and a
    #: message that is not a question ("I'm fine, just venting") a gentle check-in rather than a menu.
    after_crisis: bool = False
    #: Where the message itself says the user is ("我喺香港", "I'm in Taiwan", "I live abroad"), else where its own
    #: Cantonese points to ("我真係好攰": Hong Kong): it beats the guess from the conversation's wording.
    region: Region | None = None
    #: The message before this one got the soft tier's care in place of an answer ("我受够了这日子"): the next message
    #: the guide answers with no clear topic ("算了 不说了") gets the gentle check-in, not a menu or "I can't answer".
    after_care: bool = False

    def where(self) -> Region:
        """Where help is listed for: where the user said they are, else the guess from wording and client."""
        return self.region or region_of(self.lang, self.client_lang)


@dataclass(frozen=True)
class Outcome:
    replies: list[Reply]
    conversation: Conversation
    match: MatchResult | None = None  # set when free text was matched (for admins' unmatched-question log)
    #: CRISIS when the crisis reply was given, SCAM when the scam card was shown, CRISIS_SOFT when the answer came with
    #: the caring line
    safety: Concern | None = None
    #: After the crisis reply, the message asked nothing and got the gentle check-in: the care of the messages after a
    #: crisis reply has said what it had to ("我没事", "谢谢", "好" end it; the check-in is never repeated).
    checked_in: bool = False
    #: The message got the soft tier's care in place of an answer (`soft_first`): the next message that finds no clear
    #: answer gets the check-in (`Conversation.after_care`).
    cared: bool = False

    @property
    def unanswered(self) -> bool:
        """A question nobody could answer, for the admins' report; never one the safety screen answered."""
        return (
            self.safety is None
            and self.match is not None
            and self.match.status is Status.FALLBACK
            and self.match.route is None
        )


class Advisor:
    """Stateless service over one knowledge base; conversation state goes in and comes back out."""

    def __init__(self, kb: KnowledgeBase, matcher: Matcher) -> None:
        self.kb = kb
        self.matcher = matcher
        self.screen = Screen(kb.crisis, kb.scams)  # the built-in phrases plus the admin's additions
        self._forms: dict[str, tuple[str, ...]] = {}  # word lists in normal form, by key (`_word_forms`)

    def greet(self, conversation: Conversation) -> list[Reply]:
        lang = conversation.lang
        return [Reply(self.kb.text("greeting", lang), (self._guide_choice(conversation),))]

    def help(self, conversation: Conversation) -> list[Reply]:
        return [Reply(self.kb.text("help", conversation.lang), (self._guide_choice(conversation),))]

    def ask(self, conversation: Conversation, text: str, screening: Screening | None = None) -> Outcome:
        """Answer a free-text question; `screening` is the safety screen's verdict when the caller already has it
        (the engine screens the whole message, even past the part that is matched)."""
        lang = conversation.lang
        if not text.strip():
            return Outcome([Reply(self.kb.text("empty_message", lang))], conversation)
        screening = screening or self.screen(text)
        concern = screening.concern
        conversation = self._placed(conversation, text)
        result = None if concern is Concern.CRISIS else self._matched(text, concern)
        if screening.denied and result is not None and not self._answers(result):
            # "我没想伤害自己 就是想问罚息能不能减": the denial is no topic; what it asks is (the last clause's)
            asked = self._asked(text)
            if asked is not None:
                result = replace(result, status=Status.ANSWER, entry=asked)
        concern = self.settled(concern, result)
        if concern is Concern.CRISIS or result is None:  # nothing else: no topic, no legal consequences, no step
            replies = self._crisis_reply(conversation, text, urgent=screening.urgent)
            return Outcome(replies, conversation, safety=Concern.CRISIS)
        followed_up = conversation.after_crisis or conversation.after_care
        if followed_up and concern in ANSWERED_FREELY and not self._answers(result):
            # "我没事 只是说说": a gentle word back, once
            return Outcome([self.check_in(conversation)], conversation, checked_in=True)
        if concern is Concern.CRISIS_SOFT and not self._confident(result):
            return self._soft_unsure(conversation, text, result)
        if self._from_abroad(conversation, text, concern, result):
            return Outcome([self.abroad(conversation)], conversation, result)
        outcome = self._answer(conversation, text, concern, result)
        if screening.denied and concern is None and not self._answers(result):
            # "我没有想不开 只是问问人死了债务谁还" with only a weak menu: a gentle line first (never the crisis card)
            gentle = Reply(self.kb.text("denial_gentle", conversation.lang))
            return replace(outcome, replies=[gentle, *outcome.replies])
        if concern is Concern.CRISIS_SOFT:  # the answer they asked for, then help in one line
            return replace(outcome, replies=[*outcome.replies, self.soft_line(conversation)], safety=concern)
        return outcome

    def _matched(self, text: str, concern: Concern | None) -> MatchResult:
        """The match for a message; where the screen heard stress or a faint signal in it and the whole message finds
        no clear answer, the message without its words of stress is tried too ("烦死了 借呗又打电话来" asks about
        the calls): the kind word comes first, and the question is still answered."""
        result = self.matcher.match(text)
        if concern not in (*VENTING, Concern.CRISIS_SOFT) or self._found(result):
            return result
        calm = self.screen.calm(text)
        if not calm or calm == normal_form(text):
            return result
        without = self.matcher.match(calm)
        return without if self._found(without) else result

    @staticmethod
    def _found(result: MatchResult) -> bool:
        """Whether the match shows one loan topic or route without asking back (chit-chat is what words of stress
        alone find: "烦死了" reads as small talk)."""
        shown = result.entry if result.status is Status.ANSWER else result.route
        return shown is not None and shown.kind is not EntryKind.OFFTOPIC

    def _soft_unsure(self, conversation: Conversation, text: str, result: MatchResult) -> Outcome:
        """A message heard faintly that the guide answers with no clear topic. "跟家人道过别了" read as a menu of
        topics: care first, and an offer to go on (never the menu first); a long story whose last clause asks what the
        guide answers gets that answer, then the caring line; a question answered only by a menu ("我受够了 如果每个月
        只还500 支付宝会起诉我吗") gets the caring line, then the menu (never one without the other)."""
        asking = is_question(text)
        asked = self._asked(text) if asking else None
        if asked is not None:
            replies = [*self.show_entry(conversation, asked), self.soft_line(conversation)]
        elif asking and result.status is Status.CLARIFY:
            replies = [self.soft_line(conversation), *self._replies_to(conversation, result)]
        else:
            replies = [self.soft_first(conversation)]
        return Outcome(replies, conversation, result, safety=Concern.CRISIS_SOFT, cared=len(replies) == 1)

    @staticmethod
    def settled(concern: Concern | None, result: MatchResult | None) -> Concern | None:
        """What the screen's verdict comes to once the message is matched: a soft crisis hit is soft only when there
        is something to show for the message (an answer, a menu, a route) — the soft tier exists so that a stressed
        borrower's question is answered; a message that asks nothing the guide knows ("I just want it to stop") gets
        the full crisis reply, never "I can't answer that" with a line under it."""
        if concern is Concern.CRISIS_SOFT and (
            result is None or (result.status is Status.FALLBACK and not result.route)
        ):
            return Concern.CRISIS
        return concern

    @staticmethod
    def _confident(result: MatchResult) -> bool:
        """Whether the match shows one thing without asking back: an answer, or a route (not a menu of topics, which a
        weak overlap of words makes: a soft-tier message asks nothing the guide knows, so it gets care instead)."""
        if result.status is Status.ANSWER:
            return True
        return result.status is Status.FALLBACK and result.route is not None

    def _answer(self, conversation: Conversation, text: str, concern: Concern | None, result: MatchResult) -> Outcome:
        """The reply to a message that is not a crisis: a kind word, the answer, a menu or the fallback."""
        lang = conversation.lang
        greeting = concern is None and self.matcher.normalize.only_greetings(text)
        if greeting:  # "你好", "谢谢": a kind word back ("you're welcome" to thanks)
            key = "courtesy_thanks" if self.matcher.normalize.only_thanks(text) else "courtesy"
            return Outcome([Reply(self.kb.text(key, lang), (self._guide_choice(conversation),))], conversation)
        if not result.normalized:  # "???", "…": nothing to go on, but something was typed
            key = "crying_only" if self._only_crying(text, lang) else "unclear_message"
            reply = Reply(self.kb.text(key, lang), (self._guide_choice(conversation),))
            return Outcome([reply], conversation, result)
        result = self._safety_first(result, concern)
        if concern is Concern.ANGER:  # "scam" said as an insult is no question about a scam (the scam screen said so)
            result = self._without_safety(result)
        if concern in VENTING and self._nothing_to_show(result, text):
            # "so stressed about this debt i cant sleep", "alipay is a total scam, i hate this": the feeling
            # acknowledged, then the guide (never "I only help with overdue loans", a bare menu or the scam card); no
            # match kept: venting is no question for the admins' list of unanswered ones
            return Outcome([self.acknowledged(conversation, concern), self.next_step(conversation)], conversation)
        replies = self._replies_to(conversation, result)
        if concern is Concern.SCAM and (card := self.kb.entry(SCAM_ENTRY)) is not None:
            replies = self._with_scam_card(conversation, result, replies, card)
            return Outcome(replies, conversation, result, safety=Concern.SCAM)
        if concern in VENTING:
            replies = [self.acknowledged(conversation, concern), *replies]
        return Outcome(replies, conversation, result)

    def _nothing_to_show(self, result: MatchResult, text: str) -> bool:
        """Whether a message that vents finds nothing worth showing after the kind word: no loan topic or route (the
        fallback, chit-chat, the off-topic route), or only a menu of topics when it asks nothing (a few words shared
        with "这破支付宝 天天扣我钱" are no question)."""
        if result.status is Status.CLARIFY:
            return not result.candidates or not is_question(text)
        return not self._found(result)

    @staticmethod
    def _without_safety(result: MatchResult) -> MatchResult:
        """`result` without safety advice: an angry message's menu without the scam cards, and no card as its answer
        (the scam screen, asked first, found no scam in it)."""
        candidates = tuple(c for c in result.candidates if not c.entry.id.startswith(SAFETY_PREFIX))
        shown = result.entry if result.status is Status.ANSWER else result.route
        if shown is not None and shown.id.startswith(SAFETY_PREFIX):
            return replace(result, status=Status.FALLBACK, entry=None, candidates=candidates)
        return replace(result, candidates=candidates)

    def _only_crying(self, text: str, lang: Lang) -> bool:
        """Whether the message is crying or despairing emoji alone ("😭😭😭"; the `crying_words`), spaces aside."""
        rest = _EMOJI_JOINERS.sub("", text)
        for emoji in sorted(self.kb.words("crying_words", lang), key=len, reverse=True):
            rest = rest.replace(emoji, "")
        return rest != _EMOJI_JOINERS.sub("", text) and not rest

    def _replies_to(self, conversation: Conversation, result: MatchResult) -> list[Reply]:
        """What the match says to show: the answer, a menu of close topics, a route, or the fallback."""
        lang = conversation.lang
        if result.status is Status.ANSWER and result.entry is not None:
            return self.show_entry(conversation, result.entry)
        if result.status is Status.CLARIFY:
            choices = [Choice(c.entry.title_in(lang), ShowEntry(c.entry.id).pack()) for c in result.candidates]
            choices.append(Choice(self.kb.text("none_of_these", lang), NoneOfThese().pack()))
            return [Reply(self.kb.text("clarify_prompt", lang), tuple(choices))]
        if result.route is not None:
            return self.show_entry(conversation, result.route)
        return self.fallback(conversation)

    def _with_scam_card(
        self, conversation: Conversation, result: MatchResult, replies: list[Reply], card: Entry
    ) -> list[Reply]:
        """The scam warning card with the replies: alone when nothing else matched, first unless safety advice is."""
        lang = conversation.lang
        answered = result.entry if result.status is Status.ANSWER else None
        if result.status is Status.FALLBACK and result.route is None:
            return self.show_entry(conversation, card)  # nothing else to say: the card is the answer
        if answered is None or not answered.id.startswith(SAFETY_PREFIX):
            return [Reply(card.answer_in(lang), title=card.title_in(lang)), *replies]  # the warning first
        return replies

    def _safety_first(self, result: MatchResult, concern: Concern | None) -> MatchResult:
        """A message whose best match is safety advice (or that the screen flagged as a scam and that safety advice
        fits) gets that advice at once, never a menu: someone on the phone with a fake caller has no time to choose.
        Between several safety entries the one whose keywords the message holds most wins (the code, not the agent
        card, for "he wants my verification code"); ties go to the matcher's order. A menu the screen did not flag stays
        a menu when the message holds none of that entry's keywords (a few shared characters are no fake caller)."""
        if result.status is Status.FALLBACK or not result.candidates:
            return result
        safe = [c for c in result.candidates if c.entry.id.startswith(SAFETY_PREFIX)]
        top = result.candidates[0].entry.id.startswith(SAFETY_PREFIX)
        if not safe or not (top or (concern is Concern.SCAM and result.status is Status.CLARIFY)):
            return result
        text = result.normalized
        hits = [sum(1 for k in c.entry.keywords if (n := self.matcher.normalize(k)) and n in text) for c in safe]
        at = max(range(len(safe)), key=lambda i: (hits[i], -i))
        if result.status is Status.CLARIFY and concern is not Concern.SCAM and not hits[at]:
            return result  # "我人在台灣" is near "自称支付宝的人在电话里…" by 人在 alone: no fake caller in it
        return replace(result, status=Status.ANSWER, entry=safe[at].entry)

    def crisis(self, conversation: Conversation) -> list[Reply]:
        """The crisis reply: warm, short, where to get help now; the conversation can go on afterwards."""
        text = self.crisis_text(conversation.lang, conversation.where())
        return [Reply(text, (self._guide_choice(conversation),))]

    def _crisis_reply(self, conversation: Conversation, text: str, *, urgent: bool = False) -> list[Reply]:
        """The crisis reply (shorter the second time; a plan or the means at hand, `urgent`, gets the urgent reply,
        emergency numbers first, every time); a practical question in the same message is not lost: it is offered as
        a button under the caring reply, never answered in front of it."""
        if urgent:  # "药都买好了", even right after the crisis reply: never only "I'm still here"
            lang = conversation.lang
            urgent_text = self.crisis_text(lang, conversation.where(), key="crisis_urgent")
            replies = [Reply(urgent_text, (self._guide_choice(conversation),))]
        elif conversation.after_crisis:
            # after the crisis reply: its hotlines again, every region's (the region is a guess; second user trial)
            again = self._with_hotline("crisis_again", conversation, every=True)
            replies = [Reply(again, (self._guide_choice(conversation),))]
        else:
            replies = self.crisis(conversation)
        asked = self._asked(text)
        if asked is None:
            return replies
        return [*replies[:-1], self._with_later(replies[-1], asked, conversation.lang)]

    def _asked(self, text: str) -> Entry | None:
        """The topic a message that gets care also asks about, to keep for later: the whole message's answer, else
        its last clause's (a long story that ends "我现在就想问问逾期会不会影响征信"), or that of the clause's last few
        parts between spaces (a story typed with spaces for commas); never safety advice."""
        clauses = [c for c in _CLAUSE_END.split(text) if c.strip()]
        parts = _CJK_GAP.split(clauses[-1].strip()) if clauses else []
        # the last clause, then its last few space-separated parts (a story typed without punctuation: second trial)
        tails = [" ".join(parts[-n:]) for n in range(min(_TAIL_PARTS, len(parts) - 1), 0, -1)]
        tails = [tail for tail in tails if is_question(tail)]  # a part that asks, not one of the story's
        for part in dict.fromkeys((text, *clauses[-1:], *tails)):
            asked = self.matcher.match(part)
            if self._answers(asked) and asked.entry is not None and not asked.entry.id.startswith(SAFETY_PREFIX):
                return asked.entry
        return None

    def _with_later(self, reply: Reply, entry: Entry, lang: Lang) -> Reply:
        """`reply` with a button in front that shows `entry` later: a question asked in a message that gets care."""
        label = self.kb.text("crisis_question_button", lang, title=entry.title_in(lang))
        return replace(reply, choices=(Choice(label, ShowEntry(entry.id).pack()), *reply.choices))

    def check_in(self, conversation: Conversation) -> Reply:
        """After the crisis reply, a message that asks nothing: a gentle check-in with every region's lines, the
        user's own first."""
        return Reply(
            self._with_hotline("crisis_checkin", conversation, every=True), (self._guide_choice(conversation),)
        )

    def _with_hotline(self, key: str, conversation: Conversation, *, every: bool = False) -> str:
        """Text `key` with the user's own region's hotline and the line for anywhere else (the region is a guess);
        `every`: every region's lines, the user's own first, as the crisis reply lists them."""
        lang = conversation.lang
        if every:
            return self.kb.text(key, lang, hotline=self._hotlines(lang, conversation.where()))
        return self.kb.text(key, lang, hotline=self._own_hotline(conversation))

    @staticmethod
    def _answers(result: MatchResult) -> bool:
        """Whether the matcher found a topic the guide answers (not a menu, a route or chit-chat)."""
        return result.status is Status.ANSWER and result.entry is not None and result.entry.kind.answered

    def crisis_text(self, lang: Lang, region: Region | None = None, *, key: str = "crisis") -> str:
        """The crisis reply's text (or the urgent one's, `key`): every region's hotlines, the user's own first (by
        default, that of `lang`)."""
        return self.kb.text(key, lang, hotlines=self._hotlines(lang, region or region_of(lang)))

    def _hotlines(self, lang: Lang, first: Region) -> str:
        """Every region's crisis lines, `first`'s first, then the line for anywhere else (first if `first` is it)."""
        order = (first, *(other for other in (*_REGIONS, Region.ELSEWHERE) if other is not first))
        return "\n".join(self.kb.text(f"crisis_{where.value}", lang) for where in order)

    def _own_hotline(self, conversation: Conversation) -> str:
        """The user's own region's crisis line and the one for anywhere else (that one alone outside all three)."""
        region = conversation.where()
        lines = dict.fromkeys((f"crisis_{region.value}", f"crisis_{Region.ELSEWHERE.value}"))
        return "\n".join(self.kb.text(key, conversation.lang) for key in lines)

    def abroad(self, conversation: Conversation) -> Reply:
        """For a user outside mainland China, Hong Kong and Taiwan who asks for help there, or asks what the guide
        does not answer: what the guide covers (Alipay in mainland China), how to reach Alipay from anywhere, and the
        local emergency number and crisis lines."""
        text = self.kb.text("abroad", conversation.lang, hotline=self._own_hotline(conversation))
        return Reply(text, (self._guide_choice(conversation),))

    def _placed(self, conversation: Conversation, text: str) -> Conversation:
        """`conversation` with the region this message points to for its reply: the place it says the user is in
        ("我喺香港 … 仲話會上門": that place's numbers), else Hong Kong for Cantonese ("我真係好攰 …"); else as it
        was."""
        if (said := self._region_said(text)) is not None:
            return replace(conversation, region=said)
        if hong_kong_wording(text):
            return replace(conversation, region=Region.HONG_KONG)
        return conversation

    def _from_abroad(self, conversation: Conversation, text: str, concern: Concern | None, result: MatchResult) -> bool:
        """Whether the message, from a user who said they are outside mainland China, Hong Kong and Taiwan, gets the
        guide's scope (`abroad`): it asks for a line ("is there a hotline in the US?": never a card about codes, as a
        regression trial got), or asks what the guide does not answer ("I work abroad, can I still negotiate?": not a
        menu of other topics). A scam the screen heard keeps its card."""
        if conversation.region is not Region.ELSEWHERE or concern not in (None, *VENTING):
            return False
        return self._says_any(_padded_form(text), "help_line_words") or not self._answers(result)

    def _says_any(self, form: str, key: str) -> bool:
        """Whether a message (its `_padded_form`) holds a word of the list `key` (in the safety screen's normal form;
        a Latin word only as a whole word: "in the us" is not in "in the usual way")."""
        return any(f" {said} " in form if said.isascii() else said in form for said in self._word_forms(key))

    def _word_forms(self, key: str) -> tuple[str, ...]:
        """The words of the list `key` in both languages, in the safety screen's normal form (made once)."""
        forms = self._forms.get(key)
        if forms is None:
            listed = (normal_form(word) for lang in (Lang.ZH_HANS, Lang.EN) for word in self.kb.words(key, lang))
            forms = self._forms[key] = tuple(dict.fromkeys(form for form in listed if form))
        return forms

    def soft_line(self, conversation: Conversation) -> Reply:
        """After the answer to a message the crisis model heard faintly: one caring line with the user's own
        hotline (not the crisis reply: the user asked a question and gets its answer first)."""
        return Reply(self._with_hotline("crisis_soft", conversation))

    def soft_first(self, conversation: Conversation) -> Reply:
        """A message the crisis model heard faintly that nothing in the knowledge answers clearly: care and where to
        talk first, then an offer to go on (the walkthrough's button; no menu of topics)."""
        return Reply(self._with_hotline("crisis_soft_first", conversation), (self._guide_choice(conversation),))

    def reassurance(self, conversation: Conversation) -> Reply:
        """A kind sentence for despair that is not a crisis, shown before the practical answer."""
        return Reply(self.kb.text("reassurance", conversation.lang))

    def acknowledged(self, conversation: Conversation, concern: Concern | None) -> Reply:
        """The line before the answer to a message that vents: the kind sentence for despair, or one that takes anger
        at Alipay or the debt seriously (`anger_ack`)."""
        if concern is Concern.ANGER:
            return Reply(self.kb.text("anger_ack", conversation.lang))
        return self.reassurance(conversation)

    def next_step(self, conversation: Conversation) -> Reply:
        """After the kind word to a message that vents and asks nothing the guide knows: the offer of the guide."""
        return Reply(self.kb.text("venting_next", conversation.lang), (self._guide_choice(conversation),))

    def fallback(self, conversation: Conversation) -> list[Reply]:
        return [Reply(self.kb.text("fallback", conversation.lang), (self._guide_choice(conversation),))]

    def show_entry(self, conversation: Conversation, entry: Entry) -> list[Reply]:
        lang = conversation.lang
        text = entry.answer_in(lang)
        if entry.kind is EntryKind.ROUTE:
            text = f"{text}\n\n{self.kb.text('route_footer', lang)}"
        if (note := self._region_note(conversation, text)) is not None:
            text = f"{text}\n\n{note}"
        choices: list[Choice] = []
        for other_id in entry.related[:MAX_RELATED]:
            other = self.kb.entry(other_id)
            if other is not None:
                label = self.kb.text("related_label", lang, title=other.title_in(lang))
                choices.append(Choice(label, ShowEntry(other.id).pack()))
        choices.append(self._guide_choice(conversation))
        return [Reply(text, tuple(choices), title=entry.title_in(lang))]

    def _region_said(self, text: str) -> Region | None:
        """The region the message says the user is in (the `place_words_<region>` words, read in the safety screen's
        normal form: Simplified, lower case, no punctuation), or None."""
        form = _padded_form(text)
        return next((region for region in _SAID if self._says_any(form, f"place_words_{region.value}")), None)

    def _region_note(self, conversation: Conversation, text: str) -> str | None:
        """For a user in Hong Kong or Taiwan (as far as the wording and the client tell), or who said they are
        elsewhere outside the mainland, a card that names mainland numbers (110, 12378 …: the `mainland_numbers`
        words) gets the line with the local emergency number: a Hong Kong user told only to call 110 and 12378 was
        told wrong (second user trial)."""
        region = conversation.where()
        if region is Region.MAINLAND:
            return None
        if not any(number in text for number in self.kb.words("mainland_numbers", conversation.lang)):
            return None
        return self.kb.text(f"region_note_{region.value}", conversation.lang)

    def press(self, conversation: Conversation, action: Action) -> Outcome | None:
        """Handle a button action; None when the action is not one of ours (or names an entry no longer there)."""
        match action:
            case ShowEntry(entry_id):
                entry = self.kb.entry(entry_id)
                return Outcome(self.show_entry(conversation, entry), conversation) if entry else None
            case NoneOfThese():
                return Outcome(self.fallback(conversation), conversation)
        return None

    def _guide_choice(self, conversation: Conversation) -> Choice:
        return Choice(self.kb.text("guide_button", conversation.lang), StartGuide().pack())
