"""What a frightened user says that is no loan question, answered directly rather than with a menu: which number to
call right after the scam card, whether the bot is a person or Alipay, and a plain statement of owing or of shame
("欠了六万 家里人都不知道"), which is heard in one kind line and then offered the way forward.

Every word list and sentence is a text in knowledge/texts.yaml; the number answer says only what the scam card says.
"""

from __future__ import annotations

import re
from typing import Final

from bot.core.actions import ShowEntry
from bot.core.advisor.care import Care, _padded_form
from bot.core.advisor.values import OVERVIEW_ENTRY, Conversation
from bot.core.knowledge import EntryKind
from bot.core.matcher import MatchResult, Status
from bot.core.replies import Choice, Reply
from bot.core.understand import is_question

#: A phone number typed as digits ("95188是真的吗", "400开头的号码"): three digits in a row or more.
_DIGITS: Final = re.compile(r"\d{3,}")
#: A message longer than this is a story or a question of its own, not a follow-up about a number or about the bot.
_SHORT: Final = 40


class Talk(Care):
    """The direct replies to small talk a frightened user needs answered; between `Care` and `Advisor`."""

    def asks_for_a_number(self, conversation: Conversation, text: str) -> bool:
        """Right after the scam card, whether a short message asks which number to call or whether one is real (a
        digit run, or a word of `scam_number_words`: "打哪个电话", "is this number real")."""
        if not conversation.after_scam or len(text) > _SHORT:
            return False
        return bool(_DIGITS.search(text)) or self._says_any(_padded_form(text), "scam_number_words")

    def number_answer(self, conversation: Conversation) -> list[Reply]:
        """Which number to trust: what the scam card says of the official channels, and the app's own number."""
        return [Reply(self.kb.text("scam_number_answer", conversation.lang), (self._guide_choice(conversation),))]

    def asks_who(self, text: str, result: MatchResult) -> bool:
        """Whether a short message asks what the bot is ("你是真人吗", "are you a bot", "你是支付宝的吗"): it speaks to
        the bot (`about_me_you_words`) and names a person, a program or Alipay (`about_me_words`), and no loan topic
        answers it."""
        if len(text) > _SHORT or self._answers(result):
            return False
        form = _padded_form(text)
        return self._says_any(form, "about_me_you_words") and self._says_any(form, "about_me_words")

    def about_me(self, conversation: Conversation) -> list[Reply]:
        """What the bot is (a program, not a person and not Alipay), what it can do, and where a person at Alipay is."""
        return [Reply(self.kb.text("about_me", conversation.lang), (self._guide_choice(conversation),))]

    def states_situation(self, text: str, result: MatchResult) -> bool:
        """Whether a message that would get only a menu of topics, or no topic, states the user's situation rather
        than asking: no question in it, and it tells of owing, shame or hiding the debt (`situation_words`: "欠了",
        "好丢人", "不敢跟家里说")."""
        shown = result.entry if result.status is Status.ANSWER else result.route
        if result.status is not Status.CLARIFY and shown is not None and shown.kind is not EntryKind.OFFTOPIC:
            return False  # a loan topic or a route answers it
        if is_question(text):
            return False
        return self._says_any(_padded_form(text), "situation_words")

    def situation(self, conversation: Conversation) -> list[Reply]:
        """The kind line that hears a situation, then the way forward: the walkthrough, and the overview."""
        lang = conversation.lang
        choices = [self._guide_choice(conversation)]
        if (overview := self.kb.entry(OVERVIEW_ENTRY)) is not None:
            choices.append(Choice(overview.title_in(lang), ShowEntry(overview.id).pack()))
        return [Reply(self.kb.text("situation_ack", lang)), Reply(self.kb.text("situation_next", lang), tuple(choices))]
