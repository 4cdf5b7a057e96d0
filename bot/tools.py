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
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from bot import export, schema
from bot.core import diary, reminders
from bot.core.actions import Diary, Reminder, Vote
from bot.core.flow import AGREED
from bot.core.i18n import Lang
from bot.core.knowledge import KnowledgeBase
from bot.core.progress import Progress
from bot.core.reminders import Rule
from bot.core.replies import Attachment, Choice, Reply
from bot.storage import Storage, StoredReminder

logger = logging.getLogger(__name__)

#: Commands handled here (besides the engine's own).
COMMANDS = ("reminders", "log", "export")


@dataclass(frozen=True)
class Form:
    """Typed input a tool waits for: `kind` names it; `data` holds what was gathered so far (JSON-able)."""

    kind: str
    data: Mapping[str, Any]

    @property
    def takes_numbers(self) -> bool:
        """Whether a typed number is an answer here (a due day), so the terminal picks buttons with #N instead."""
        return self.kind in ("due", "credit")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.data}

    @classmethod
    def from_dict(cls, value: object) -> Form | None:
        """Read a saved form (None: there is none); one without a saved shape raises StateError saying where."""
        if value is None:
            return None
        saved: dict[str, Any] = msgspec.to_builtins(schema.saved(value, SavedForm, "saved form"))
        kind = saved.pop("kind")
        return cls(kind, saved)


class DueForm(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag="due"):
    """/reminders waits for the day of the month an instalment is due."""


class CreditForm(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag="credit"):
    """/reminders waits for how often to check the credit record ("每三个月", "每季度"), or its buttons."""


class TzForm(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag="tz"):
    """/reminders waits for a time zone's name."""


class NoteForm(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag="note"):
    """A 👎 waits for what the user was looking for; `row` is their vote's row in the inbox."""

    row: int


#: A channel of diary.CHANNELS.
DiaryChannel = Annotated[str, msgspec.Meta(pattern=f"^({'|'.join(diary.CHANNELS)})$")]


class DiaryForm(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind", tag="diary"):
    """/log is recording a contact: `diary.Draft` in its saved shape."""

    at: diary.Field = diary.Field.DAY
    day: date | None = None
    channel: DiaryChannel | None = None
    who: Annotated[str, msgspec.Meta(max_length=diary.MAX_WHO)] | None = None


#: Every form a saved state may hold, told apart by `kind`.
SavedForm = DueForm | CreditForm | TzForm | NoteForm | DiaryForm


@dataclass(frozen=True)
class Context:
    """Who an event is from and what the engine knows of them: the tools' view of one event."""

    user_id: int
    kb: KnowledgeBase
    lang: Lang
    walk: Progress | None = None  # the walkthrough progress, for the agreement terms
    asked: tuple[str, str] | None = None  # (entry id, question) of the user's last answer, kept in memory only
    plan: Reply | None = None  # the user's latest /plan result (text and chart), when exporting
    facts: tuple[str, ...] = ()  # the situation the walkthrough recorded, worded, when exporting


@dataclass(frozen=True)
class Result:
    """What a tool decided: replies, the form to keep (None: none pending), and whether the form changed."""

    replies: list[Reply]
    form: Form | None = None
    changed: bool = True  # the form differs from before (the engine saves the session)


class Tools:
    """The tools over one storage; each call gets the `Context` of the event being handled."""

    def __init__(self, storage: Storage, clock: Callable[[], float]) -> None:
        self.storage = storage
        self.clock = clock

    # -- dispatch ----------------------------------------------------------------------------------------------

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

    async def typed(self, ctx: Context, text: str, form: Form) -> Result:
        """Text typed while `form` waits for it."""
        if form.kind == "diary":
            return await self._diary_move(ctx, form, self._diary_typed(ctx, form, text))
        if form.kind == "note":
            row = form.data.get("row")
            if isinstance(row, int):
                await self.storage.add_note(ctx.user_id, row, text.strip())
            return Result([Reply(ctx.kb.text("feedback_noted", ctx.lang))], None)
        return await self._reminder_typed(ctx, text, form)

    # -- reminders -----------------------------------------------------------------------------------------------

    async def _reminder_press(self, ctx: Context, action: Reminder, form: Form | None) -> Result:
        user_id, kb, lang = ctx.user_id, ctx.kb, ctx.lang
        match action:
            case Reminder("list", ""):
                return Result([await self._list(user_id, kb, lang)])
            case Reminder("add", ""):
                return Result([await self._due_prompt(ctx)], Form("due", {}))
            case Reminder("from", day) if (start := _iso_date(day)) is not None:
                return await self._add(user_id, [Rule.monthly(start.day, start)], kb, lang)
            case Reminder("credit", ""):
                return Result([self._credit_prompt(kb, lang, "reminder_credit_prompt")], Form("credit", {}))
            case Reminder("credit", months) if months.isdigit() and int(months) in reminders.CREDIT_PERIODS:
                return await self._add_credit(user_id, int(months), kb, lang, form)
            case Reminder("x", number) if number.isdigit():
                cancelled = await self.storage.cancel_reminder(user_id, int(number))
                key = "reminder_cancelled" if cancelled else "reminder_gone"
                return Result([Reply(kb.text(key, lang)), await self._list(user_id, kb, lang)], form, changed=False)
            case Reminder("tz" | "tzt", _):
                return await self._tz_press(user_id, action, form, kb, lang)
            case Reminder("stop", ""):
                return Result([Reply(kb.text("reminder_stopped", lang))], None, changed=form is not None)
        return await self._expired(user_id, form, kb, lang)

    async def _tz_press(
        self, user_id: int, action: Reminder, form: Form | None, kb: KnowledgeBase, lang: Lang
    ) -> Result:
        match action:
            case Reminder("tz", ""):
                choices = [Choice(name, Reminder("tz", name).pack()) for name in reminders.COMMON_ZONES]
                choices.append(Choice(kb.text("reminder_tz_other", lang), Reminder("tzt").pack()))
                tz = await self._tz(user_id)
                return Result([Reply(kb.text("reminder_tz_prompt", lang, tz=tz), tuple(choices))], form, changed=False)
            case Reminder("tz", name) if (chosen := reminders.known_zone(name)) is not None:
                return await self._set_tz(user_id, chosen, kb, lang)
            case Reminder("tzt", ""):
                return Result([Reply(kb.text("reminder_tz_type", lang), (self._stop(kb, lang),))], Form("tz", {}))
        return await self._expired(user_id, form, kb, lang)

    async def _expired(self, user_id: int, form: Form | None, kb: KnowledgeBase, lang: Lang) -> Result:
        return Result([Reply(kb.text("menu_expired", lang)), await self._list(user_id, kb, lang)], form, changed=False)

    async def _reminder_typed(self, ctx: Context, text: str, form: Form) -> Result:
        user_id, kb, lang = ctx.user_id, ctx.kb, ctx.lang
        if form.kind == "tz":
            chosen = reminders.known_zone(text)
            if chosen is None:
                return Result([Reply(kb.text("reminder_tz_unknown", lang), (self._stop(kb, lang),))], form, False)
            return await self._set_tz(user_id, chosen, kb, lang)
        if form.kind == "credit":  # "每三个月查一次征信"; anything else is asked about again, never dropped
            months = reminders.parse_interval(text)
            if months is None:
                return Result([self._credit_prompt(kb, lang, "reminder_credit_unclear")], form, False)
            return await self._add_credit(user_id, months, kb, lang, form)
        await self.storage.set_prefs(user_id, lang=lang.value)
        tz = await self._tz(user_id)
        today = reminders.local_date(self.clock(), tz)
        rules = reminders.parse_due_days(text, today)
        if rules is None:
            return Result([Reply(kb.text("reminder_due_unclear", lang), (self._stop(kb, lang),))], form, False)
        start = self._plan_start(ctx, today)
        if start is not None:  # "15号" when the agreed plan starts on 15 March: not before it
            rules = [Rule.monthly(r.day, start) if r.kind is reminders.Kind.MONTHLY and r.day == start.day and r.on
                     is None else r for r in rules]  # fmt: skip
        return await self._add(user_id, rules, kb, lang)

    async def _due_prompt(self, ctx: Context) -> Reply:
        """The due-day question; when the agreed terms say when the plan starts, that day is offered as the first."""
        kb, lang = ctx.kb, ctx.lang
        start = self._plan_start(ctx, reminders.local_date(self.clock(), await self._tz(ctx.user_id)))
        choices: list[Choice] = []
        if start is not None:
            label = kb.text("reminder_from_button", lang, day=str(start.day), date=start.isoformat())
            choices.append(Choice(label, Reminder("from", start.isoformat()).pack()))
        return Reply(kb.text("reminder_due_prompt", lang), (*choices, self._stop(kb, lang)))

    @staticmethod
    def _plan_start(ctx: Context, today: date) -> date | None:
        terms = ctx.walk.terms if ctx.walk is not None else None
        return reminders.start_in_terms(terms, today) if terms else None

    def _credit_prompt(self, kb: KnowledgeBase, lang: Lang, key: str) -> Reply:
        choices = [Choice(kb.text("reminder_every", lang, months=str(n)), Reminder("credit", str(n)).pack())
                   for n in reminders.CREDIT_PERIODS]  # fmt: skip
        return Reply(kb.text(key, lang), (*choices, self._stop(kb, lang)))

    async def _add_credit(self, user_id: int, months: int, kb: KnowledgeBase, lang: Lang, form: Form | None) -> Result:
        await self.storage.set_prefs(user_id, lang=lang.value)
        tz = await self._tz(user_id)
        today = reminders.local_date(self.clock(), tz)
        year, month = divmod(today.year * 12 + today.month - 1 + months, 12)
        rule = Rule.credit(months, reminders.clamp_day(year, month + 1, today.day))
        result = await self._add(user_id, [rule], kb, lang)
        return Result(result.replies, form if form is not None and form.kind not in ("due", "credit") else None)

    async def _add(self, user_id: int, rules: list[Rule], kb: KnowledgeBase, lang: Lang) -> Result:
        tz = await self._tz(user_id)
        now = self.clock()
        timed = [(rule, reminders.next_fire(rule, now, tz)) for rule in rules]
        future = [(rule, moment) for rule, moment in timed if moment is not None]
        if not future:
            return Result([Reply(kb.text("reminder_past", lang), (self._stop(kb, lang),))], Form("due", {}), False)
        added = await self.storage.add_reminders(user_id, future, limit=reminders.MAX_PER_USER)
        if added is None:
            limit = str(reminders.MAX_PER_USER)
            return Result([Reply(kb.text("reminder_too_many", lang, max=limit)), await self._list(user_id, kb, lang)])
        lines = [self._line(r, tz, kb, lang) for r in added]
        set_text = kb.text("reminder_set", lang, reminders="\n".join(lines))
        return Result([Reply(set_text), await self._list(user_id, kb, lang)])

    async def _set_tz(self, user_id: int, tz: str, kb: KnowledgeBase, lang: Lang) -> Result:
        await self.storage.set_prefs(user_id, tz=tz, lang=lang.value)
        now = self.clock()
        for stored in await self.storage.reminders_of(user_id):
            rule = stored.rule  # None: unreadable, dropped
            await self.storage.reschedule_reminder(stored.id, reminders.next_fire(rule, now, tz) if rule else None)
        return Result([Reply(kb.text("reminder_tz_set", lang, tz=tz)), await self._list(user_id, kb, lang)])

    async def _list(self, user_id: int, kb: KnowledgeBase, lang: Lang) -> Reply:
        tz = await self._tz(user_id)
        stored = await self.storage.reminders_of(user_id)
        choices: list[Choice] = []
        lines: list[str] = []
        for number, reminder in enumerate(stored, 1):
            lines.append(f"{number}. {self._line(reminder, tz, kb, lang)}")
            cancel = Reminder("x", str(reminder.id)).pack()
            choices.append(Choice(kb.text("reminder_cancel_button", lang, n=str(number)), cancel))
        choices += [
            Choice(kb.text("reminder_add_button", lang), Reminder("add").pack()),
            Choice(kb.text("reminder_credit_button", lang), Reminder("credit").pack()),
            Choice(kb.text("reminder_tz_button", lang), Reminder("tz").pack()),
        ]
        if lines:
            text = kb.text("reminder_list", lang, reminders="\n".join(lines), tz=tz)
        else:
            text = kb.text("reminder_none", lang, tz=tz)
        return Reply(text, tuple(choices))

    def _line(self, reminder: StoredReminder, tz: str, kb: KnowledgeBase, lang: Lang) -> str:
        rule = reminder.rule  # None: unreadable, shown as unknown
        when = datetime.fromtimestamp(reminder.next_at, reminders.zone(tz)).strftime("%Y-%m-%d %H:%M")
        return kb.text("reminder_line", lang, what=describe(rule, kb, lang) if rule else "?", next=when)

    async def _tz(self, user_id: int) -> str:
        return (await self.storage.prefs(user_id))[0] or reminders.DEFAULT_TZ

    def _stop(self, kb: KnowledgeBase, lang: Lang) -> Choice:
        return Choice(kb.text("reminder_stop_button", lang), Reminder("stop").pack())

    # -- the negotiation diary -----------------------------------------------------------------------------------

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
        names = {
            channel: [word for key in (f"diary_channel_{channel}", f"diary_channel_{channel}_also")
                      for lang in (Lang.ZH_HANS, Lang.EN) for word in ctx.kb.words(key, lang)]
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
        return Reply(kb.text("export_sent", lang, count=str(len(record.diary))), attachment=attachment)

    # -- feedback ------------------------------------------------------------------------------------------------

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

    # -- delivery (the Telegram transport calls these from its JobQueue) -----------------------------------------

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


def _is_diary(form: Form | None) -> bool:
    return form is not None and form.kind == "diary"


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def describe(rule: Rule, kb: KnowledgeBase, lang: Lang) -> str:
    """A rule as the user reads it ("每月 15 日", "2026-01-15", "每 3 个月查一次征信")."""
    if rule.kind is reminders.Kind.MONTHLY and rule.on is not None:
        return kb.text("reminder_monthly_from", lang, day=str(rule.day), date=rule.on.isoformat())
    if rule.kind is reminders.Kind.MONTHLY:  # the note about shorter months only where one is shorter than the day
        key = "reminder_monthly" if rule.day <= reminders.SHORTEST_MONTH else "reminder_monthly_short"
        return kb.text(key, lang, day=str(rule.day))
    if rule.kind is reminders.Kind.ONCE:
        assert rule.on is not None
        return kb.text("reminder_once", lang, date=rule.on.isoformat())
    return kb.text("reminder_credit", lang, months=str(rule.every))
