"""The bot's one retry policy for Bot API calls: which failures are tried again, and after how long.

Every call goes through `bot.telegram.request.AiohttpRequest`, which asks this policy after each attempt; nothing
else in the bot retries a call (PTB's rate limiter is built with ``max_retries=0``). The rules:

* 429 "Too Many Requests" is waited out for the ``retry_after`` Telegram asks for, then tried again; a wait longer
  than ``max_wait`` is not waited (the caller gets PTB's `RetryAfter`);
* a 5xx answer, and a request that never left (connection refused, no route, the pool or connect timed out, the body
  could not be written in time) are tried again after a pause that doubles each time;
* a request that was written but got no answer (timed out waiting, connection dropped) may have been carried out:
  it is tried again only for methods whose repetition shows the user nothing twice (reads, edits, settings), never
  for a send — a message that may have arrived is not sent again;
* every other answer (2xx, 4xx) is the caller's.

At most ``attempts`` tries in all, whatever the mix of failures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Final

#: Methods that may be repeated after an unanswered attempt: repeating them changes nothing a user sees twice
#: (a second edit is "not modified", a second callback answer is refused as too old).
_REPEATABLE_PREFIXES: Final = ("get", "set", "delete", "edit")
_REPEATABLE: Final = frozenset({"answercallbackquery", "sendchataction"})


class Failure(Enum):
    """How an attempt that got no HTTP answer failed."""

    NOT_SENT = "not sent"  # the request never reached the server whole: safe to try again
    UNANSWERED = "unanswered"  # written, then no answer: the server may have carried it out


def repeatable(method: str) -> bool:
    """Whether `method` (a Bot API method name, any case) may be sent again when its first answer was lost."""
    name = method.lower()
    return name.startswith(_REPEATABLE_PREFIXES) or name in _REPEATABLE


@dataclass(frozen=True)
class RetryPolicy:
    """When to try a Bot API call again; `None` from a method means: stop, the last outcome is final."""

    attempts: int = 4  # tries in all, the first included
    max_wait: float = 30.0  # the longest flood wait ("retry after") waited out, in seconds
    backoff: float = 0.5  # pause after the first 5xx or unsent attempt, doubled after each next one

    def after_answer(self, method: str, attempt: int, status: int, body: bytes) -> float | None:
        """Seconds to wait before attempt ``attempt + 1`` after an HTTP answer, or None to return the answer."""
        if attempt >= self.attempts:
            return None
        if status == 429:
            wait = retry_after(body)
            return wait if wait is not None and wait <= self.max_wait else None
        if status >= 500:
            return self._pause(attempt)
        return None

    def after_failure(self, method: str, attempt: int, failure: Failure) -> float | None:
        """Seconds to wait before attempt ``attempt + 1`` after no answer came, or None to give up."""
        if attempt >= self.attempts:
            return None
        if failure is Failure.UNANSWERED and not repeatable(method):
            return None
        return self._pause(attempt)

    def _pause(self, attempt: int) -> float:
        return float(self.backoff * 2 ** (attempt - 1))


def retry_after(body: bytes) -> float | None:
    """The ``parameters.retry_after`` of a Bot API error answer, in seconds; None when it has none."""
    try:
        parameters = json.loads(body).get("parameters") or {}
        wait = parameters.get("retry_after")
    except (ValueError, AttributeError):
        return None
    if isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0:
        return None
    return float(wait)
