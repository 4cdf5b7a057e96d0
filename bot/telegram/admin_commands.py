"""What the admins' commands answer in Telegram (/reload, /unmatched, /stats); whether the sender is an admin is
the transport's check, and the reports themselves are bot.admin's."""

from __future__ import annotations

from collections.abc import Callable

from bot.admin import Admin
from bot.config import MatcherConfig
from bot.core.i18n import Lang
from bot.core.replies import Reply
from bot.engine import Engine
from bot.errors import KnowledgeError

#: Admin commands: answered only for `telegram.admin_ids`, never advertised.
ADMIN_COMMANDS = ("reload", "unmatched", "stats")
#: Problems listed in a refused /reload's answer; the rest are counted (`advisor kb validate` lists them all).
RELOAD_PROBLEMS_SHOWN = 10


async def admin_reply(
    command: str, engine: Engine, admin: Admin, matcher: MatcherConfig, lang: Lang, transport: Callable[[], str]
) -> Reply:
    """The answer to one of ADMIN_COMMANDS; /stats ends with the transport's own figures (`transport`)."""
    if command == "reload":
        try:
            fresh = await engine.reload(matcher)
        except KnowledgeError as error:
            text = f"Reload refused; the bot keeps version {engine.knowledge.kb.version}.\n{_report(error)}"
        else:
            text = f"Knowledge reloaded: version {fresh.kb.version}, {len(fresh.kb.entries)} entries."
        return Reply(text)
    k = engine.knowledge
    if command == "unmatched":
        return await admin.unmatched(k.kb, lang, k.matcher.normalize)
    reply = await admin.stats(k.kb, lang, k.kb.version)
    return Reply(f"{reply.text}\n\n{transport()}")


def _report(error: KnowledgeError) -> str:
    """The first problems of a refused reload, one per line, and how many more `advisor kb validate` would list."""
    lines = [str(problem)[:300] for problem in error.problems[:RELOAD_PROBLEMS_SHOWN]]
    hidden = len(error.problems) - len(lines)
    if hidden > 0:
        lines.append(f"… and {hidden} more; `advisor kb validate` lists them all.")
    return "\n".join(lines)
