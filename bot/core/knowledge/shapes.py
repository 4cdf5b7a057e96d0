"""The declared shape of every knowledge file (entries/*.yaml, aliases.yaml, texts.yaml, tools.yaml, traditional.yaml).

Each file is a msgspec Struct checked by bot/schema.py. What an admin reads when a value does not fit is declared
here too: a record's `messages` (keyed by the problem's kind, or `kind:key` for one key), a value's
`Meta(extra={kind: …})`. A message may use {what} (the place, named for an admin: "entry 'impact.credit': title"),
{label} ("entry 'impact.credit'"), {place} (the dotted place), {key}, {value!r}, {found} (the value's type), {n} (an
item's position), {allowed}. Checks across values and files (unique ids, related ids, placeholders, lengths) are the
loader's (bot/core/knowledge/loader.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Final

import msgspec
from msgspec import Meta

from bot.core.knowledge.model import EntryKind

#: Ids other code, admins' statistics and the evaluation refer to; the shipped knowledge base must have them all.
REQUIRED_ENTRY_IDS: tuple[str, ...] = (
    "about.loans", "about.application",
    "causes.economic", "causes.management", "causes.communication",
    "impact.credit", "impact.cost", "impact.legal",
    "respond.contact", "respond.plan", "respond.negotiate",
    "steps.materials", "steps.channel", "steps.demands", "steps.agreement",
    "after.repay", "after.records", "after.credit",
    "overview", "safety.scams",
)  # fmt: skip

#: Texts the code asks for by key; a knowledge base missing one is rejected at load, not at the first user.
REQUIRED_TEXT_KEYS: tuple[str, ...] = (
    "greeting", "help", "fallback", "clarify_prompt", "route_footer", "related_label", "guide_button",
    "continue_guide_button", "chat_quit_hint", "chat_number_hint", "goodbye", "empty_message", "too_long_notice",
    "none_of_these", "courtesy", "courtesy_thanks", "crisis", "crisis_mainland", "crisis_taiwan", "crisis_hongkong",
    "reassurance",
    "non_text", "group_hint", "group_private", "not_your_button", "slow_down", "privacy", "forget_button",
    "forget_confirm", "forget_yes", "forget_no", "forgotten", "forget_yes_words", "forget_no_words", "forget_not_yet",
    "forget_cancelled", "error_apology", "menu_expired", "language_prompt", "language_set", "unknown_command",
    "nothing_to_cancel", "command_start", "command_guide", "command_plan", "command_resume", "command_cancel",
    "command_help", "command_language", "command_privacy", "command_forget",
    "crisis_again", "crisis_checkin", "crisis_question_button", "unclear_message", "already_shown",
    "show_again_button", "crisis_soft", "chat_no_button", "chat_file_saved", "crisis_elsewhere", "crisis_soft_first",
    "crisis_urgent", "mainland_numbers", "region_note_hongkong", "region_note_taiwan",
    "place_words_hongkong", "place_words_taiwan", "denial_gentle", "crying_only", "crying_words",
    "place_words_elsewhere", "region_note_elsewhere", "help_line_words", "abroad", "anger_ack", "venting_next",
    "crisis_minimised", "crisis_minimised_again", "minimising_words", "minimising_fillers", "crisis_hotlines_stopped",
    "hotline_stop_words", "crisis_brief_line", "meant_ordinary_words", "reminder_request_words", "reminder_pointer",
    "scam_number_answer", "scam_number_words", "about_me", "about_me_you_words", "about_me_words", "situation_ack",
    "situation_next", "situation_words",
)  # fmt: skip

#: Texts that are filled in, and the {placeholders} each may use; every other text is shown as written.
TEXT_PLACEHOLDERS: Mapping[str, tuple[str, ...]] = {
    "related_label": ("title",), "group_private": ("link",), "language_set": ("language",), "crisis": ("hotlines",),
    "crisis_again": ("hotline",), "crisis_checkin": ("hotline",), "crisis_question_button": ("title",),
    "crisis_soft": ("hotline",), "chat_no_button": ("n", "last"), "chat_file_saved": ("path",),
    "crisis_soft_first": ("hotline",), "crisis_urgent": ("hotlines",), "abroad": ("hotline",),
    "crisis_minimised": ("hotline",),
}  # fmt: skip
#: An entry id travels in button data (64 bytes with the version and action prefix): this leaves room for both.
MAX_ID_CHARS = 48
#: A title is a message's heading and a button's label; longer than this it is an answer, not a title.
MAX_TITLE_CHARS = 120
#: The fewest example questions an entry may have (how real users would ask, colloquial ones included).
MIN_EXAMPLES = 8
#: The tools' texts (tools.yaml) and the {placeholders} each may use; every one is required.
TOOL_TEXTS: Mapping[str, tuple[str, ...]] = {
    "command_reminders": (), "reminder_none": ("tz",), "reminder_list": ("reminders", "tz"),
    "reminder_line": ("what", "next"), "reminder_monthly": ("day",),
    "reminder_monthly_short": ("day",), "reminder_once": ("date",),
    "reminder_credit": ("months",), "reminder_every": ("months",), "reminder_cancel_button": ("n",),
    "reminder_add_button": (), "reminder_credit_button": (), "reminder_tz_button": (), "reminder_list_button": (),
    "reminder_stop_button": (), "reminder_due_prompt": (), "reminder_due_unclear": (), "reminder_past": (),
    "reminder_credit_prompt": (), "reminder_set": ("reminders",), "reminder_too_many": ("max",),
    "reminder_cancelled": (), "reminder_gone": (), "reminder_stopped": (), "reminder_tz_prompt": ("tz",),
    "reminder_tz_other": (), "reminder_tz_type": (), "reminder_tz_unknown": (), "reminder_tz_set": ("tz",),
    "reminder_fire_due": ("date",), "reminder_fire_credit": ("date",), "reminder_late": ("when",),
    "reminder_offer": (), "reminder_credit_unclear": (), "reminder_credit_rounded": ("months",),
    "reminder_monthly_from": ("day", "date"), "reminder_from_button": ("day", "date"),
    "command_log": (), "command_export": (),
    "diary_ask_day": (), "diary_ask_channel": (), "diary_ask_who": (), "diary_ask_said": (), "diary_today": (),
    "diary_yesterday": (), "diary_channel_phone": (), "diary_channel_app": (), "diary_channel_sms": (),
    "diary_channel_letter": (), "diary_channel_visit": (), "diary_channel_other": (), "diary_skip": (),
    "diary_channel_phone_also": (), "diary_channel_app_also": (), "diary_channel_sms_also": (),
    "diary_channel_letter_also": (), "diary_channel_visit_also": (), "diary_channel_other_also": (),
    "diary_stop_button": (), "diary_list_button": (), "diary_bad_day": ("max",), "diary_future_day": ("max",),
    "diary_use_buttons": ("max",), "diary_too_long": ("max",), "diary_saved": (), "diary_full": ("max",),
    "diary_deleted": (), "diary_gone": (), "diary_stopped": (), "diary_terms_line": ("terms",),
    "diary_delete_button": ("n",), "diary_new_button": (), "diary_export_button": (), "diary_empty": (),
    "diary_list": ("entries", "count"),
    "export_sent": ("contents",), "export_sent_empty": (), "export_has_diary": ("count",), "export_has_facts": (),
    "export_has_terms": (), "export_has_plan": (), "export_list_separator": (), "export_sent_note": (),
    "export_title": (), "export_generated": ("date",),
    "export_terms_heading": (), "export_facts_heading": (),
    "export_terms_none": (), "export_terms_blank": (), "export_plan_heading": (), "export_diary_heading": ("count",),
    "export_diary_none": (), "export_footer": (),
    "feedback_up": (), "feedback_down": (), "feedback_thanks": (), "feedback_ask_note": (),
    "feedback_skip_button": (), "feedback_noted": (), "feedback_skipped": (),
    "admin_inbox_empty": (), "admin_inbox": ("groups", "total"),
    "admin_inbox_line": ("n", "times", "users", "disliked", "question", "wordings", "entry", "notes"),
    "admin_inbox_no_question": (), "admin_resolve_button": ("n",), "admin_ignore_button": ("n",),
    "admin_csv_button": (), "admin_csv_sent": ("groups",), "admin_group_gone": (),
    "admin_marked_resolved": ("question",), "admin_marked_ignored": ("question",),
    "admin_stats_head": ("users", "active", "unanswered", "version"), "admin_funnel_title": (),
    "admin_funnel_line": ("step", "reached", "stopped"), "admin_period_day": (), "admin_period_week": (),
    "admin_shares": ("period", "answered", "clarified", "fallback", "total"), "admin_votes_title": (),
    "admin_votes_line": ("entry", "up", "down"), "admin_none": (),
}  # fmt: skip

#: Files of the folder that other modules load (bot/core/walkthrough/, bot/core/plantexts.py); the version covers
#: them, so an edit of any of them and a /reload marks the buttons sent before as stale.
LOADED_BESIDE: tuple[str, ...] = ("walkthrough.yaml", "plan.yaml")


_ID: Final = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
_BAD_ID: Final = "id {value!r} must be lowercase words joined by dots, like 'impact.credit'"
_BAD_KIND: Final = "{label}: kind must be 'topic', 'route' or 'offtopic', got {value!r}"
_LANGUAGE_TEXT: Final = {"invalid": "{what} is empty; write the text", "wrong_type": "{what} must be text, got {found}"}
_ITEM: Final = "'{place}' item {n} must be non-empty text, got {value!r}"

#: One language's text of a title, answer or UI text: anything but blank.
LanguageText = Annotated[str, Meta(pattern=r"\S", extra=_LANGUAGE_TEXT)]
#: An item of a word or question list: anything but blank (kept without the spaces around it).
Word = Annotated[str, Meta(pattern=r"\S", extra={"invalid": _ITEM, "wrong_type": _ITEM})]
Words = tuple[Word, ...]


class Authored(msgspec.Struct, frozen=True):
    """A text in each language an admin writes; Traditional Chinese is derived from zh-hans."""

    messages: ClassVar[Mapping[str, str]] = {
        "not_a_mapping": "{what} must be a mapping with one text per language (zh-hans, en)",
        "missing": "{what} has no '{key}' text; add one",
        "unknown_key": "{what} has an unknown language '{key}'; use zh-hans and en",
        "unknown_key:zh-hant": "{what} has an unknown language '{key}'; use zh-hans and en"
        " (Traditional Chinese is made from zh-hans automatically)",
    }

    zh_hans: LanguageText = msgspec.field(name="zh-hans")
    en: LanguageText

    def by_language(self) -> dict[str, str]:
        return {"zh-hans": self.zh_hans, "en": self.en}


_NO_TEXTS: Final = "{label}: {key} must be a mapping with one text per language (zh-hans, en)"


class EntryShape(msgspec.Struct, frozen=True):
    """One item of `entries:` — a topic, a route, or an off-topic kind of message."""

    messages: ClassVar[Mapping[str, str]] = {
        "not_a_mapping": "each entry must be a mapping (id, title, answer, examples, …), got {found}",
        "unknown_key": "unknown field '{key}' (allowed: {allowed_sorted})",
        "missing:id": "an entry has no 'id'; give it one like 'impact.credit'",
        "missing:title": _NO_TEXTS,
        "missing:answer": _NO_TEXTS,
        "missing:examples": "'examples' is missing",
    }

    id: Annotated[str, Meta(pattern=_ID, extra={"invalid": _BAD_ID, "wrong_type": _BAD_ID})]
    title: Authored
    answer: Authored
    examples: Words
    kind: Annotated[EntryKind, Meta(extra={"invalid": _BAD_KIND, "wrong_type": _BAD_KIND})] = EntryKind.TOPIC
    section: Annotated[str | int | float, Meta(extra={"wrong_type": '{label}: section must be text like "3.1"'})] = ""
    keywords: Words = ()
    related: Words = ()


_NO_ENTRIES: Final = "expected 'entries:' at the top level, followed by a list of entries"


class EntriesFile(msgspec.Struct, frozen=True):
    """entries/*.yaml: `entries:` and a list of entries (each checked as an `EntryShape` by the loader)."""

    messages: ClassVar[Mapping[str, str]] = {
        "not_a_mapping": _NO_ENTRIES,
        "missing": _NO_ENTRIES,
        "unknown_key": "unknown top-level key '{key}'; only 'entries' belongs here",
    }

    entries: Annotated[list[Any], Meta(extra={"wrong_type": _NO_ENTRIES})]


class AliasesFile(msgspec.Struct, frozen=True):
    """aliases.yaml: canonical words and their variants, and word lists (see bot/core/knowledge/__init__.py)."""

    messages: ClassVar[Mapping[str, str]] = {
        "not_a_mapping": "expected sections at the top level ({allowed})",
        "unknown_key": "unknown section '{key}' (allowed: {allowed})",
    }

    aliases: Annotated[
        dict[Annotated[str, Meta(pattern=r"\S")], Words],
        Meta(
            extra={
                "not_a_mapping": "'aliases' must map a canonical word to a list of variants",
                "bad_key": "alias key {value!r} must be non-empty text",
            }
        ),
    ] = {}
    dialect: Annotated[
        dict[Annotated[str, Meta(pattern=r"\S")], Words],
        Meta(
            extra={
                "not_a_mapping": "'dialect' must map a Mandarin word to a list of dialect words for it",
                "bad_key": "dialect key {value!r} must be non-empty text",
            }
        ),
    ] = {}
    fillers: Words = ()
    greetings: Words = ()
    thanks: Words = ()
    generic: Words = ()
    respell: Words = ()
    crisis: Words = ()
    scams: Words = ()
    needs: Words = ()


_NO_TEXTS_TABLE: Final = "expected 'texts:' at the top level, mapping each key to zh-hans and en texts"


class TextsFile(msgspec.Struct, frozen=True):
    """texts.yaml and tools.yaml: `texts:` mapping each key to its text in each language."""

    messages: ClassVar[Mapping[str, str]] = {
        "not_a_mapping": _NO_TEXTS_TABLE,
        "missing": _NO_TEXTS_TABLE,
        "unknown_key": "unknown top-level key '{key}'; only 'texts' belongs here",
    }

    texts: Annotated[dict[str, Authored], Meta(extra={"not_a_mapping": _NO_TEXTS_TABLE})]


_REGION_TEXT: Final = "{label}: the {key} text must be non-empty text, got {value!r}"
_NEEDS_TEXT: Final = "{label} needs its Traditional text, or {{tw: …, hk: …}}"


class Wordings(msgspec.Struct, frozen=True):
    """A phrase's Traditional wording for Taiwan and for Hong Kong (either may be left to OpenCC)."""

    messages: ClassVar[Mapping[str, str]] = {"unknown_key": "{label}: unknown wording '{key}'; use tw or hk"}

    tw: Annotated[str, Meta(pattern=r"\S", extra={"invalid": _REGION_TEXT, "wrong_type": _REGION_TEXT})] | None = None
    hk: Annotated[str, Meta(pattern=r"\S", extra={"invalid": _REGION_TEXT, "wrong_type": _REGION_TEXT})] | None = None


_NO_PHRASES: Final = "expected 'phrases:' at the top level, mapping Simplified to Traditional"


class TraditionalFile(msgspec.Struct, frozen=True):
    """traditional.yaml: `phrases:` mapping a Simplified phrase to one Traditional text for both regions, or
    `{tw: …, hk: …}`."""

    messages: ClassVar[Mapping[str, str]] = {
        "not_a_mapping": _NO_PHRASES,
        "missing": _NO_PHRASES,
        "unknown_key": "unknown top-level key '{key}'; only 'phrases' belongs here",
    }

    phrases: Annotated[
        dict[
            Annotated[str, Meta(pattern=r"\S")],
            Annotated[
                str | Wordings,  # one text for both (the loader checks it is not blank)
                Meta(extra={"wrong_type": _NEEDS_TEXT, "invalid": _NEEDS_TEXT}),
            ],
        ],
        Meta(
            extra={
                "not_a_mapping": _NO_PHRASES,
                "bad_key": "phrase {value!r} must be non-empty Simplified Chinese text",
            }
        ),
    ]
