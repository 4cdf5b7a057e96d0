"""What the engine keeps of its recent users in memory only, never stored: the question each one's last answer was
for (so that a 👎 can file it) and their recent turns (`RecentTurns`); past RECENT_USERS the least recent go."""

from __future__ import annotations

from collections import OrderedDict

from bot.engine.recent_turns import RecentTurns

#: How many recently active users are kept in memory (their sessions, questions asked and recent turns).
RECENT_USERS = 4096


class Memory:
    """Per-user memory of the engine, bounded by RECENT_USERS, never written anywhere."""

    def __init__(self) -> None:
        # The question each recent user's last answer was for, so a 👎 can file it; memory only, never stored
        # unless the user presses 👎.
        self._asked: OrderedDict[int, tuple[str, str]] = OrderedDict()
        self._turns: OrderedDict[int, RecentTurns] = OrderedDict()  # see RecentTurns

    def turns(self, user_id: int) -> RecentTurns:
        """The user's recent turns (new ones if none are kept); the user becomes the most recent."""
        recent = self._turns.pop(user_id, None) or RecentTurns()
        self._turns[user_id] = recent
        while len(self._turns) > RECENT_USERS:
            self._turns.popitem(last=False)
        return recent

    def drop_turns(self, user_id: int) -> None:
        """The user's recent turns are let go (they asked to be forgotten)."""
        self._turns.pop(user_id, None)

    def note_asked(self, user_id: int, entry_id: str, text: str) -> None:
        """The topic just shown to the user and the question it answered, for a 👎."""
        self._asked[user_id] = (entry_id, text)
        self._asked.move_to_end(user_id)
        while len(self._asked) > RECENT_USERS:
            self._asked.popitem(last=False)

    def asked(self, user_id: int) -> tuple[str, str] | None:
        """(entry id, question) of the user's last answer, if it is still kept."""
        return self._asked.get(user_id)
