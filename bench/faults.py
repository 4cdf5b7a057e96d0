"""Fault benchmark: is every message answered, and none twice, when the network and the bot process misbehave?

    python -m bench.faults                      # all parts below, defaults as in issue #11
    python -m bench.faults --replies 500 --error 0.10 --flood 0.05 --drop-after 0.02
    python -m bench.faults --skip-kill          # only the network faults (long polling and webhook)
    python -m bench.faults --skip-kill --modes webhook

1. **Network faults**, once with long polling and once by webhook (``--modes``). The advisor (`python -m bot run`,
   production settings: rate limiter on, 4 attempts) talks to a fake Bot API whose sendMessage answers HTTP 500 to
   ``--error`` of the calls, a 429 "retry after 1" to ``--flood``, and drops the connection *after* it recorded the
   message to ``--drop-after``. In webhook mode the fake POSTs the updates as Telegram does (up to 40 at once, one
   per chat at a time, again a second after a non-2xx answer). Users each send questions one after another,
   waiting until the bot has confirmed the update to Telegram (the next getUpdates offset, or a 2xx answer to the
   POST: then every reply to it is in), and at a person's pace: no faster than the bot's message budget
   (bot.flood, `FLOOD`) refills. This part measures faults, not floods (bench.flood does): a user who typed as fast
   as the bot confirms would be told to slow down and have the rest dropped, unanswered by design. Reported:
   answered % (updates that got at least one message) and duplicates % (updates that got the same message twice),
   and the bot's own /stats line (messages dropped over the budget, updates given up, replies not sent, sent without
   confirmation). Goals (issue #11): 100% answered, duplicates at most 1%.
2. **kill -9.** Users walk through the walkthrough and ask questions while the bot is killed with SIGKILL
   ``--kills`` times at random moments and started again each time. Reported: how many of their updates were
   answered in the end (goal: all: an update is confirmed only once handled, so one in flight at the kill comes
   again), how many were answered twice (an update handled but not yet confirmed is answered again after the
   restart: at least once, by design; getUpdates confirms only a prefix, so one slow update holds back the
   confirmation of every later one), and lost steps: after the last kill each user who saw a walkthrough step
   sends /resume, which must show the step (its buttons, its ticked boxes) of the last one they saw (goal: none).

Results go to bench/results/faults-*.json (not committed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.load import ROOT, questions, stop_process
from bot.config import FloodConfig
from fakebotapi import BotOutput, FakeBotAPI

RESULTS = ROOT / "bench" / "results"
ADMIN = 1
FIRST_USER = 200_000
#: The bot's message budget in the network-fault part (the production default), written into its config and kept
#: to by the users (`typing_gap`).
FLOOD = FloodConfig()


@dataclass
class Tally:
    updates: int = 0
    answered: int = 0
    duplicated: int = 0
    unconfirmed: int = 0  # never confirmed by the bot within the wait
    stats: str = ""
    extra: dict[str, int] = field(default_factory=dict)

    def percent(self, part: int) -> float:
        return 100.0 * part / self.updates if self.updates else 0.0


def outputs_of(fake: FakeBotAPI, update_id: int) -> list[str]:
    """What the user saw for one update: each message sent or edited, as text plus its buttons."""
    return [
        json.dumps([output.params.get("text"), output.params.get("reply_markup")], ensure_ascii=False, sort_keys=True)
        for output in fake.replies_to(update_id)
        if output.kind in ("message", "edit")
    ]


def count(fake: FakeBotAPI, update_ids: list[int], tally: Tally) -> None:
    for update_id in update_ids:
        seen = outputs_of(fake, update_id)
        tally.updates += 1
        tally.answered += bool(seen)
        tally.duplicated += len(seen) != len(set(seen))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def webhook_settings() -> str:
    """Config lines (under ``telegram:``) for webhook mode on a free loopback port; the secret comes from the env."""
    port = free_port()
    return (f"  webhook: {{url: 'http://127.0.0.1:{port}/telegram', listen: 127.0.0.1, port: {port}, "
            "path: telegram}\n")  # fmt: skip


class BotProcess:
    """`python -m bot run` against the fake, with its own config and database; started and killed at will."""

    def __init__(self, fake: FakeBotAPI, scratch: Path, settings: str, *, webhook: bool = False) -> None:
        self.fake = fake
        self.webhook = webhook
        self.config = scratch / "config.yaml"
        self.config.write_text(settings, encoding="utf-8")
        self.env = {
            **os.environ,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_WEBHOOK_SECRET": "bench-faults-secret",
            "ADVISOR_DB": str(scratch / "advisor.sqlite3"),
            "ADVISOR_CONFIG": str(self.config),
        }
        self.log = scratch / "bot.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        started = "setWebhook" if self.webhook else "getUpdates"
        before = self.fake.requests_received(started)
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
                env=self.env, cwd=ROOT,
            )  # fmt: skip
        await self.fake.wait_for(lambda: self.fake.requests_received(started) > before or None, timeout=60)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> str:
        assert self.process is not None
        return await stop_process(self.process, 15.0)


async def wait_confirmed(fake: FakeBotAPI, update_id: int, timeout: float) -> bool:  # noqa: ASYNC109
    try:
        await fake.wait_for(lambda: fake.confirmed(update_id) or None, timeout=timeout)
    except TimeoutError:
        return False
    return True


def typing_gap(flood: FloodConfig) -> float:
    """Seconds a user leaves between the starts of two messages so as never to run out of the bot's message budget
    (bot.flood): one message per token it refills; 0 when budgets are off."""
    return 1.0 / flood.per_second if flood.burst > 0 and flood.per_second > 0 else 0.0


async def ask_in_turn(
    fake: FakeBotAPI,
    user_id: int,
    ask: Callable[[], str],
    *,
    up_to: int,
    gap: float,
    asked: list[int],
    limit: int,
    timeout: float = 60.0,  # noqa: ASYNC109
) -> int:
    """One user sending up to `up_to` questions (`ask()` each) one after another, as a person does: each once the
    last is confirmed and at least `gap` seconds after the last began; stops when `asked` (every user's update ids,
    appended to) reaches `limit`. Returns how many updates were not confirmed within `timeout`."""
    unconfirmed = 0
    next_at = time.monotonic()
    for _ in range(up_to):
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        if len(asked) >= limit:
            break
        next_at = time.monotonic() + gap
        update_id = fake.inject_message(user_id, ask())
        asked.append(update_id)
        if not await wait_confirmed(fake, update_id, timeout=timeout):
            unconfirmed += 1
    return unconfirmed


def stats_of(text: str) -> str:
    """The delivery lines of the bot's /stats answer: from the message budget on (dropped messages, unreadable
    updates, updates given up, replies not sent, sent without confirmation)."""
    found = re.search(r"over the message budget.*", text, re.DOTALL)
    return found.group(0) if found else text


async def network_faults(args: argparse.Namespace, mode: str) -> Tally:
    tally = Tally()
    rng = random.Random(args.seed)
    webhook = mode == "webhook"
    settings = (f"telegram:\n  admin_ids: [{ADMIN}]\n  poll_timeout: 5\n"
                f"  flood: {{burst: {FLOOD.burst}, per_second: {FLOOD.per_second}}}\n"
                f"{webhook_settings() if webhook else ''}logging: {{level: WARNING}}\n")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="faults-") as scratch:
        async with FakeBotAPI() as fake:
            bot = BotProcess(fake, Path(scratch), settings, webhook=webhook)
            await bot.start()
            delivering = asyncio.create_task(fake.deliver_to_webhook()) if webhook else None
            fake.fault_rates(
                "sendMessage", error=args.error, flood=args.flood, drop_after=args.drop_after, seed=args.seed
            )
            per_user = -(-args.replies // args.users)
            asked: list[int] = []
            unconfirmed = await asyncio.gather(*(
                ask_in_turn(fake, FIRST_USER + n, lambda: rng.choice(questions()), up_to=per_user,
                            gap=typing_gap(FLOOD), asked=asked, limit=args.replies)
                for n in range(args.users)
            ))  # fmt: skip
            tally.unconfirmed += sum(unconfirmed)
            fake.fault_rates("sendMessage")
            count(fake, asked, tally)
            statuses: dict[str, int] = {}
            for call in fake.calls("sendMessage"):
                statuses[str(call.status)] = statuses.get(str(call.status), 0) + 1
            tally.extra = statuses
            if webhook:
                tally.extra |= {f"webhook {status or 'no answer'}": n for status, n in fake.webhook_statuses.items()}
            probe = fake.inject_message(ADMIN, "/stats")
            try:
                reply = await fake.wait_for_reply(probe, timeout=30)
                tally.stats = stats_of(str((reply.message or {}).get("text", "")))
            except TimeoutError:
                tally.stats = "(no /stats answer)"
            if delivering is not None:
                delivering.cancel()
                await asyncio.gather(delivering, return_exceptions=True)
            await bot.stop()
    return tally


async def kill_nine(args: argparse.Namespace) -> Tally:
    tally = Tally()
    rng = random.Random(args.seed)
    settings = "telegram: {poll_timeout: 5}\nlogging: {level: WARNING}\n"
    with tempfile.TemporaryDirectory(prefix="faults-kill-") as scratch:
        async with FakeBotAPI() as fake:
            bot = BotProcess(fake, Path(scratch), settings)
            await bot.start()
            asked: list[int] = []
            running = True

            async def user(user_id: int) -> None:
                step = 0
                while running:
                    update_id = next_step(fake, user_id, step, rng)
                    asked.append(update_id)
                    step += 1
                    while running and not fake.confirmed(update_id):
                        await wait_confirmed(fake, update_id, timeout=1.0)

            users = [asyncio.create_task(user(FIRST_USER + n)) for n in range(args.users)]
            for _ in range(args.kills):
                await asyncio.sleep(rng.uniform(0.5, 2.0))
                await bot.kill()
                tally.extra["kills"] = tally.extra.get("kills", 0) + 1
                await bot.start()
            await asyncio.sleep(1.0)
            running = False
            await asyncio.gather(*users)
            for update_id in asked:
                if not await wait_confirmed(fake, update_id, timeout=30):
                    tally.unconfirmed += 1
            count(fake, asked, tally)
            await resumed_where_left(fake, [FIRST_USER + n for n in range(args.users)], tally)
            await bot.stop()
    return tally


def screen(output: BotOutput) -> str | None:
    """A walkthrough step as the user saw it, if `output` shows one: the step's buttons (a message or edit with a
    button that answers a step: ``w:<verb>:<step>…``, bot.core.actions; not an answer's ``w:goto`` or ``w:resume``)
    and which of its boxes are ticked. Not the wording: a question typed in English switches the language."""
    if output.kind not in ("message", "edit"):
        return None
    markup = output.params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    buttons = [(button.get("callback_data", ""), button.get("text", "").startswith("☑"))
               for row in markup.get("inline_keyboard", []) for button in row]  # fmt: skip
    if not any(re.search(r"\|w:(?:o|t|n|next|back|skip|pause|calc|use):", data) for data, _ in buttons):
        return None
    return json.dumps(buttons)


async def resumed_where_left(fake: FakeBotAPI, users: list[int], tally: Tally) -> None:
    """Each user's last confirmed walkthrough step must be where /resume takes them after all the kills.

    `confirmed steps` counts the confirmed updates that showed a step; `lost steps` the users whom /resume shows
    another step than the last one they saw (a step confirmed, then lost), `not resumed` those it shows none.
    """
    steps = lost = unresumed = 0
    for user_id in users:
        seen = [(output.update_id, screen(output)) for output in fake.outputs(user_id)]
        shown = [(update_id, step) for update_id, step in seen if step is not None]
        steps += len({update_id for update_id, _ in shown if update_id is not None and fake.confirmed(update_id)})
        if not shown:
            continue
        probe = fake.inject_message(user_id, "/resume")
        if not await wait_confirmed(fake, probe, timeout=30):
            unresumed += 1
            continue
        again = [step for output in fake.replies_to(probe) if (step := screen(output)) is not None]
        if not again:
            unresumed += 1
        elif again[-1] != shown[-1][1]:
            lost += 1
    tally.extra |= {"confirmed steps": steps, "lost steps": lost, "not resumed": unresumed}


def next_step(fake: FakeBotAPI, user_id: int, step: int, rng: random.Random) -> int:
    """The walkthrough by its buttons, with a question now and then."""
    if step == 0:
        return fake.inject_message(user_id, "/guide")
    last = fake.last_message(user_id)
    buttons = [
        button
        for row in ((last or {}).get("reply_markup") or {}).get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]
    if last is not None and buttons and rng.random() < 0.7:
        return fake.inject_callback(user_id, rng.choice(buttons)["callback_data"], message_id=last["message_id"])
    return fake.inject_message(user_id, rng.choice(questions()))


def report(name: str, tally: Tally) -> None:
    print(
        f"{name}: {tally.updates} updates, answered {tally.percent(tally.answered):.1f}% "
        f"({tally.updates - tally.answered} not), duplicates {tally.percent(tally.duplicated):.1f}% "
        f"({tally.duplicated}), never confirmed {tally.unconfirmed}"
    )
    if tally.extra:
        print(f"    {tally.extra}")
    if tally.stats:
        print(f"    bot /stats: {tally.stats}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replies", type=int, default=500, help="updates sent in the network-fault part")
    parser.add_argument("--users", type=int, default=25)
    parser.add_argument("--error", type=float, default=0.10, help="share of sendMessage calls answered 500")
    parser.add_argument("--flood", type=float, default=0.05, help="share answered 429 (retry after 1 s)")
    parser.add_argument("--drop-after", type=float, default=0.02, help="share dropped after the message was recorded")
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs in the kill -9 part")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--modes", nargs="+", choices=("polling", "webhook"), default=["polling", "webhook"],
                        help="how the bot receives updates in the network-fault part")  # fmt: skip
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--skip-network", action="store_true")
    args = parser.parse_args()
    results: dict[str, object] = {"args": vars(args)}
    started = time.monotonic()
    if not args.skip_network:
        for mode in args.modes:
            tally = asyncio.run(network_faults(args, mode))
            report(f"network faults, {mode}", tally)
            results[f"network-{mode}"] = asdict(tally)
    if not args.skip_kill:
        tally = asyncio.run(kill_nine(args))
        report("kill -9", tally)
        results["kill"] = asdict(tally)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / time.strftime("faults-%Y%m%d-%H%M%S.json")
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{time.monotonic() - started:.0f} s; JSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
