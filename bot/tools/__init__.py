"""The advisor's tools beyond questions and the walkthrough: reminders (/reminders), the negotiation diary (/log)
and its export (/export), and 👍 / 👎 on answers, for any transport.

The engine hands this module the events that belong to a tool — its commands, its buttons (`r:`), and text typed
while a tool waits for it (a `Form`) — and gets back replies and the form to keep. Arithmetic and parsing live in
the pure core (`bot.core.reminders`); this module reads and writes storage and picks texts from the knowledge.

Button actions (typed in bot/core/actions.py as Reminder, Diary and Vote; written here as their tokens):

    r:list                 the user's reminders, each with a cancel button
    r:add                  type instalment due days (a day of the month, or dates)
    r:from:<date>          every month on that day, from that date on (the start the agreed terms give)
    r:credit | r:credit:N  choose (or type) / set the "check your credit record" nudge every N months
    r:x:<id>               cancel one reminder
    r:tz | r:tz:<zone> | r:tzt   time-zone menu / choose one / type one
    r:stop                 stop waiting for typed input
    d:new | d:list         record a contact / the diary, each entry with a delete button
    d:day:0 | d:day:1      the contact was today / yesterday
    d:ch:<channel>         the channel of the contact
    d:skip                 leave "who" empty
    d:x:<id>               delete one entry
    d:export               the diary and agreement terms as a PDF
    d:stop                 stop recording
    v:+:<entry> | v:-:<entry>   👍 / 👎 on an entry's answer; a 👎 files the question in the admins' inbox and asks,
                           optionally, what the user was looking for
    v:skip                 no note

The jobs, each in a module (`Tools` puts them together and routes each event to its job):

    forms.py       the typed input a tool waits for (`Form`) and its saved shapes (`SavedForm`)
    base.py        `Context`, `Result` and the storage and clock every job shares
    reminders.py   /reminders and the time zone
    diary.py       /log, the negotiation diary, and /export
    feedback.py    👍 / 👎 and the note after a 👎
    delivery.py    due reminders, claimed and worded for the transport
"""

from __future__ import annotations

from bot.core.actions import Diary, Reminder, Vote
from bot.tools.base import Context, Result
from bot.tools.delivery import DeliveryTools
from bot.tools.diary import DiaryTools
from bot.tools.feedback import FeedbackTools
from bot.tools.forms import Form, SavedForm
from bot.tools.reminders import ReminderTools, describe

__all__ = ["COMMANDS", "Context", "Form", "Result", "SavedForm", "Tools", "describe"]

#: Commands handled here (besides the engine's own).
COMMANDS = ("reminders", "log", "export")


class Tools(ReminderTools, DiaryTools, FeedbackTools, DeliveryTools):
    """The tools over one storage; each call gets the `Context` of the event being handled."""

    async def command(self, ctx: Context, command: str) -> Result:
        if command == "log":
            return await self._diary_start(ctx)
        if command == "export":
            return Result([await self._export(ctx)], changed=False)
        return Result([await self._list(ctx.user_id, ctx.kb, ctx.lang)])

    async def press(self, ctx: Context, action: Diary | Vote | Reminder, form: Form | None) -> Result:
        if isinstance(action, Diary):
            return await self._diary_press(ctx, action, form)
        if isinstance(action, Vote):
            return await self._vote(ctx, action, form)
        return await self._reminder_press(ctx, action, form)

    async def cancel(self, ctx: Context, form: Form) -> Result | None:
        """/cancel while `form` waits: the form's own stop (its button's reply); None for the optional note after a
        👎, which is no form the user chose to fill in."""
        if form.kind == "diary":
            return await self._diary_press(ctx, Diary("stop"), form)
        if form.kind == "note":
            return None
        return await self._reminder_press(ctx, Reminder("stop"), form)

    async def typed(self, ctx: Context, text: str, form: Form) -> Result:
        """Text typed while `form` waits for it."""
        if form.kind == "diary":
            return await self._diary_move(ctx, form, self._diary_typed(ctx, form, text))
        if form.kind == "note":
            return await self._note_typed(ctx, text, form)
        return await self._reminder_typed(ctx, text, form)
