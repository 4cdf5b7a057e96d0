"""Rendering replies for Telegram: escaped HTML and keyboards as plain Bot API JSON with versioned callback data."""

from __future__ import annotations

from bot.core.actions import Walk, WalkVerb, unpack_callback
from bot.core.replies import Choice, Reply
from bot.telegram.render import render


def test_a_keyboard_is_plain_bot_api_json_with_versioned_callback_data() -> None:
    choices = (Choice("下一步", "w:next"), Choice("跳过", "w:skip"))
    (out,) = render(Reply("<问题> & 答案", choices), "abcdef12")
    assert out.api_kwargs(5) == {
        "chat_id": 5,
        "text": "&lt;问题&gt; &amp; 答案",
        "parse_mode": "HTML",
        "reply_markup": {
            "inline_keyboard": [
                [{"text": "下一步", "callback_data": "abcd|w:next"}, {"text": "跳过", "callback_data": "abcd|w:skip"}]
            ]
        },
    }
    assert unpack_callback("abcd|w:next", "abcdef12") == (Walk(WalkVerb.NEXT), False)
    assert unpack_callback("0000|w:next", "abcdef12") == (Walk(WalkVerb.NEXT), True)
