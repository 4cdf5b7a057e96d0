"""How the bot behaves in group chats: it speaks only when spoken to, sends what is personal on to a private chat
(a deep link into the walkthrough), and leaves a button to the user whose message its answer is for."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType

from bot.core.i18n import lang_from_telegram
from bot.core.knowledge import KnowledgeBase
from bot.core.replies import Reply
from bot.engine import START_GUIDE


def in_group(update: Update) -> bool:
    """Whether the update comes from a group (others read along)."""
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def addressed_to(message: Message, username: str) -> bool:
    """Whether a group message speaks to the bot called `username`: it names it, or answers one of its messages."""
    text = message.text or message.caption or ""
    if username and f"@{username}".lower() in text.lower():
        return True
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.username == username


def asker(message: object) -> tuple[int, int] | None:
    """(user id, message id) of the message a bot message answers, in a group; None if it answers nobody."""
    if not isinstance(message, Message):
        return None
    asked = message.reply_to_message
    if asked is None or asked.from_user is None:
        return None
    return asked.from_user.id, asked.message_id


def group_hint(kb: KnowledgeBase, code: str | None) -> Reply:
    """After an answer in a group: the bot works in private."""
    return Reply(kb.text("group_hint", lang_from_telegram(code)))


def go_private(kb: KnowledgeBase, username: str, code: str | None) -> Reply:
    """In a group: this is personal, go on in private (a deep link that opens the walkthrough there)."""
    link = f"https://t.me/{username}?start={START_GUIDE}"
    return Reply(kb.text("group_private", lang_from_telegram(code), link=link))
