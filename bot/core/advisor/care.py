"""The advisor's care: the crisis reply and its hotlines (the user's own region's first), the soft tier's caring
lines, the kind word to venting, and where the user is — the place a message says, Cantonese wording, or abroad."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from bot.core.actions import Reminder as ReminderAction
from bot.core.advisor.cards import Cards
from bot.core.advisor.values import VENTING, Conversation, Region, region_of
from bot.core.i18n import Lang
from bot.core.knowledge import KnowledgeBase
from bot.core.language import hong_kong_wording
from bot.core.matcher import MatchResult
from bot.core.normalize import Dialect
from bot.core.replies import Choice, Reply
from bot.core.safety import Concern, normal_form

#: The order of the regions' hotlines after the user's own (the line for anywhere else comes last).
_REGIONS: Final = (Region.MAINLAND, Region.TAIWAN, Region.HONG_KONG)
#: Where a place is said, in the order the word lists `place_words_<region>` are read.
_SAID: Final = (Region.HONG_KONG, Region.TAIWAN, Region.ELSEWHERE)


def _padded_form(text: str) -> str:
    """`text` in the safety screen's normal form with a space at each end, for whole-word matching."""
    return f" {normal_form(text)} "


class Care(Cards):
    """The caring replies and the user's region; between `Cards` and `Advisor`."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__(kb)
        self._forms: dict[str, tuple[str, ...]] = {}  # word lists in normal form, by key (`_word_forms`)
        # written Cantonese read as Mandarin ("我冇事 只係…" is "我没事 只是…"): the matcher's own `dialect:` table
        self._dialect = Dialect(kb.dialect)

    def crisis(self, conversation: Conversation) -> list[Reply]:
        """The crisis reply: warm, short, where to get help now; the conversation can go on afterwards."""
        text = self.crisis_text(conversation.lang, conversation.where())
        return [Reply(text, (self._guide_choice(conversation),))]

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

    def minimised(self, conversation: Conversation, *, again: bool) -> Reply:
        """After the crisis reply, a message that plays it down ("没事", "算了 就是累"): the caring tone kept and a
        gentle check-in with the user's own line (`again`, the second time running: no numbers, no question)."""
        if again:
            return Reply(self.kb.text("crisis_minimised_again", conversation.lang), (self._guide_choice(conversation),))
        return Reply(self._with_hotline("crisis_minimised", conversation), (self._guide_choice(conversation),))

    def brief_line(self, conversation: Conversation) -> Reply:
        """After the crisis reply, under the answer to what the user asked: one short caring line, no numbers."""
        return Reply(self.kb.text("crisis_brief_line", conversation.lang))

    def reminder_pointer(self, conversation: Conversation) -> Reply:
        """A typed request for a reminder: where the reminders are, with the button that sets a due-day one."""
        lang = conversation.lang
        button = Choice(self.kb.text("reminder_add_button", lang), ReminderAction("add").pack())
        return Reply(self.kb.text("reminder_pointer", lang), (button,))

    def plays_down(self, text: str) -> bool:
        """Whether the message is made only of words that play a feeling down ("没事", "算了 就是累", "sorry. just
        tired": the `minimising_words`, at least one) and the little words around them (`minimising_fillers`)."""
        form = f" {self._dialect(normal_form(text))} "
        rest, found = form, False
        for key in ("minimising_words", "minimising_fillers"):
            for word in sorted(self._word_forms(key), key=len, reverse=True):
                needle = f" {word} " if word.isascii() else word
                while needle in rest:
                    rest = rest.replace(needle, " ")
                    found = found or key == "minimising_words"
        return found and not rest.strip()

    def says(self, text: str, key: str) -> bool:
        """Whether the message holds a word of the word list `key` (in either language; Latin words whole)."""
        return self._says_any(_padded_form(text), key)

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

    def _region_said(self, text: str) -> Region | None:
        """The region the message says the user is in (the `place_words_<region>` words, read in the safety screen's
        normal form: Simplified, lower case, no punctuation), or None."""
        form = _padded_form(text)
        return next((region for region in _SAID if self._says_any(form, f"place_words_{region.value}")), None)
