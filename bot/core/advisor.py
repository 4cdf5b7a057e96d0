"""The advisor's conversation logic shared by every transport: questions in, transport-neutral replies out.

It answers free text from the knowledge base (answer / clarify / honest fallback) and routes button actions.
Action tokens (kept short for Telegram's 64-byte callback data):

    e:<entry id>   show an entry (clarify choices, related topics)
    n:             "none of these" under a clarify menu
    g:start        start or resume the negotiation walkthrough
    w:…            walkthrough actions, handled by bot.core.dialogue
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import Lang
from bot.core.knowledge import Entry, EntryKind, KnowledgeBase
from bot.core.matcher import Matcher, MatchResult, Status
from bot.core.replies import Choice, Reply

#: How many related topics are offered under an answer.
MAX_RELATED = 3


@dataclass(frozen=True)
class Conversation:
    """Everything the advisor remembers about one user between messages."""

    lang: Lang = Lang.ZH_HANS


@dataclass(frozen=True)
class Outcome:
    replies: list[Reply]
    conversation: Conversation
    match: MatchResult | None = None  # set when free text was matched (for admins' unmatched-question log)

    @property
    def unanswered(self) -> bool:
        return self.match is not None and self.match.status is Status.FALLBACK and self.match.route is None


class Advisor:
    """Stateless service over one knowledge base; conversation state goes in and comes back out."""

    def __init__(self, kb: KnowledgeBase, matcher: Matcher) -> None:
        self.kb = kb
        self.matcher = matcher

    def greet(self, conversation: Conversation) -> list[Reply]:
        lang = conversation.lang
        return [Reply(self.kb.text("greeting", lang), (self._guide_choice(conversation),))]

    def help(self, conversation: Conversation) -> list[Reply]:
        return [Reply(self.kb.text("help", conversation.lang), (self._guide_choice(conversation),))]

    def ask(self, conversation: Conversation, text: str) -> Outcome:
        """Answer a free-text question."""
        lang = conversation.lang
        if not text.strip():
            return Outcome([Reply(self.kb.text("empty_message", lang))], conversation)
        if self.in_crisis(text):
            return Outcome(self.crisis(conversation), conversation)
        if self.matcher.normalize.only_greetings(text):  # "你好", "谢谢", "在吗": a kind word back, not "I don't know"
            return Outcome([Reply(self.kb.text("courtesy", lang), (self._guide_choice(conversation),))], conversation)
        result = self.matcher.match(text)
        if not result.normalized:
            return Outcome([Reply(self.kb.text("empty_message", lang))], conversation, result)
        if result.status is Status.ANSWER and result.entry is not None:
            replies = self.show_entry(conversation, result.entry)
        elif result.status is Status.CLARIFY:
            choices = [Choice(c.entry.title_in(lang), f"e:{c.entry.id}") for c in result.candidates]
            choices.append(Choice(self.kb.text("none_of_these", lang), "n:"))
            replies = [Reply(self.kb.text("clarify_prompt", lang), tuple(choices))]
        elif result.route is not None:
            replies = self.show_entry(conversation, result.route)
        else:
            replies = self.fallback(conversation)
        return Outcome(replies, conversation, result)

    def in_crisis(self, text: str) -> bool:
        """The message speaks of ending one's life: it gets `crisis`, before any topic or walkthrough step."""
        return self.matcher.normalize.speaks_of_ending_life(text)

    def crisis(self, conversation: Conversation) -> list[Reply]:
        return [Reply(self.kb.text("crisis", conversation.lang), (self._guide_choice(conversation),))]

    def fallback(self, conversation: Conversation) -> list[Reply]:
        return [Reply(self.kb.text("fallback", conversation.lang), (self._guide_choice(conversation),))]

    def show_entry(self, conversation: Conversation, entry: Entry) -> list[Reply]:
        lang = conversation.lang
        text = entry.answer_in(lang)
        if entry.kind is EntryKind.ROUTE:
            text = f"{text}\n\n{self.kb.text('route_footer', lang)}"
        choices: list[Choice] = []
        for other_id in entry.related[:MAX_RELATED]:
            other = self.kb.entry(other_id)
            if other is not None:
                choices.append(Choice(self.kb.text("related_label", lang, title=other.title_in(lang)), f"e:{other.id}"))
        choices.append(self._guide_choice(conversation))
        return [Reply(text, tuple(choices), title=entry.title_in(lang))]

    def press(self, conversation: Conversation, action: str) -> Outcome | None:
        """Handle a button action; None when the action is not one of ours (or is stale)."""
        kind, _, value = action.partition(":")
        if kind == "e":
            entry = self.kb.entry(value)
            return Outcome(self.show_entry(conversation, entry), conversation) if entry else None
        if kind == "n" and not value:
            return Outcome(self.fallback(conversation), conversation)
        return None

    def _guide_choice(self, conversation: Conversation) -> Choice:
        return Choice(self.kb.text("guide_button", conversation.lang), "g:start")
