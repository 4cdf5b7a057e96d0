"""What admins read: the inbox of questions nobody answered and answers users turned down, and /stats.

Transport-neutral like the engine: storage and knowledge in, replies out. Only the transport knows who is an admin
(`telegram.admin_ids`) and calls this module for them alone; everyone else gets the same reply as for any unknown
command. Button actions (admins only):

    i:ok:<group> | i:no:<group>    mark a group of alike questions resolved / ignored
    i:csv                          the inbox as a CSV file, for editing the knowledge YAML
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from bot.core import actions, inbox
from bot.core.flow import SCREENS, Step
from bot.core.i18n import Lang
from bot.core.knowledge import KnowledgeBase
from bot.core.replies import Attachment, Choice, Reply
from bot.errors import ActionError
from bot.storage import Storage

#: Groups shown in one /unmatched message (the CSV has all of them).
SHOWN_GROUPS = 12
#: The longest question wording shown in a line of the report.
_SHOWN_CHARS = 80

Normalize = Callable[[str], str]


class Admin:
    def __init__(self, storage: Storage, clock: Callable[[], float] = time.time) -> None:
        self.storage = storage
        self.clock = clock

    async def groups(self, normalize: Normalize, since_days: int | None = None) -> list[inbox.Group]:
        return inbox.group(await self.storage.inbox_rows(since_days=since_days), normalize)

    async def unmatched(self, kb: KnowledgeBase, lang: Lang, normalize: Normalize) -> Reply:
        """The inbox: alike questions grouped, most asked first, each with resolve / ignore buttons."""
        groups = await self.groups(normalize)
        if not groups:
            return Reply(kb.text("admin_inbox_empty", lang))
        lines: list[str] = []
        choices: list[Choice] = []
        for number, group in enumerate(groups[:SHOWN_GROUPS], 1):
            question = group.question or kb.text("admin_inbox_no_question", lang)
            lines.append(
                kb.text(
                    "admin_inbox_line",
                    lang,
                    n=str(number),
                    times=str(group.count),
                    users=str(len(group.users)),
                    disliked=str(group.disliked),
                    question=question[:_SHOWN_CHARS],
                    wordings=str(len(group.questions)),
                    entry=group.entry or "-",
                    notes=" | ".join(group.notes[: inbox.NOTES_SHOWN]) or "-",
                )
            )
            resolve, ignore = actions.Inbox("ok", group.key), actions.Inbox("no", group.key)
            choices.append(Choice(kb.text("admin_resolve_button", lang, n=str(number)), resolve.pack()))
            choices.append(Choice(kb.text("admin_ignore_button", lang, n=str(number)), ignore.pack()))
        choices.append(Choice(kb.text("admin_csv_button", lang), actions.Inbox("csv").pack()))
        text = kb.text("admin_inbox", lang, groups="\n".join(lines), total=str(len(groups)))
        return Reply(text, tuple(choices))

    async def press(self, token: str, kb: KnowledgeBase, lang: Lang, normalize: Normalize) -> list[Reply]:
        try:
            action = actions.unpack(token)
        except ActionError:
            action = None
        match action:
            case actions.Inbox("csv", ""):
                groups = await self.groups(normalize)
                data = inbox.to_csv(groups).encode("utf-8-sig")  # with a BOM, so spreadsheet apps read it as UTF-8
                name = f"unmatched-{date.fromtimestamp(self.clock()).isoformat()}.csv"
                sent = Reply(kb.text("admin_csv_sent", lang, groups=str(len(groups))))
                return [Reply(sent.text, attachment=Attachment(name, data, "text/csv"))]
            case actions.Inbox(("ok" | "no") as verdict, key):
                group = next((g for g in await self.groups(normalize) if g.key == key), None)
                if group is None:
                    return [Reply(kb.text("admin_group_gone", lang)), await self.unmatched(kb, lang, normalize)]
                mark = inbox.Mark.RESOLVED if verdict == "ok" else inbox.Mark.IGNORED
                await self.storage.mark_inbox(sorted(group.members), mark.value)
                said = kb.text(f"admin_marked_{mark.value}", lang, question=group.question[:_SHOWN_CHARS])
                return [Reply(said), await self.unmatched(kb, lang, normalize)]
        return [Reply(kb.text("menu_expired", lang)), await self.unmatched(kb, lang, normalize)]

    async def stats(self, kb: KnowledgeBase, lang: Lang, version: str) -> Reply:
        """Users, the walkthrough funnel, answered / clarified / fallback shares (24 h, 7 days), 👍/👎 per entry."""
        counts = await self.storage.stats()
        head = kb.text("admin_stats_head", lang, users=str(counts.users), active=str(counts.active_walkthroughs),
                       unanswered=str(counts.unmatched), version=version)  # fmt: skip
        lines = [head, "", kb.text("admin_funnel_title", lang)]
        furthest = await self.storage.furthest_steps(tuple(screen.step.value for screen in SCREENS))
        reached = await self.storage.reached_counts()
        for screen in SCREENS:
            step = screen.step.value
            if step in reached:
                stopped = "-" if screen.step is Step.DONE else str(furthest.get(step, 0))
                lines.append(kb.text("admin_funnel_line", lang, step=step, reached=str(reached[step]), stopped=stopped))
        if not reached:
            lines.append(kb.text("admin_none", lang))
        lines.append("")
        now = self.clock()
        for key, hours in (("admin_period_day", 24), ("admin_period_week", 24 * 7)):
            shares = await self.storage.outcome_counts(since=now - hours * 3600)
            total = sum(shares.values())

            def share(status: str, shares: dict[str, int] = shares, total: int = total) -> str:
                return f"{100 * shares.get(status, 0) / total:.0f}%" if total else "-"

            shown = {status: share(status) for status in ("answered", "clarified", "fallback")}
            lines.append(kb.text("admin_shares", lang, period=kb.text(key, lang), total=str(total), **shown))
        lines += ["", kb.text("admin_votes_title", lang)]
        votes = await self.storage.vote_counts()
        for entry, (up, down) in sorted(votes.items(), key=lambda item: (-(item[1][0] + item[1][1]), item[0])):
            lines.append(kb.text("admin_votes_line", lang, entry=entry, up=str(up), down=str(down)))
        if not votes:
            lines.append(kb.text("admin_none", lang))
        return Reply("\n".join(lines))
