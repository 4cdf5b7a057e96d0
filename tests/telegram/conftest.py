"""Fixtures for Telegram-side tests: a fake Bot API on loopback and a PTB Bot that talks to it over real HTTP."""

from collections.abc import AsyncIterator

import pytest
import telegram

from tests.fakebotapi import FakeBotAPI


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
async def bot(fake_api: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(fake_api.token, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url) as bot:
        yield bot
