"""`advisor run` tells an admin why it is not answering when the Bot API cannot be reached, and keeps trying."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends: nothing listens there


async def test_an_unreachable_bot_api_is_reported_and_retried(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "ADVISOR_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": "123456:UnreachableTokenForTests",
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{closed_port()}/bot",
        "ADVISOR_DB": str(tmp_path / "advisor.sqlite3"),
    }
    # One try per call (./config.yaml): each getMe fails at once, so the test waits only for the bot's own pauses
    # between reports (the request's retries of a refused connection are tests/telegram/test_request.py's).
    (tmp_path / "config.yaml").write_text("telegram:\n  retry:\n    attempts: 1\n", encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    warnings: list[str] = []
    try:
        async with asyncio.timeout(20):
            while len(warnings) < 2:  # the first attempt and at least one retry
                line = (await process.stderr.readline()).decode()
                assert line, "advisor run ended instead of retrying"
                if "cannot reach the Telegram Bot API" in line:
                    warnings.append(line)
    finally:
        process.terminate()
        await process.wait()
    assert "trying again in 1 s" in warnings[0]
    assert "trying again in 2 s" in warnings[1]
    assert "UnreachableTokenForTests" not in "".join(warnings)
