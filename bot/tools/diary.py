"""/log and /export: recording contacts with Alipay in the negotiation diary, listing and deleting them, and the
diary with the agreement terms as a PDF."""

from __future__ import annotations

import asyncio

from bot import export
from bot.core import diary, reminders
from bot.core.actions import Diary
from bot.core.flow import AGREED
from bot.core.i18n import Lang
from bot.core.replies import Attachment, Choice, Reply
from bot.core.understand import writes_traditional
from bot.tools.base import Context, Result, ToolsBase
from bot.tools.forms import Form


class DiaryTools(ToolsBase):
    """The diary's buttons (`d:`), the contact being recorded (a `diary` form) and the export."""

    async def _diary_start(self, ctx: Context) -> Result:
        form = Form("diary", diary.Draft().to_dict())
        return Result([self._diary_prompt(ctx, diary.Draft(), with_list=True)], form)

    async def _diary_press(self, ctx: Context, action: Diary, form: Form | None) -> Result:
        kb, lang = ctx.kb, ctx.lang
        match action:
            case Diary("new", ""):
                return await self._diary_start(ctx)
            case Diary("list", ""):
                return Result([await self._diary_list(ctx)], form, changed=False)
            case Diary("export", ""):
                return Result([await self._export(ctx)], form, changed=False)
            case Diary("x", number) if number.isdigit():
                deleted = await self.storage.delete_contact(ctx.user_id, int(number))
                said = Reply(kb.text("diary_deleted" if deleted else "diary_gone", lang))
                return Result([said, await self._diary_list(ctx)], form, changed=False)
            case Diary("stop", ""):
                return Result([Reply(kb.text("diary_stopped", lang))], None, changed=form is not None)
            case Diary("day", ago) if ago in ("0", "1") and _is_diary(form):
                return await self._diary_move(ctx, form, diary.PickDay(int(ago)))
            case Diary("ch", channel) if _is_diary(form):
                return await self._diary_move(ctx, form, diary.PickChannel(channel))
            case Diary("skip", "") if _is_diary(form):
                return await self._diary_move(ctx, form, diary.Skip())
        return Result([Reply(kb.text("menu_expired", lang)), await self._diary_list(ctx)], form, changed=False)

    @staticmethod
    def _diary_typed(ctx: Context, form: Form, text: str) -> diary.Move:
        """Typed text as the diary's move: at the channel question, a channel named in words picks it."""
        draft = diary.Draft.from_dict(form.data)
        if draft is None or draft.at is not diary.Field.CHANNEL:
            return diary.Typed(text)
        # a text in Traditional may be a Traditional button's label, worded otherwise ("App 線上客服")
        langs = tuple(Lang) if writes_traditional(text) else (Lang.ZH_HANS, Lang.EN)
        names = {
            channel: [word for key in (f"diary_channel_{channel}", f"diary_channel_{channel}_also")
                      for lang in langs for word in ctx.kb.words(key, lang)]
            for channel in diary.CHANNELS
        }  # fmt: skip
        channel = diary.read_channel(text, names)
        return diary.PickChannel(channel) if channel is not None else diary.Typed(text)

    async def _diary_move(self, ctx: Context, form: Form | None, move: diary.Move) -> Result:
        assert form is not None
        draft = diary.Draft.from_dict(form.data) or diary.Draft()
        tz = await self._tz(ctx.user_id)
        outcome = diary.step(draft, move, reminders.local_date(self.clock(), tz))
        kb, lang = ctx.kb, ctx.lang
        if outcome.problem is not None:
            problem = kb.text(f"diary_{outcome.problem.value}", lang, max=str(diary.limit(draft)))
            return Result([Reply(problem), self._diary_prompt(ctx, draft)], form, changed=False)
        contact = outcome.contact
        if contact is None:
            return Result([self._diary_prompt(ctx, outcome.draft)], Form("diary", outcome.draft.to_dict()))
        stored = await self.storage.add_contact(ctx.user_id, contact.day.isoformat(), contact.channel, contact.who,
                                                contact.said, limit=diary.MAX_ENTRIES)  # fmt: skip
        if not stored:
            return Result([Reply(kb.text("diary_full", lang, max=str(diary.MAX_ENTRIES)))], None)
        return Result([Reply(kb.text("diary_saved", lang)), await self._diary_list(ctx)], None)

    def _diary_prompt(self, ctx: Context, draft: diary.Draft, *, with_list: bool = False) -> Reply:
        kb, lang = ctx.kb, ctx.lang
        stop = Choice(kb.text("diary_stop_button", lang), Diary("stop").pack())
        choices: list[Choice] = []
        if draft.at is diary.Field.DAY:
            choices = [
                Choice(kb.text("diary_today", lang), Diary("day", "0").pack()),
                Choice(kb.text("diary_yesterday", lang), Diary("day", "1").pack()),
            ]
        elif draft.at is diary.Field.CHANNEL:
            choices = [Choice(kb.text(f"diary_channel_{c}", lang), Diary("ch", c).pack()) for c in diary.CHANNELS]
        elif draft.at is diary.Field.WHO:
            choices = [Choice(kb.text("diary_skip", lang), Diary("skip").pack())]
        choices.append(stop)
        if with_list:
            choices.append(Choice(kb.text("diary_list_button", lang), Diary("list").pack()))
        return Reply(kb.text(f"diary_ask_{draft.at.value}", lang), tuple(choices))

    async def _diary_list(self, ctx: Context) -> Reply:
        kb, lang = ctx.kb, ctx.lang
        rows = await self.storage.diary(ctx.user_id)
        lines: list[str] = []
        terms = ctx.walk.terms if ctx.walk is not None else None
        if terms:
            lines.append(kb.text("diary_terms_line", lang, terms=terms))
        choices: list[Choice] = []
        for number, row in enumerate(rows, 1):
            channel = kb.text(f"diary_channel_{row.channel}", lang) if row.channel in diary.CHANNELS else row.channel
            who = f" · {row.who}" if row.who else ""
            lines.append(f"{number}. {row.day} · {channel}{who}\n    {row.said}")
            choices.append(Choice(kb.text("diary_delete_button", lang, n=str(number)), Diary("x", str(row.id)).pack()))
        choices += [
            Choice(kb.text("diary_new_button", lang), Diary("new").pack()),
            Choice(kb.text("diary_export_button", lang), Diary("export").pack()),
        ]
        if not rows and not terms:
            return Reply(kb.text("diary_empty", lang), tuple(choices))
        return Reply(kb.text("diary_list", lang, entries="\n".join(lines), count=str(len(rows))), tuple(choices))

    async def _export(self, ctx: Context) -> Reply:
        kb, lang = ctx.kb, ctx.lang
        tz = await self._tz(ctx.user_id)
        today = reminders.local_date(self.clock(), tz)
        walk = ctx.walk
        record = export.Record(
            lang=lang,
            today=today,
            terms=walk.terms if walk is not None else None,
            agreement=walk.result == AGREED if walk is not None and walk.result is not None else None,
            facts=ctx.facts,
            diary=await self.storage.diary(ctx.user_id),
            channels={c: kb.text(f"diary_channel_{c}", lang) for c in diary.CHANNELS},
            plan=ctx.plan.text if ctx.plan is not None else None,
            chart=ctx.plan.chart if ctx.plan is not None else None,
        )
        data = await asyncio.to_thread(export.render_pdf, record, kb)
        attachment = Attachment(export.filename(today), data, export.MIME, note=kb.text("export_sent_note", lang))
        return Reply(export.message(record, kb), attachment=attachment)


def _is_diary(form: Form | None) -> bool:
    return form is not None and form.kind == "diary"
