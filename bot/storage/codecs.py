"""JSON in and out of the database columns, read through their saved shapes; what cannot be read is logged (by
place, never by value) and left out, never raised."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import msgspec

from bot import schema
from bot.core.reminders import Rule, SavedRule
from bot.core.replies import SavedReply
from bot.errors import StateError, StorageError
from bot.storage.records import StoredReminder

logger = logging.getLogger(__name__)


def reminder_from_row(row: Any) -> StoredReminder:
    reminder_id, user_id, rule_json, next_at, created_at = row
    try:
        rule: Rule | None = Rule.from_saved(schema.saved_json(rule_json, SavedRule, "saved reminder rule"))
    except StateError as error:  # a hand-edited row: shown as unknown, dropped when it comes due
        logger.warning("reminder %d: %s; it is kept without its rule", reminder_id, error)
        rule = None
    return StoredReminder(reminder_id, user_id, rule, next_at, created_at)


def encode_rule(rule: Rule) -> str:
    return encode_json(msgspec.to_builtins(rule.to_saved()), "its reminder rule")


def encode_state(state: Mapping[str, Any] | None) -> str | None:
    return None if state is None else encode_json(dict(state), "its walkthrough state")


def encode_json(value: object, what: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        # The message names the offending type, never the content.
        raise StorageError(f"Cannot save a session: {what} is not JSON ({error}).") from error


def encode_replies(replies: tuple[SavedReply, ...]) -> str:
    return encode_json(msgspec.to_builtins(replies), "its replies")


def decode_replies(user_id: int, replies_json: str | None) -> tuple[SavedReply, ...] | None:
    """Stored replies, or None: not kept, or unreadable (logged by place; the redelivery then shows where the user
    is)."""
    if replies_json is None:
        return None
    try:
        replies: tuple[SavedReply, ...] = schema.saved_json(replies_json, tuple[SavedReply, ...], "saved replies")
    except StateError as error:
        logger.warning("user %d: %s; a redelivered update is answered with where they are", user_id, error)
        return None
    return replies


def decode_state(user_id: int, state_json: str | None) -> Mapping[str, Any] | None:
    """Parse a stored state; a hand-edited, unreadable one is dropped (the user starts afresh), not fatal."""
    if state_json is None:
        return None
    try:
        state = json.loads(state_json)
    except (TypeError, ValueError) as error:
        # Position only: the state holds the user's financial answers.
        logger.warning(
            "walkthrough state of user %d is not valid JSON (%s at char %s); ignoring it",
            user_id,
            getattr(error, "msg", type(error).__name__),
            getattr(error, "pos", "?"),
        )
        return None
    if not isinstance(state, dict):
        logger.warning(
            "walkthrough state of user %d is a JSON %s, not an object; ignoring it", user_id, type(state).__name__
        )
        return None
    return state
