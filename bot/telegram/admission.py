"""Which updates are let in past their sender's message budget (bot.flood), asked before an update is parsed;
a text about ending one's life always is, as far as a second budget allows. A button press left out gets its spinner
stopped here; the note to slow down is the transport's to send."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress

from telegram import Bot
from telegram.error import TelegramError

from bot.config import FloodConfig
from bot.core.normalize import valid_unicode
from bot.core.safety import Concern
from bot.engine import Engine
from bot.flood import Budget, Verdict
from bot.locks import KeyedLocks

#: Updates over their sender's budget remembered between reading and handling at most (see Admission.screen).
_OVER_REMEMBERED = 10_000
#: Update ids let in remembered at most, so one delivered again (a webhook POST retried) is not charged twice.
_ADMITTED_REMEMBERED = 10_000
#: A user's dropped button presses waiting to be answered at most (see Admission.answer_dropped).
_DROPPED_ANSWERS_WAITING = 20


class Admission:
    """The senders' budgets, and the updates read past them waiting for their handler to refuse them."""

    def __init__(self, flood: FloodConfig, engine: Callable[[], Engine | None]) -> None:
        self.budget = Budget(flood.burst, flood.per_second)
        self._listening = Budget(flood.burst, flood.per_second)  # see screen
        self._engine = engine  # None until the Application has started (post_init)
        self._over: dict[int, Verdict] = {}  # read updates over their sender's budget, by update id (see screen)
        self._admitted: OrderedDict[int, None] = OrderedDict()  # update ids let in within the budget (see screen)
        self._answering: dict[int, int] = {}  # dropped presses being answered or waiting to be, by user
        self._answer_turns = KeyedLocks()  # one answer to a dropped press per user at a time (answer_dropped)

    def screen(self, update_id: int, user_id: int, press: bool, text: str) -> bool:
        """The sender's message budget (bot.flood), asked by `UpdateReader` before an update is parsed: False drops
        it unread. The first update past the budget (its slow-down note) and a button press (its spinner) are read
        all the same, for the transport to answer (`over`). An update let in before and delivered again (Telegram
        retries a webhook POST whose handling failed) is let in again without being charged: charged twice, a
        redelivery could find its sender over the budget and be dropped unhandled.

        A message about ending one's life is answered whatever the budget says: someone in crisis may well type
        many short lines fast. So a text past the budget still passes the crisis screen, as long as a second
        budget as large allows (a flood of thousands is not screened one by one: that would cost what dropping
        unread saves).
        """
        if update_id in self._admitted:
            return True
        verdict = self.budget.take(user_id)
        if verdict is Verdict.ALLOW:
            return self._admit(update_id)
        if text and not press and self._in_crisis(user_id, text):
            self.budget.spare()
            return self._admit(update_id)
        if verdict is Verdict.DROP and not press:
            return False
        self._over[update_id] = verdict
        if len(self._over) > _OVER_REMEMBERED:  # read but never handled (no handler took it): not kept for ever
            del self._over[next(iter(self._over))]
        return True

    def _admit(self, update_id: int) -> bool:
        """Remember an update let in (the latest `_ADMITTED_REMEMBERED`); True."""
        self._admitted[update_id] = None
        if len(self._admitted) > _ADMITTED_REMEMBERED:
            self._admitted.popitem(last=False)
        return True

    def _in_crisis(self, user_id: int, text: str) -> bool:
        """Whether a message past its sender's budget is about ending one's life (while `_listening` allows)."""
        engine = self._engine()
        if engine is None or self._listening.take(user_id) is not Verdict.ALLOW:
            return False
        return engine.knowledge.advisor.screen(valid_unicode(text)).concern is Concern.CRISIS

    def over(self, update_id: int) -> Verdict | None:
        """The verdict on an update `screen` let in past its sender's budget (once); None for one within it."""
        return self._over.pop(update_id, None)

    async def answer_dropped(self, bot: Bot, user_id: int, query_id: str) -> None:
        """Stop the spinner of a button press dropped by the budget: answered quietly, the press is not acted on.

        A user's dropped presses are answered one after another, at most `_DROPPED_ANSWERS_WAITING` waiting; a press
        dropped past that (a flood of presses no thumb makes) is left to time out. So a forged flood of presses holds
        at most one place in the outgoing rate limiter, not thousands ahead of everyone else's replies.
        """
        waiting = self._answering.get(user_id, 0)
        if waiting >= _DROPPED_ANSWERS_WAITING:
            return
        self._answering[user_id] = waiting + 1
        try:
            async with self._answer_turns.hold(user_id):
                with suppress(TelegramError):  # too old, or the API unreachable: the spinner stops by itself
                    await bot.answer_callback_query(query_id)
        finally:
            self._answering[user_id] -= 1
            if not self._answering[user_id]:
                del self._answering[user_id]
