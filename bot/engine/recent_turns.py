"""What the engine remembers of a user's last few messages, in memory only: the crisis reply and answers just shown."""

from __future__ import annotations

from dataclasses import dataclass, field

#: For this many messages after the crisis reply, the advisor answers as one who remembers it (bot.core.advisor).
CRISIS_MEMORY = 4
#: An answer typed for again within this many messages is pointed back to, not repeated.
REPEAT_WINDOW = 4


@dataclass
class RecentTurns:
    """What the engine remembers of a user's last few typed messages, in memory only (never stored): when the
    crisis reply was given, and which answers were shown when."""

    turn: int = 0
    crisis_turn: int | None = None
    shown: dict[str, int] = field(default_factory=dict)  # knowledge version:entry id → turn it was last given

    def after_crisis(self) -> bool:
        return self.crisis_turn is not None and self.turn - self.crisis_turn <= CRISIS_MEMORY

    def repeated(self, entry_id: str) -> bool:
        last = self.shown.get(entry_id)
        return last is not None and self.turn - last <= REPEAT_WINDOW
