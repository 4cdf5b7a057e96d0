"""The one retry policy, rule by rule: what is tried again, after how long, and what never is."""

from __future__ import annotations

import json

import pytest

from bot.telegram.retry import Failure, RetryPolicy, repeatable, retry_after

POLICY = RetryPolicy(attempts=4, max_wait=30.0, backoff=0.5)


def flood(seconds: object) -> bytes:
    return json.dumps({"ok": False, "error_code": 429, "parameters": {"retry_after": seconds}}).encode()


@pytest.mark.parametrize(
    ("status", "body", "wait"),
    [
        pytest.param(200, b'{"ok":true}', None, id="success-is-returned"),
        pytest.param(400, b'{"ok":false}', None, id="bad-request-is-the-callers"),
        pytest.param(403, b'{"ok":false}', None, id="blocked-is-the-callers"),
        pytest.param(429, flood(3), 3.0, id="flood-wait-as-asked"),
        pytest.param(429, flood(31), None, id="flood-wait-past-max-wait-is-not-waited"),
        pytest.param(429, b"not json", None, id="flood-without-retry-after"),
        pytest.param(500, b"", 0.5, id="server-error-backs-off"),
        pytest.param(502, b"<html>", 0.5, id="bad-gateway-backs-off"),
    ],
)
def test_after_an_answer(status: int, body: bytes, wait: float | None) -> None:
    assert POLICY.after_answer("sendMessage", 1, status, body) == wait


def test_pauses_double_and_attempts_are_capped() -> None:
    waits = [POLICY.after_answer("sendMessage", attempt, 500, b"") for attempt in range(1, 6)]
    assert waits == [0.5, 1.0, 2.0, None, None]
    assert POLICY.after_answer("sendMessage", 4, 429, flood(1)) is None  # a flood wait counts as an attempt too


@pytest.mark.parametrize(
    ("method", "failure", "retried"),
    [
        pytest.param("sendMessage", Failure.NOT_SENT, True, id="unsent-send-is-sent-again"),
        pytest.param("sendMessage", Failure.UNANSWERED, False, id="send-that-may-have-arrived-is-not"),
        pytest.param("sendDocument", Failure.UNANSWERED, False, id="upload-that-may-have-arrived-is-not"),
        pytest.param("editMessageText", Failure.UNANSWERED, True, id="edit-may-be-repeated"),
        pytest.param("answerCallbackQuery", Failure.UNANSWERED, True, id="callback-answer-may-be-repeated"),
        pytest.param("getUpdates", Failure.UNANSWERED, True, id="reads-may-be-repeated"),
        pytest.param("setMyCommands", Failure.UNANSWERED, True, id="settings-may-be-repeated"),
    ],
)
def test_after_no_answer(method: str, failure: Failure, retried: bool) -> None:
    assert (POLICY.after_failure(method, 1, failure) is not None) is retried
    assert repeatable(method) is (failure is Failure.UNANSWERED and retried) or failure is Failure.NOT_SENT


@pytest.mark.parametrize(
    ("body", "seconds"),
    [
        pytest.param(flood(7), 7.0, id="whole-seconds"),
        pytest.param(flood(1.5), 1.5, id="fraction"),
        pytest.param(flood(-1), None, id="negative"),
        pytest.param(flood(True), None, id="not-a-number"),
        pytest.param(b'{"ok":false}', None, id="absent"),
        pytest.param(b"[]", None, id="not-an-object"),
    ],
)
def test_retry_after_is_read_from_the_answer(body: bytes, seconds: float | None) -> None:
    assert retry_after(body) == seconds
