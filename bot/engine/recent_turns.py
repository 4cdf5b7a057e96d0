"""What the engine remembers of a user's last few messages, in memory only: the answers just shown (how long the
crisis reply is remembered, and the soft tier's memory, are stored with the user's state: `saved_state.UserState`'s
`crisis` and `care`)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: For this many messages after the crisis reply, the advisor answers as one who remembers it (bot.core.advisor).
CRISIS_MEMORY = 4
#: An answer typed for again within this many messages is pointed back to, not repeated.
REPEAT_WINDOW = 4
#: For this many messages after the scam card, "which number do I call?" is answered as a question about it.
SCAM_FOLLOW_UP = 2


@dataclass
class RecentTurns:
    """What the engine remembers of a user's last few typed messages, in memory only (never stored): which answers
    were shown when."""

    turn: int = 0
    shown: dict[str, int] = field(default_factory=dict)  # knowledge version:entry id → turn it was last given
    update_id: int | None = None  # the update of the current turn
    before: dict[str, int] = field(default_factory=dict)  # `shown` as it was before the current turn
    scam_turn: int | None = None  # the turn the scam card (or other safety advice) was last shown

    def begin(self, update_id: int | None) -> None:
        """A new typed message; the same update handled again (its first attempt failed, its answer was not sent)
        is the same turn again, so what that attempt showed does not count as shown a moment ago."""
        if update_id is not None and update_id == self.update_id:
            self.shown = dict(self.before)
            return
        self.turn += 1
        self.update_id = update_id
        self.before = dict(self.shown)

    def after_scam(self) -> bool:
        """Whether the scam card was shown within the last SCAM_FOLLOW_UP messages before this one."""
        return self.scam_turn is not None and 0 < self.turn - self.scam_turn <= SCAM_FOLLOW_UP

    def repeated(self, entry_id: str) -> bool:
        last = self.shown.get(entry_id)
        return last is not None and self.turn - last <= REPEAT_WINDOW
