"""Delivering reminders: which are due, moving one on before it is sent, and what the user reads when it fires.
The Telegram transport calls these from its JobQueue."""

from __future__ import annotations

from datetime import datetime

from bot.core import reminders
from bot.core.actions import Reminder
from bot.core.i18n import Lang
from bot.core.knowledge import KnowledgeBase
from bot.core.replies import Choice, Reply
from bot.storage import StoredReminder
from bot.tools.base import ToolsBase


class DeliveryTools(ToolsBase):
    """What the transport's reminder job asks of the tools."""

    async def due(self, now: float) -> list[StoredReminder]:
        return await self.storage.due_reminders(now)

    async def claim(self, reminder: StoredReminder, now: float) -> bool:
        """Move a due reminder on to its next firing before it is sent (at most once per firing)."""
        rule = reminder.rule  # None: unreadable, dropped now
        tz = await self._tz(reminder.user_id)
        following = reminders.next_fire(rule, max(now, reminder.next_at), tz) if rule is not None else None
        return await self.storage.claim_reminder(reminder, following)

    async def message(self, reminder: StoredReminder, now: float, kb: KnowledgeBase) -> Reply:
        """What the user reads when `reminder` fires at `now` (saying so when it comes late), in their language."""
        rule = reminder.rule
        tz_name, lang_name = await self.storage.prefs(reminder.user_id)
        session = await self.storage.load_session(reminder.user_id)
        lang_name = session.lang if session is not None and session.lang else lang_name  # /language wins
        tz = tz_name or reminders.DEFAULT_TZ
        lang = Lang(lang_name) if lang_name in {lang.value for lang in Lang} else Lang.ZH_HANS
        day = datetime.fromtimestamp(reminder.next_at, reminders.zone(tz))
        key = "reminder_fire_credit" if rule is not None and rule.kind is reminders.Kind.CREDIT else "reminder_fire_due"
        text = kb.text(key, lang, date=day.strftime("%Y-%m-%d"))
        if reminders.is_late(reminder.next_at, now):
            text += "\n\n" + kb.text("reminder_late", lang, when=day.strftime("%Y-%m-%d %H:%M"))
        return Reply(text, (Choice(kb.text("reminder_list_button", lang), Reminder("list").pack()),))
