"""👍 / 👎 on an answer: the vote, the disliked question filed in the admins' inbox, and the optional note."""

from __future__ import annotations

from bot.core.actions import Vote
from bot.core.replies import Choice, Reply
from bot.tools.base import Context, Result, ToolsBase
from bot.tools.forms import Form


class FeedbackTools(ToolsBase):
    """The votes' buttons (`v:`) and the note typed after a 👎 (a `note` form)."""

    async def _vote(self, ctx: Context, action: Vote, form: Form | None) -> Result:
        kb, lang = ctx.kb, ctx.lang
        match action:
            case Vote("+", entry) if kb.entry(entry) is not None:
                await self.storage.vote(ctx.user_id, entry, +1)
                return Result([Reply(kb.text("feedback_thanks", lang))], form, changed=False)
            case Vote("-", entry) if kb.entry(entry) is not None:
                await self.storage.vote(ctx.user_id, entry, -1)
                question = ctx.asked[1] if ctx.asked is not None and ctx.asked[0] == entry else ""
                row = await self.storage.file_disliked(ctx.user_id, question, lang.value, entry)
                skip = Choice(kb.text("feedback_skip_button", lang), Vote("skip").pack())
                return Result([Reply(kb.text("feedback_ask_note", lang), (skip,))], Form("note", {"row": row}))
            case Vote("skip", ""):
                return Result([Reply(kb.text("feedback_skipped", lang))], None, changed=form is not None)
        return Result([Reply(kb.text("menu_expired", lang))], form, changed=False)

    async def _note_typed(self, ctx: Context, text: str, form: Form) -> Result:
        row = form.data.get("row")
        if isinstance(row, int):
            await self.storage.add_note(ctx.user_id, row, text.strip())
        return Result([Reply(ctx.kb.text("feedback_noted", ctx.lang))], None)
