"""What became of the replies and updates being handled: `Undelivered` counts the replies that did not surely reach
their user (for /stats), `Watched` follows each update's attempt (did a handler raise, will it be tried again, which
of its messages earlier attempts delivered)."""

from __future__ import annotations

from collections import OrderedDict, deque

#: How many update ids of replies that could not be sent /stats lists (the newest).
_UNSENT_SHOWN = 10
#: Updates whose delivered messages are remembered between attempts at most (see Watched).
_DELIVERED_REMEMBERED = 1024


class Undelivered:
    """Replies that did not surely reach their user since start-up, by update id only (never their text)."""

    def __init__(self) -> None:
        self.failed = 0  # surely not sent: refused, unreachable, flood wait too long, after the retries
        self.uncertain = 0  # sent, but no answer came: they may have arrived
        self.recent: deque[int] = deque(maxlen=_UNSENT_SHOWN)  # update ids of the newest surely-failed ones

    def not_sent(self, update_id: int | None) -> None:
        self.failed += 1
        if update_id is not None:
            self.recent.append(update_id)

    def unconfirmed(self, update_id: int | None) -> None:
        self.uncertain += 1

    def summary(self) -> str:
        updates = f" (updates {', '.join(map(str, self.recent))})" if self.recent else ""
        return f"replies not sent {self.failed}{updates}, sent without confirmation {self.uncertain}"


class Watched:
    """Updates being handled (bot.telegram.updates, bot.telegram.poller): whether a handler raised, whether the
    update will be tried again after that (then the user is not sent the apology: the next attempt answers them),
    and how many of its messages earlier attempts delivered (the next attempt does not send those again)."""

    def __init__(self) -> None:
        self._retryable: dict[int, bool] = {}
        self._failed: set[int] = set()
        self._pieces: dict[int, int] = {}  # messages this attempt has come to, by update id
        self._delivered: OrderedDict[int, int] = OrderedDict()  # messages delivered by earlier attempts

    def start(self, update_id: int, retryable: bool) -> None:
        self._retryable[update_id] = retryable
        self._pieces[update_id] = 0

    def retryable(self, update_id: int | None) -> bool:
        """Whether `update_id` is being handled and will be tried again if this attempt fails."""
        return update_id is not None and self._retryable.get(update_id, False)

    def next_piece(self, update_id: int | None) -> bool:
        """Count one more message of this attempt at `update_id`; False if an earlier attempt delivered it already."""
        if update_id is None or update_id not in self._pieces:
            return True
        piece = self._pieces[update_id] = self._pieces[update_id] + 1
        return piece > self._delivered.get(update_id, 0)

    def delivered(self, update_id: int | None) -> None:
        """The message just counted by `next_piece` reached the user (or may have: it is not sent again)."""
        if update_id is not None and update_id in self._pieces:
            self._delivered[update_id] = self._pieces[update_id]
            self._delivered.move_to_end(update_id)
            while len(self._delivered) > _DELIVERED_REMEMBERED:
                self._delivered.popitem(last=False)

    def failed(self, update_id: int | None) -> bool:
        """Note that handling `update_id` raised; True if it will be delivered again."""
        if update_id is None or update_id not in self._retryable:
            return False
        self._failed.add(update_id)
        return self._retryable[update_id]

    def finish(self, update_id: int) -> bool:
        """Whether the update was handled without a handler raising."""
        retryable = self._retryable.pop(update_id, False)
        self._pieces.pop(update_id, None)
        if update_id in self._failed:
            self._failed.discard(update_id)
            if not retryable:
                self._delivered.pop(update_id, None)
            return False
        self._delivered.pop(update_id, None)
        return True
