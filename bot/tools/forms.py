"""The typed input a tool waits for (`Form`) and the saved shapes a session may hold of it (`SavedForm`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import msgspec

from bot import schema
from bot.core import diary


@dataclass(frozen=True)
class Form:
    """Typed input a tool waits for: `kind` names it; `data` holds what was gathered so far (JSON-able)."""

    kind: str
    data: Mapping[str, Any]

    @property
    def takes_numbers(self) -> bool:
        """Whether a typed number is an answer here (a due day), so the terminal picks buttons with #N instead."""
        return self.kind in ("due", "credit")

    @property
    def is_note(self) -> bool:
        """Whether it is a 👎's optional note: whatever is typed into it is kept as the note."""
        return self.kind == "note"

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
