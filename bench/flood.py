"""Flood fairness (issue #11.3): others' reply latency while one user sends thousands of messages as fast as possible.

    python -m bench.flood [--users 20] [--messages 15] [--flood 2000]

Four runs of `advisor run` against a fake Bot API on loopback (each a fresh process and database): with the
production outgoing limiter (AIORateLimiter, Telegram's documented limits) and without it, each once without and
once with a flooder. `--users` users talk at a person's pace (each reads the reply to its previous message for a
second or two before the next, `--messages` each); in the flood runs one more user injects `--flood` messages as
fast as the fake accepts them, starting with the others. Reported per run: the others' p50 / p99 reply latency,
the ratio of the flood run's p99 to the quiet run's in the same limiter setting (the goal: at most 2), and what
the flooder got back (replies, the slow-down note). Run it when the machine is otherwise quiet: the ratios
compare runs made one after another.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.load import ROOT, questions, stop_process
from fakebotapi import FakeBotAPI

FIRST_USER = 200_000
FLOODER = 999_999


@dataclass
class Run:
    limiter: bool
    flood: bool
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    replied: int = 0
    lost: int = 0
    flood_sent: int = 0
    flood_replies: int = 0
    slow_down_notes: int = 0

    @property
    def name(self) -> str:
        return f"limiter {'on ' if self.limiter else 'off'}, {'flood' if self.flood else 'quiet'}"


def config_file(folder: Path, limiter: bool) -> Path:
    path = folder / "config.yaml"
    limits = "" if limiter else "  rate_limit:\n    overall_per_second: 0\n    group_per_minute: 0\n"
    path.write_text(f"telegram:\n  poll_timeout: 10\n{limits}logging:\n  level: WARNING\n", encoding="utf-8")
    return path


async def person(fake: FakeBotAPI, user_id: int, messages: int, latencies: list[float], run: Run) -> None:
    rng = random.Random(user_id)
    asked = questions()
    for _ in range(messages):
        started = time.monotonic()
        update_id = fake.inject_message(user_id, rng.choice(asked))
        try:
            output = await fake.wait_for_reply(update_id, kinds=("message",), timeout=60)
        except TimeoutError:
            run.lost += 1
            continue
        run.replied += 1
        latencies.append(output.at - started)
        await asyncio.sleep(rng.uniform(1.0, 2.0))  # reading the answer: people stay well within their budget


async def flooder(fake: FakeBotAPI, count: int, run: Run) -> None:
    asked = questions()
    for n in range(count):
        fake.inject_message(FLOODER, asked[n % len(asked)])
        run.flood_sent += 1
        if n % 50 == 49:
            await asyncio.sleep(0)  # let the fake answer getUpdates meanwhile, as a real server would


async def one_run(run: Run, args: argparse.Namespace, slow_down: str) -> Run:
    with tempfile.TemporaryDirectory(prefix="flood-") as scratch:
        folder = Path(scratch)
        async with FakeBotAPI() as fake:
            env = {
                **os.environ,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "TELEGRAM_BOT_TOKEN": fake.token,
                "ADVISOR_DB": str(folder / "advisor.sqlite3"),
                "ADVISOR_CONFIG": str(config_file(folder, run.limiter)),
            }
            log = folder / "bot.log"
            with log.open("wb") as out:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stdout=out, stderr=out,
                    stdin=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
            try:
                await fake.wait_for(lambda: fake.requests_received("getUpdates"), timeout=60)
                probe = fake.inject_message(1, "/start")
                await fake.wait_for_reply(probe, timeout=60)
                latencies: list[float] = []
                people = [person(fake, FIRST_USER + n, args.messages, latencies, run) for n in range(args.users)]
                if run.flood:
                    people.append(flooder(fake, args.flood, run))
                await asyncio.gather(*people)
            finally:
                stopped = await stop_process(process, 10)
            if process.returncode not in (0, -2):
                print(f"  ({run.name}: the bot {stopped}; log:\n{log.read_text()[-2000:]})", file=sys.stderr)
            flooded = fake.sent_messages(FLOODER)
            run.flood_replies = len(flooded)
            run.slow_down_notes = sum(1 for message in flooded if message["text"] == slow_down)
    ordered = sorted(latencies)
    if ordered:
        run.p50_ms = 1000 * statistics.median(ordered)
        run.p99_ms = 1000 * ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return run


async def main_async(args: argparse.Namespace) -> int:
    from bot.config import DEFAULT_KNOWLEDGE_DIR
    from bot.core.i18n import Lang
    from bot.core.knowledge import load_knowledge

    slow_down = load_knowledge(DEFAULT_KNOWLEDGE_DIR).text("slow_down", Lang.ZH_HANS)
    runs = []
    for limiter in (True, False):
        for flood in (False, True):
            run = await one_run(Run(limiter, flood), args, slow_down)
            runs.append(run)
            print(
                f"{run.name}: others p50 {run.p50_ms:.0f} ms, p99 {run.p99_ms:.0f} ms "
                f"({run.replied} replied, {run.lost} lost)"
                + (
                    f"; flooder sent {run.flood_sent}, got {run.flood_replies} messages back "
                    f"({run.slow_down_notes} slow-down note)"
                    if flood
                    else ""
                ),
                flush=True,
            )
    for limiter in (True, False):
        quiet, flooded = (r for r in runs if r.limiter is limiter)
        ratio = flooded.p99_ms / quiet.p99_ms if quiet.p99_ms else float("inf")
        verdict = "within" if ratio <= 2 else "NOT within"
        setting = "on " if limiter else "off"
        print(f"limiter {setting}: others' p99 with a flooder / without = {ratio:.2f} ({verdict} 2x)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--messages", type=int, default=15)
    parser.add_argument("--flood", type=int, default=2000)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
