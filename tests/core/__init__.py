"""Tests of the Telegram-free core (bot.core), one module each."""
