"""The load benchmark's baseline: a bare PTB echo bot, PTB's defaults untouched, one inline button per reply.

    python -m bench.echo_bot --base-url http://127.0.0.1:PORT/bot --token 123:ABC

Whatever the advisor costs beyond this is the advisor's own: the same library, transport and polling loop.
"""

from __future__ import annotations

import argparse
import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

AGAIN = InlineKeyboardMarkup([[InlineKeyboardButton("再说一遍", callback_data="again")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    await message.reply_text(message.text, reply_markup=AGAIN)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.echo_bot", description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("TELEGRAM_API_BASE_URL"))
    parser.add_argument("--token", default=os.environ.get("TELEGRAM_BOT_TOKEN"))
    args = parser.parse_args(argv)
    if not args.base_url or not args.token:
        parser.error("--base-url and --token (or TELEGRAM_API_BASE_URL and TELEGRAM_BOT_TOKEN) are required")

    app = ApplicationBuilder().token(args.token).base_url(args.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(answer))
    app.run_polling()


if __name__ == "__main__":
    main()
