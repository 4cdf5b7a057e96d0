"""The fake Bot API behaves as Telegram does where our bot can tell: checked through PTB's real HTTP stack."""

import asyncio
import datetime as dtm
import json
import socket
import time

import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from fakebotapi import FakeBotAPI, HTMLParseError, parse_html

USER = 1001


def one_button(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("按钮", callback_data=data)]])


# -- connecting ----------------------------------------------------------------------------------------------------


async def test_get_me_describes_the_fake_bot(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    me = await bot.get_me()

    assert me.is_bot
    assert me.username == fake_api.bot_username
    assert [call.method for call in fake_api.calls()] == ["getMe", "getMe"]  # `async with bot` + ours


async def test_a_wrong_token_is_refused_as_invalid(fake_api: FakeBotAPI) -> None:
    bot = telegram.Bot("987654321:WrongTokenWrongTokenWrongToken", base_url=fake_api.base_url)
    try:
        with pytest.raises(InvalidToken, match="rejected by the server"):
            await bot.initialize()  # PTB checks the token with getMe
    finally:
        await bot.shutdown()

    assert fake_api.calls("getMe")[-1].response == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_an_unknown_method_is_not_found(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    with pytest.raises(telegram.error.EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER})

    assert fake_api.calls("sendTelepathy")[0].response == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found",
    }


# -- receiving updates ---------------------------------------------------------------------------------------------


async def test_long_poll_waits_for_a_message_and_returns_it_at_once(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done(), "getUpdates returned before anything was sent"

    started = time.monotonic()
    update_id = fake_api.inject_message(USER, "在吗，想问个问题")
    updates = await asyncio.wait_for(poll, 2)

    assert time.monotonic() - started < 1.0
    assert [update.update_id for update in updates] == [update_id]
    message = updates[0].message
    assert message is not None
    assert message.text == "在吗，想问个问题"
    assert message.chat.type == "private"
    assert message.from_user is not None
    assert message.from_user.language_code == "zh-hans"


async def test_long_poll_with_nothing_to_deliver_waits_out_its_timeout(bot: telegram.Bot) -> None:
    started = time.monotonic()
    updates = await bot.get_updates(timeout=1)

    assert updates == ()
    assert time.monotonic() - started >= 0.9


async def test_offset_confirms_older_updates_and_limit_caps_the_batch(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    first, second, third = (fake_api.inject_message(USER, f"第{n}条") for n in range(3))

    assert [u.update_id for u in await bot.get_updates(limit=2)] == [first, second]
    assert [u.update_id for u in await bot.get_updates(offset=second + 1)] == [third]
    assert [u.update_id for u in await bot.get_updates(offset=second)] == [third], "second is confirmed"
    assert await bot.get_updates(offset=third + 1) == ()
    assert fake_api.pending_updates == 0


async def test_allowed_updates_drops_later_updates_of_other_kinds(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await bot.get_updates(allowed_updates=["message"])
    fake_api.inject_callback(USER, "ignored", message_id=1)
    wanted = fake_api.inject_message(USER, "你好")

    assert [u.update_id for u in await bot.get_updates()] == [wanted]


async def test_a_second_poller_ends_the_first_with_a_conflict(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    async with telegram.Bot(fake_api.token, base_url=fake_api.base_url) as second_instance:
        second = asyncio.create_task(second_instance.get_updates(timeout=0))

        with pytest.raises(Conflict, match="only one bot instance"):
            await asyncio.wait_for(first, 2)
        assert await second == ()


async def test_polling_while_a_webhook_is_set_is_a_conflict(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")

    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert fake_api.webhook is not None
    assert fake_api.webhook["url"] == "https://example.invalid/hook"

    await bot.delete_webhook()
    assert await bot.get_updates() == ()


@pytest.mark.parametrize(
    ("inject", "check"),
    [
        pytest.param(lambda f: f.inject_sticker(USER), lambda m: m.sticker.emoji == "👍", id="sticker"),
        pytest.param(lambda f: f.inject_photo(USER, caption="账单"), lambda m: m.photo[-1].width == 800, id="photo"),
        pytest.param(lambda f: f.inject_voice(USER), lambda m: m.voice.mime_type == "audio/ogg", id="voice"),
        pytest.param(lambda f: f.inject_location(USER), lambda m: m.location.latitude > 0, id="location"),
        pytest.param(lambda f: f.inject_document(USER), lambda m: m.document.file_name == "账单.pdf", id="document"),
    ],
)
async def test_non_text_messages_are_valid_telegram_json(bot, fake_api, inject, check) -> None:
    update_id = inject(fake_api)

    [update] = await bot.get_updates()

    assert update.update_id == update_id
    assert update.message is not None
    assert update.message.text is None
    assert check(update.message)


def _png(width: int, height: int) -> bytes:
    """The smallest PNG-shaped bytes the fake reads: signature and IHDR header."""
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + len(header).to_bytes(4, "big") + b"IHDR" + header + b"\0\0\0\0"


async def test_an_uploaded_photo_is_kept_with_its_size(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    fake_api.inject_message(USER, "hi")
    picture = _png(1200, 675)

    message = await bot.send_photo(USER, telegram.InputFile(picture, filename="plan.png"), caption="还款计划")

    assert (message.photo[-1].width, message.photo[-1].height) == (1200, 675)
    assert message.caption == "还款计划"
    assert fake_api.uploaded(message.photo[-1].file_id) == picture
    assert fake_api.last_message(USER)["method"] == "sendPhoto"  # type: ignore[index]


async def test_an_upload_that_is_no_image_is_refused_as_a_photo(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    fake_api.inject_message(USER, "hi")
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(USER, telegram.InputFile(b"not a picture", filename="plan.png"))


async def test_commands_and_group_mentions_carry_their_entities(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    fake_api.inject_message(USER, "/start")
    fake_api.inject_message(USER, f"@{fake_api.bot_username} 花呗能协商吗", chat_type="supergroup")
    fake_api.inject_message(USER, "大家好", chat_type="group")

    command, mention, plain = (update.message for update in await bot.get_updates())

    assert command is not None
    assert command.parse_entities(["bot_command"]).popitem()[1] == "/start"
    assert mention is not None
    assert mention.chat.type == "supergroup"
    assert mention.chat.id < 0
    assert list(mention.parse_entities(["mention"]).values()) == [f"@{fake_api.bot_username}"]
    assert plain is not None
    assert plain.chat.type == "group"
    assert plain.chat.id < 0
    assert plain.entities == ()


async def test_a_forged_callback_arrives_on_a_stand_in_message(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    fake_api.inject_message(USER, "hi")
    fake_api.inject_callback(USER, "menu:999", message_id=424242)

    updates = await bot.get_updates()

    query = updates[-1].callback_query
    assert query is not None
    assert query.data == "menu:999"
    assert query.message is not None
    assert query.message.message_id == 424242


# -- sending -------------------------------------------------------------------------------------------------------


async def chat_with_user(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    """Telegram answers 'chat not found' for a chat that never talked to the bot: open one first."""
    fake_api.inject_message(USER, "/start")
    await bot.get_updates()


async def test_a_chat_that_never_wrote_is_not_found(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(USER, "你好")


async def test_a_user_who_blocked_the_bot_is_forbidden(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)
    fake_api.block(USER)

    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(USER, "你好")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a" * 4096, id="4096-latin"),
        pytest.param("逾" * 4096, id="4096-chinese"),
        pytest.param(" \n" + "a" * 4096 + "\n ", id="surrounding-whitespace-is-trimmed"),
    ],
)
async def test_text_up_to_4096_characters_is_sent(bot: telegram.Bot, fake_api: FakeBotAPI, text: str) -> None:
    await chat_with_user(bot, fake_api)

    message = await bot.send_message(USER, text)

    assert message.text == text.strip()
    assert fake_api.sent_messages(USER)[-1]["text"] == text.strip()


@pytest.mark.parametrize(
    ("text", "parse_mode"),
    [
        pytest.param("a" * 4097, None, id="4097-latin"),
        pytest.param("逾" * 4097, None, id="4097-chinese"),
        pytest.param("😀" * 2049, None, id="emoji-count-twice-in-utf16"),
        pytest.param("<b>" + "a" * 4097 + "</b>", "HTML", id="html-counted-after-tags"),
    ],
)
async def test_longer_text_is_refused(bot: telegram.Bot, fake_api: FakeBotAPI, text: str, parse_mode) -> None:
    await chat_with_user(bot, fake_api)

    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, text, parse_mode=parse_mode)
    assert fake_api.sent_messages(USER) == []


async def test_html_length_is_counted_after_tags_and_entities(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)

    message = await bot.send_message(USER, "<b>" + "&lt;" * 4096 + "</b>", parse_mode="HTML")

    assert message.text == "<" * 4096
    assert message.entities[0].type == "bold"


async def test_whitespace_only_text_is_empty(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)

    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, " \n ")


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("<p>段落</p>", id="unsupported-tag"),
        pytest.param("<b>没有结束", id="unclosed-tag"),
        pytest.param("<b><i>交叉</b></i>", id="crossed-tags"),
        pytest.param("</b>", id="stray-end-tag"),
        pytest.param("利率 < 24%", id="bare-less-than"),
        pytest.param("A & B", id="bare-ampersand"),
        pytest.param("&nbsp;", id="unsupported-named-entity"),
        pytest.param('<span class="red">x</span>', id="span-without-spoiler-class"),
        pytest.param("<br/>", id="self-closing-tag"),
    ],
)
async def test_html_outside_telegrams_subset_cannot_be_parsed(bot, fake_api, html: str) -> None:
    await chat_with_user(bot, fake_api)

    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(USER, html, parse_mode="HTML")


@pytest.mark.parametrize(
    ("html", "text", "entity_types"),
    [
        pytest.param("<b>粗</b><strong>体</strong>", "粗体", ["bold", "bold"], id="bold"),
        pytest.param("<i>a</i><em>b</em><u>c</u><ins>d</ins>", "abcd", ["italic"] * 2 + ["underline"] * 2, id="iu"),
        pytest.param("<s>a</s><strike>b</strike><del>c</del>", "abc", ["strikethrough"] * 3, id="strike"),
        pytest.param(
            '<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>', "ab", ["spoiler"] * 2, id="spoiler"
        ),
        pytest.param('<a href="https://example.invalid/?a=1&amp;b=2">链接</a>', "链接", ["text_link"], id="link"),
        pytest.param('<pre><code class="language-python">x = 1</code></pre>', "x = 1", ["pre"], id="pre-code"),
        pytest.param("<blockquote>引用</blockquote><code>c</code>", "引用c", ["blockquote", "code"], id="quote"),
        pytest.param("&lt;&gt;&amp;&quot;&#39;&#x4E2D;", "<>&\"'中", [], id="entities"),
        pytest.param("<B>大写</B>", "大写", ["bold"], id="tag-names-are-case-insensitive"),
    ],
)
async def test_telegrams_html_subset_is_parsed(bot, fake_api, html: str, text: str, entity_types) -> None:
    await chat_with_user(bot, fake_api)

    message = await bot.send_message(USER, html, parse_mode="HTML")

    assert message.text == text
    assert [entity.type for entity in message.entities] == entity_types


def test_html_entity_offsets_are_in_utf16_units() -> None:
    text, entities = parse_html("😀<b>粗</b>")

    assert text == "😀粗"
    assert entities == [{"type": "bold", "offset": 2, "length": 1}]


def test_html_errors_name_the_byte_offset_like_telegram() -> None:
    with pytest.raises(HTMLParseError, match=r'Unsupported start tag "p" at byte offset 3'):
        parse_html("中<p>")


async def test_html_lenient_mode_accepts_what_the_live_server_tolerates() -> None:
    assert parse_html("A & B > C", strict=False) == ("A & B > C", [])
    with pytest.raises(HTMLParseError):
        parse_html("A < B", strict=False)


# -- editing -------------------------------------------------------------------------------------------------------


async def test_an_identical_edit_is_not_modified(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)
    sent = await bot.send_message(USER, "<b>方案</b>", parse_mode="HTML", reply_markup=one_button("plan"))

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>方案</b>", USER, sent.message_id, parse_mode="HTML", reply_markup=one_button("plan")
        )


async def test_an_edit_replaces_the_message_and_keeps_its_history(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)
    sent = await bot.send_message(USER, "第一版", reply_markup=one_button("v1"))

    edited = await bot.edit_message_text("第二版", USER, sent.message_id)  # no markup: the keyboard goes
    assert isinstance(edited, telegram.Message)
    await bot.edit_message_text("第二版", USER, sent.message_id, reply_markup=one_button("v3"))

    [record] = fake_api.sent_messages(USER)
    assert record["text"] == "第二版"
    assert record["reply_markup"] == {"inline_keyboard": [[{"text": "按钮", "callback_data": "v3"}]]}
    assert [(old["text"], old["reply_markup"] is None) for old in record["edits"]] == [
        ("第一版", False),
        ("第二版", True),
    ]
    assert edited.reply_markup is None
    assert edited.edit_date is not None


async def test_editing_a_message_that_does_not_exist_fails(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)

    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("新", USER, 9999)


async def test_a_users_own_message_cannot_be_edited(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)  # the user's /start is message 1

    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("改", USER, 1)


# -- keyboards and callbacks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("x" * 64, id="64-ascii-bytes"),
        pytest.param("逾" * 21, id="63-bytes-of-chinese"),
    ],
)
async def test_callback_data_up_to_64_bytes_is_accepted(bot: telegram.Bot, fake_api: FakeBotAPI, data: str) -> None:
    await chat_with_user(bot, fake_api)

    message = await bot.send_message(USER, "选择", reply_markup=one_button(data))

    assert message.reply_markup is not None
    assert message.reply_markup.inline_keyboard[0][0].callback_data == data


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("x" * 65, id="65-ascii-bytes"),
        pytest.param("逾" * 22, id="22-chinese-characters-are-66-bytes"),
        pytest.param("", id="empty"),
    ],
)
async def test_longer_callback_data_is_refused(bot: telegram.Bot, fake_api: FakeBotAPI, data: str) -> None:
    await chat_with_user(bot, fake_api)

    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER, "选择", reply_markup=one_button(data))


async def test_a_button_with_nothing_to_do_is_refused(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("只有字")]])  # PTB lets a button have no action

    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.send_message(USER, "选择", reply_markup=markup)


async def test_a_callback_query_can_be_answered_only_once(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)
    sent = await bot.send_message(USER, "选择", reply_markup=one_button("yes"))
    update_id = fake_api.press(USER, "按钮")
    [update] = await bot.get_updates(offset=update_id)
    assert update.callback_query is not None
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id

    assert await update.callback_query.answer("收到")
    assert fake_api.callback_answer(update_id) == {"callback_query_id": update.callback_query.id, "text": "收到"}
    with pytest.raises(BadRequest, match="Query is too old"):
        await update.callback_query.answer()
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("no-such-query")


# -- commands ------------------------------------------------------------------------------------------------------


async def test_commands_are_stored_per_language(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await bot.set_my_commands([("start", "开始"), ("help", "帮助")], language_code="zh")
    await bot.set_my_commands([("start", "Start")])

    default = json.dumps({"type": "default"})
    assert [c["command"] for c in fake_api.commands[(default, "zh")]] == ["start", "help"]
    assert [c["description"] for c in fake_api.commands[(default, "")]] == ["Start"]


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("Start", "大写"), id="uppercase-name"),
        pytest.param(("a" * 33, "太长"), id="name-too-long"),
        pytest.param(("start", ""), id="empty-description"),
        pytest.param(("start", "说" * 257), id="description-too-long"),
    ],
)
async def test_invalid_commands_are_refused(bot: telegram.Bot, fake_api: FakeBotAPI, command: tuple[str, str]) -> None:
    with pytest.raises(BadRequest):
        await bot.set_my_commands([command])
    assert fake_api.commands == {}


# -- faults --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502])
async def test_a_server_error_is_a_network_error_and_nothing_is_sent(bot, fake_api, status: int) -> None:
    await chat_with_user(bot, fake_api)
    fake_api.fail_next("sendMessage", status=status, description="Internal Server Error: restart")

    with pytest.raises(NetworkError, match="restart"):
        await bot.send_message(USER, "你好")
    assert fake_api.sent_messages(USER) == []

    await bot.send_message(USER, "重试")
    assert [record["text"] for record in fake_api.sent_messages(USER)] == ["重试"]


async def test_flood_control_is_retry_after(bot, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns on the int form; opt in to timedelta
    await chat_with_user(bot, fake_api)
    fake_api.rate_limit_next("sendMessage", count=2, retry_after=7)

    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(USER, "你好")
        assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert fake_api.calls("sendMessage")[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert (await bot.send_message(USER, "好了")).text == "好了"


async def test_a_dropped_connection_is_a_network_error(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)
    fake_api.drop_next("sendMessage")

    with pytest.raises(NetworkError):
        await bot.send_message(USER, "你好")
    assert fake_api.sent_messages(USER) == []
    assert fake_api.calls("sendMessage")[0].status == 0


async def test_a_response_lost_after_sending_leaves_the_message_sent(bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)
    fake_api.drop_next("sendMessage", after_processing=True)

    with pytest.raises(NetworkError):
        await bot.send_message(USER, "你好")
    assert [record["text"] for record in fake_api.sent_messages(USER)] == ["你好"]


async def test_a_delay_longer_than_the_read_timeout_times_out(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)
    fake_api.delay("sendMessage", 0.5)

    with pytest.raises(TimedOut):
        await bot.send_message(USER, "慢", read_timeout=0.1)

    fake_api.delay("sendMessage", 0)
    assert (await bot.send_message(USER, "快", read_timeout=1)).text == "快"


async def test_a_held_call_waits_until_it_is_released(bot: telegram.Bot, fake_api: FakeBotAPI) -> None:
    await chat_with_user(bot, fake_api)
    fake_api.hold("sendMessage")
    sending = asyncio.create_task(bot.send_message(USER, "等一下"))
    await fake_api.wait_for(lambda: fake_api.requests_received("sendMessage") or None)
    await asyncio.sleep(0.05)  # a call that was not held would be answered by now
    assert not sending.done()
    assert fake_api.sent_messages(USER) == [], "a held call is not carried out before it is released"

    fake_api.release("sendMessage")
    assert (await sending).text == "等一下"
    assert (await bot.send_message(USER, "快")).text == "快"  # released: later calls go through at once


# -- a whole PTB Application ---------------------------------------------------------------------------------------


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    await message.reply_text(message.text, reply_markup=one_button("again"))


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer("好的")


def echo_application(fake_api: FakeBotAPI, token: str | None = None) -> Application:  # type: ignore[type-arg]
    app = ApplicationBuilder().token(token or fake_api.token).base_url(fake_api.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


async def test_an_echo_application_answers_messages_and_buttons(fake_api: FakeBotAPI) -> None:
    app = echo_application(fake_api)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=1, poll_interval=0)
    try:
        first = fake_api.inject_message(USER, "花呗逾期三个月")
        second = fake_api.inject_message(USER + 1, "借呗")
        [reply] = await fake_api.wait_for_messages(USER, 1)
        assert reply["text"] == "花呗逾期三个月"
        assert reply["update_id"] == first
        assert (await fake_api.wait_for_reply(second)).message["text"] == "借呗"  # type: ignore[index]

        press = fake_api.press(USER, "again")
        answer = await fake_api.wait_for_reply(press, kinds=["answer"])
        assert answer.params["text"] == "好的"
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert fake_api.pending_updates == 0, "the updater confirms what it handled before stopping"


async def test_the_application_survives_a_failing_poll(fake_api: FakeBotAPI) -> None:
    fake_api.fail_next("getUpdates", status=502, description="Bad Gateway")
    app = echo_application(fake_api)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        try:
            fake_api.inject_message(USER, "还在吗")
            [reply] = await fake_api.wait_for_messages(USER, 1, timeout=10)
        finally:
            await app.updater.stop()
            await app.stop()
    assert reply["text"] == "还在吗"
    assert [call.status for call in fake_api.calls("getUpdates")][:2] == [502, 200]


async def test_an_application_with_a_wrong_token_fails_to_initialize(fake_api: FakeBotAPI) -> None:
    app = echo_application(fake_api, token="987654321:WrongTokenWrongTokenWrongToken")

    try:
        with pytest.raises(InvalidToken):
            await app.initialize()
    finally:
        await app.bot.shutdown()  # a failed initialize leaves the bot's HTTP connections open


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_application_on_a_webhook_gets_updates_posted_with_the_secret(fake_api: FakeBotAPI) -> None:
    port = free_port()
    app = echo_application(fake_api)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret",
        )
        try:
            assert fake_api.webhook is not None
            assert fake_api.webhook["url"] == f"http://127.0.0.1:{port}/hook"
            assert fake_api.webhook["secret_token"] == "s3cret"
            fake_api.inject_message(USER, "网络钩子")
            assert await fake_api.post_update_to_webhook() == [200]
            [reply] = await fake_api.wait_for_messages(USER, 1)

            fake_api.inject_message(USER, "伪造")
            assert await fake_api.post_update_to_webhook(secret_token="wrong") == [403]
            assert fake_api.pending_updates == 1, "a refused update stays pending"
        finally:
            await app.updater.stop()
            await app.stop()
    assert reply["text"] == "网络钩子"


async def test_delivering_to_a_webhook_retries_a_refused_update_and_keeps_each_chats_order(
    fake_api: FakeBotAPI,
) -> None:
    """`deliver_to_webhook` as Telegram: a non-2xx answer means "again later"; a chat's later updates wait for it,
    other chats' do not."""
    port = free_port()
    received: list[int] = []
    refuse_once: set[int] = set()

    async def receive(request: web.Request) -> web.Response:
        update_id = (await request.json())["update_id"]
        received.append(update_id)
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cret":
            return web.Response(status=403)
        if update_id in refuse_once:
            refuse_once.discard(update_id)
            return web.Response(status=500)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake_api.webhook = {"url": f"http://127.0.0.1:{port}/hook", "secret_token": "s3cret"}
    first, second = fake_api.inject_message(USER, "一"), fake_api.inject_message(USER, "二")
    other = fake_api.inject_message(USER + 1, "三")
    refuse_once.add(first)
    delivering = asyncio.create_task(fake_api.deliver_to_webhook(retry_after=0.3))
    try:
        await fake_api.wait_for(lambda: fake_api.confirmed(second) or None, timeout=10)
    finally:
        delivering.cancel()
        await asyncio.gather(delivering, return_exceptions=True)
        await runner.cleanup()
    assert received.count(first) == 2
    assert received.index(second) > received.index(first, 1), "the chat's next update waited for the retried one"
    assert received.index(other) < received.index(first, 1), "another chat was not held up"
    assert fake_api.confirmed(first)
    assert fake_api.confirmed(other)
    assert fake_api.pending_updates == 0
    assert fake_api.webhook_statuses == {500: 1, 200: 3}
