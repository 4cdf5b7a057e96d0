"""Tests of the Telegram transport (bot.telegram) against the fake Bot API (fakebotapi)."""
