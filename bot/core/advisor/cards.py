"""What the advisor shows: a knowledge entry as a card (its related topics, a local note under mainland numbers), a
menu of close topics, the fallback, the greeting and help, and what its buttons (ShowEntry, NoneOfThese) do."""

from __future__ import annotations

from dataclasses import replace

from bot.core.actions import Action, NoneOfThese, ShowEntry, StartGuide
from bot.core.advisor.values import MAX_RELATED, SAFETY_PREFIX, Conversation, Outcome, Region
from bot.core.i18n import Lang
from bot.core.knowledge import Entry, EntryKind, KnowledgeBase
from bot.core.matcher import MatchResult, Status
from bot.core.replies import Choice, Reply


class Cards:
    """The replies built from the knowledge base's entries and texts; the base of `Advisor`."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def greet(self, conversation: Conversation) -> list[Reply]:
        lang = conversation.lang
        return [Reply(self.kb.text("greeting", lang), (self._guide_choice(conversation),))]

    def help(self, conversation: Conversation) -> list[Reply]:
        return [Reply(self.kb.text("help", conversation.lang), (self._guide_choice(conversation),))]

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

    def _with_later(self, reply: Reply, entry: Entry, lang: Lang) -> Reply:
        """`reply` with a button in front that shows `entry` later: a question asked in a message that gets care."""
        label = self.kb.text("crisis_question_button", lang, title=entry.title_in(lang))
        return replace(reply, choices=(Choice(label, ShowEntry(entry.id).pack()), *reply.choices))

    def next_step(self, conversation: Conversation) -> Reply:
        """After the kind word to a message that vents and asks nothing the guide knows: the offer of the guide."""
        return Reply(self.kb.text("venting_next", conversation.lang), (self._guide_choice(conversation),))

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

    @staticmethod
    def _answers(result: MatchResult) -> bool:
        """Whether the matcher found a topic the guide answers (not a menu, a route or chit-chat)."""
        return result.status is Status.ANSWER and result.entry is not None and result.entry.kind.answered
