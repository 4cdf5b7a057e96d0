"""JSON in and out of the database columns; unreadable rows are logged and skipped, never raised."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from bot.errors import StorageError
from bot.storage.records import StoredReminder

logger = logging.getLogger(__name__)


def reminder_from_row(row: Any) -> StoredReminder | None:
    reminder_id, user_id, rule_json, next_at, created_at = row
    try:
        rule = json.loads(rule_json)
    except ValueError:
        rule = None
    if not isinstance(rule, dict):
        logger.warning("reminder %d has an unreadable rule; skipping it", reminder_id)
        return None
    return StoredReminder(reminder_id, user_id, rule, next_at, created_at)


def encode_state(state: Mapping[str, Any] | None) -> str | None:
    return None if state is None else encode_json(dict(state), "its walkthrough state")


def encode_json(value: object, what: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        # The message names the offending type, never the content.
        raise StorageError(f"Cannot save a session: {what} is not JSON ({error}).") from error


def decode_replies(replies_json: str | None) -> list[Mapping[str, Any]] | None:
    """Stored replies, or None (not kept, or unreadable: the redelivery then shows where the user is)."""
    if replies_json is None:
        return None
    try:
        replies = json.loads(replies_json)
    except ValueError:
        return None
    if not isinstance(replies, list) or not all(isinstance(reply, dict) for reply in replies):
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
