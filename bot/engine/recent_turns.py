"""What the engine remembers of a user's last few messages, in memory only: the answers just shown (how long the
crisis reply is remembered is stored with the user's state: `saved_state.UserState.crisis`)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: For this many messages after the crisis reply, the advisor answers as one who remembers it (bot.core.advisor).
CRISIS_MEMORY = 4
#: An answer typed for again within this many messages is pointed back to, not repeated.
REPEAT_WINDOW = 4
#: A second soft crisis hit within this many typed messages of the last one gets the full crisis reply: two faint
#: signals close together ("跟家人道过别了", then "好想解脱") are one clear one.
SOFT_WINDOW = 3


@dataclass
class RecentTurns:
    """What the engine remembers of a user's last few typed messages, in memory only (never stored): which answers
    were shown when."""

    turn: int = 0
    shown: dict[str, int] = field(default_factory=dict)  # knowledge version:entry id → turn it was last given
    update_id: int | None = None  # the update of the current turn
    before: dict[str, int] = field(default_factory=dict)  # `shown` as it was before the current turn
    soft: int | None = None  # the turn of the last message the crisis screen heard faintly (its soft tier)
    soft_before: int | None = None  # `soft` as it was before the current turn
    cared: int | None = None  # the turn of the last message that got the soft tier's care in place of an answer
    cared_before: int | None = None  # `cared` as it was before the current turn

    def begin(self, update_id: int | None) -> None:
        """A new typed message; the same update handled again (its first attempt failed, its answer was not sent)
        is the same turn again, so what that attempt showed does not count as shown a moment ago."""
        if update_id is not None and update_id == self.update_id:
            self.shown = dict(self.before)
            self.soft = self.soft_before
            self.cared = self.cared_before
            return
        self.turn += 1
        self.update_id = update_id
        self.before = dict(self.shown)
        self.soft_before = self.soft
        self.cared_before = self.cared

    def soft_again(self) -> bool:
        """Whether an earlier message within SOFT_WINDOW got the crisis screen's soft tier (the current one not
        counted)."""
        return self.soft_before is not None and self.turn - self.soft_before <= SOFT_WINDOW

    def cared_just_before(self) -> bool:
        """Whether the message just before the current one got the soft tier's care in place of an answer."""
        return self.cared_before is not None and self.turn - self.cared_before == 1

    def note_cared(self, cared: bool) -> None:
        """Whether the current message got the soft tier's care in place of an answer."""
        if cared:
            self.cared = self.turn

    def note_soft(self) -> None:
        """The current message got the soft tier."""
        self.soft = self.turn

    def repeated(self, entry_id: str) -> bool:
        last = self.shown.get(entry_id)
        return last is not None and self.turn - last <= REPEAT_WINDOW
