"""The advisor's conversation logic shared by every transport: questions in, transport-neutral replies out.

It answers free text from the knowledge base (answer / clarify / honest fallback) and routes button actions. Every
text first passes the safety screen (bot/core/safety.py): a person in crisis gets the crisis reply and nothing else;
a message about a scam gets the `safety.scams` card first and then its answer; despair gets a kind word first; a
message the crisis model hears only faintly (stress, fear, shame about the debt) gets its answer and then one caring
line with a hotline.
Its buttons (bot/core/actions.py): ShowEntry (clarify choices, related topics), NoneOfThese under a clarify menu,
StartGuide to start or resume the negotiation walkthrough (handled by bot.core.dialogue).

The parts: `values` (the conversation, the outcome, regions and the named sets of verdicts), `cards` (entries, menus
and buttons as replies), `care` (the crisis reply, hotlines, caring lines, where the user is),
`talk` (which number to trust after the scam card, what the bot is, a situation stated rather than asked).
`Advisor`, here, decides what one message gets and keeps the matcher and the safety screen.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from bot.core.advisor.talk import Talk
from bot.core.advisor.values import (
    ANSWERED_FREELY,
    MAX_RELATED,
    SAFETY_PREFIX,
    SCAM_ENTRY,
    VENTING,
    Conversation,
    Outcome,
    Region,
    region_of,
)
from bot.core.i18n import Lang
from bot.core.knowledge import Entry, EntryKind, KnowledgeBase
from bot.core.matcher import Matcher, MatchResult, Status
from bot.core.replies import Reply
from bot.core.safety import Concern, Screen, Screening, normal_form
from bot.core.understand import is_question

__all__ = [
    "ANSWERED_FREELY",
    "MAX_RELATED",
    "SAFETY_PREFIX",
    "SCAM_ENTRY",
    "VENTING",
    "Advisor",
    "Conversation",
    "Outcome",
    "Region",
    "region_of",
]

#: Where a clause ends: a long message's question is often its last clause.
_CLAUSE_END: Final = re.compile(r"[。！？!?.\n，,；;]+")
#: A space between Chinese characters: on a phone keyboard, often where a comma would be ("我就想问问 逾期了…").
_CJK_GAP: Final = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
#: What joins or varies an emoji (the variation selector, the zero-width joiner) and the spaces between emoji.
_EMOJI_JOINERS: Final = re.compile(r"[\s\ufe0f\u200d]+")
#: How many of the last clause's space-separated parts are tried as its question (longest first).
_TAIL_PARTS: Final = 3


class Advisor(Talk):
    """Stateless service over one knowledge base; conversation state goes in and comes back out."""

    def __init__(self, kb: KnowledgeBase, matcher: Matcher) -> None:
        super().__init__(kb)
        self.matcher = matcher
        self.screen = Screen(kb.crisis, kb.scams)  # the built-in phrases plus the admin's additions

    def ask(self, conversation: Conversation, text: str, screening: Screening | None = None) -> Outcome:
        """Answer a free-text question; `screening` is the safety screen's verdict when the caller already has it
        (the engine screens the whole message, even past the part that is matched)."""
        lang = conversation.lang
        if not text.strip():
            return Outcome([Reply(self.kb.text("empty_message", lang))], conversation)
        screening = screening or self.screen(text)
        concern = screening.concern
        conversation = self._placed(conversation, text)
        if (followed := self._after_crisis(conversation, text, screening)) is not None:
            return followed
        result = None if concern is Concern.CRISIS else self._matched(text, concern)
        result = self._denial_asks(text, result, screening)
        if result is not None and (reminded := self._reminded(conversation, text, concern, result)) is not None:
            return reminded
        concern = self.settled(concern, result, clear=screening.clear)
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

    def _denial_asks(self, text: str, result: MatchResult | None, screening: Screening) -> MatchResult | None:
        """A denial of self-harm ("我没想伤害自己 就是想问罚息能不能减") is no topic; what it asks is (the last
        clause's)."""
        if not screening.denied or result is None or self._answers(result) or (asked := self._asked(text)) is None:
            return result
        return replace(result, status=Status.ANSWER, entry=asked)

    def _reminded(
        self, conversation: Conversation, text: str, concern: Concern | None, result: MatchResult
    ) -> Outcome | None:
        """A request for a reminder ("每个月10号提醒我还花呗") gets the reminders, not a menu; a faint signal in it gets
        its line after, and so does a request right after the crisis reply. None: not a request for a reminder the
        guide leaves unanswered."""
        if concern not in ANSWERED_FREELY or not self._wants_reminder(text, result):
            return None
        replies = [self.reminder_pointer(conversation)]
        if concern is Concern.CRISIS_SOFT:
            replies.append(self.soft_line(conversation))
        elif conversation.after_crisis:
            replies.append(self.brief_line(conversation))
        return Outcome(replies, conversation, safety=concern if concern is Concern.CRISIS_SOFT else None)

    def _after_crisis(self, conversation: Conversation, text: str, screening: Screening) -> Outcome | None:
        """Right after the crisis reply, a message no phrase marks as a crisis (first-user trial): one that plays the
        feeling down ("算了 就是累", "没事") keeps the caring tone and checks in gently (never read as "better",
        never the off-topic card); one that asks to stop the hotlines, says it meant something ordinary ("我只是想设个
        还款提醒") or asks a question the model alone heard as a crisis gets what it asks (the tool, the topic, a
        route), with one short caring line (not the same hotline block again). None: answered as ever (a phrase or
        the means heard: the crisis reply)."""
        concern = screening.concern
        if not conversation.after_crisis or screening.urgent or (concern is Concern.CRISIS and not screening.learned):
            return None
        if self.plays_down(text):
            again = conversation.after_care
            return Outcome([self.minimised(conversation, again=again)], conversation, minimised=True, cared=True)
        stop = self.says(text, "hotline_stop_words")
        meant = self.says(text, "meant_ordinary_words")
        if not (stop or meant or concern is Concern.CRISIS):
            return None
        result = self.matcher.match(text)
        shown: list[Reply] = []
        if self._wants_reminder(text, result):
            shown = [self.reminder_pointer(conversation)]
        elif (asked := self._asked(text) or self._routed(text)) is not None:
            shown = self.show_entry(conversation, asked)
            status = Status.ANSWER if asked.kind.answered else Status.FALLBACK  # a route is a recognised fallback
            result = replace(result, status=status, entry=asked)
        if not shown and not stop:
            return None
        ack = [Reply(self.kb.text("crisis_hotlines_stopped", conversation.lang))] if stop else []
        # the model alone heard a crisis in a question, and nothing asked the numbers away: the user's own line, once
        line = self.soft_line(conversation) if concern is Concern.CRISIS and not (stop or meant) else (
            self.brief_line(conversation))  # fmt: skip
        # "我只是想…": the crisis reply was a mistake, so its follow-ups end (`checked_in`)
        return Outcome([*ack, *shown, line], conversation, result if shown else None, checked_in=meant)

    def _routed(self, text: str) -> Entry | None:
        """The route (a topic the guide does not cover, said honestly) that the message or its last clause finds."""
        clauses = [c for c in _CLAUSE_END.split(text) if c.strip()]
        parts = _CJK_GAP.split(clauses[-1].strip()) if clauses else []
        for part in dict.fromkeys((text, *clauses[-1:], *parts[-1:])):
            route = self.matcher.match(part).route
            if route is not None and not route.id.startswith(SAFETY_PREFIX):
                return route
        return None

    def _wants_reminder(self, text: str, result: MatchResult) -> bool:
        """Whether the message asks for a reminder and the guide has no answer to it ("每个月10号提醒我还花呗")."""
        return not self._answers(result) and self.says(text, "reminder_request_words")

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
    def settled(concern: Concern | None, result: MatchResult | None, *, clear: bool = True) -> Concern | None:
        """What the screen's verdict comes to once the message is matched: a soft crisis hit that asks nothing the
        guide knows gets the full crisis reply when it was heard clearly (`Screening.clear`: a written soft pattern,
        or a model score at the full threshold in a message too short for it — "I just want it to stop"), never
        "I can't answer that" with a line under it. A merely faint model hit on such a message ("我想查查我是不是把
        花呗还清了" scored just above the soft threshold) gets care first instead (`crisis_soft_first`: worry, a
        hotline, an offer to go on): made full, the faint tier's false alarms on ordinary unanswerable messages got
        the whole crisis reply (first-user trial 11); a second faint signal right after it still brings the full one."""
        if concern is Concern.CRISIS_SOFT and (
            result is None or (clear and result.status is Status.FALLBACK and not result.route)
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
        if concern in (None, Concern.SCAM) and self.asks_for_a_number(conversation, text):
            # right after the scam card, "打哪个电话" / "95188是真的吗": which number to trust, never a menu
            return Outcome(self.number_answer(conversation), conversation, safety=Concern.SCAM)
        if concern is None and self.asks_who(text, result):  # "你是真人吗": what the bot is, not "I can't help"
            return Outcome(self.about_me(conversation), conversation)
        if concern is None and self.states_situation(text, result):
            # "欠了六万 家里人都不知道": the situation heard in a kind line, then the way forward (not a bare menu)
            return Outcome(self.situation(conversation), conversation, result)
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
