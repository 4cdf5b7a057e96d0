"""Load benchmark: many simulated users talk to each bot through a fake Bot API on loopback; compare the bots.

    python -m bench.load --bot "python -m bench.echo_bot" --users 200 --messages 15
    python -m bench.load --bot echo="python -m bench.echo_bot" \\
        --bot advisor="env ADVISOR_CONFIG=bench/advisor-bench.yaml python -m bot run" --script advisor

The advisor needs bench/advisor-bench.yaml (or advisor-bench-nocache.yaml): without it the production limits apply
(Telegram's 30 messages a second overall), and the advisor measures ~27 msg/s, the limiter's pace, not its own.

For each bot in turn, in one run: start a FakeBotAPI, start the bot as a subprocess, time the first reply to one
probe message, then let U users send M messages each, every user waiting for the reply to its previous message
(a person's pace), all users at once. Reported per bot: messages/s, the bot's CPU milliseconds per message (its
process tree's user+system time during the burst), p50/p99 reply latency (injection to the bot's first
sendMessage or edit in that chat; for a button press, its answerCallbackQuery counts too), peak RSS, time to first
reply, and ratios against the first bot. JSON goes to bench/results/ (not committed).

A command template may use ``{base_url}``, ``{token}`` and ``{db}``; the same values are always in the
environment as TELEGRAM_API_BASE_URL, TELEGRAM_BOT_TOKEN and ADVISOR_DB (a fresh database per run), which is
how both bots here read them (a token on a command line would show in `ps`).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import random
import re
import resource
import shlex
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from fakebotapi import FakeBotAPI, OutputKind

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROBE_USER = 1
FIRST_USER = 100_000


@functools.cache
def questions() -> list[str]:
    """The project's own labelled questions (bench/*.tsv): 180 different ones, so a cache of recent answers does not
    make the advisor look faster than real traffic would."""
    found = list(ADVISOR_QUESTIONS)
    for name in ("questions.tsv", "holdout.tsv"):
        lines = (ROOT / "bench" / name).read_text(encoding="utf-8").splitlines()[1:]
        found += [line.split("\t", 1)[0] for line in lines if line.strip()]
    return found


ADVISOR_QUESTIONS = [
    "花呗逾期了怎么办",
    "花呗逾期三个月会上征信吗",
    "借呗还不上了可以协商分期吗",
    "支付宝催收打电话给家人怎么办",
    "逾期了还能停息挂账吗",
    "怎么跟支付宝客服协商还款",
    "花呗逾期会被起诉吗",
    "我现在失业了，花呗还不上",
    "协商成功后征信会恢复吗",
    "有人说能帮我消除逾期记录，可信吗",
]


# -- what a user says next -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One user action: a text message, or a press of an inline button under a bot message."""

    kind: Literal["text", "press"]
    text: str = ""
    data: str = ""
    message_id: int = 0


Script = Callable[[int, int, FakeBotAPI, random.Random], Step]
"""(user_id, step number from 0, the fake, the user's own random generator) -> the user's next step."""


def text_script(user_id: int, step: int, fake: FakeBotAPI, rng: random.Random) -> Step:
    return Step("text", text=f"第{step + 1}条消息，来自用户{user_id}")


def advisor_script(user_id: int, step: int, fake: FakeBotAPI, rng: random.Random) -> Step:
    """/start, then questions about overdue Huabei mixed with presses of the buttons the bot showed last."""
    if step == 0:
        return Step("text", text="/start")
    last = fake.last_message(user_id)
    buttons = [
        button
        for row in ((last or {}).get("reply_markup") or {}).get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]
    if last is not None and buttons and rng.random() < 0.4:
        return Step("press", data=rng.choice(buttons)["callback_data"], message_id=last["message_id"])
    return Step("text", text=rng.choice(questions()))


#: Questions in Hong Kong Cantonese, for the `languages` script.
CANTONESE_QUESTIONS = ["我張借唄還唔到，點算好", "花唄逾期咗三個月，會唔會俾人告", "佢哋成日打電話嚟催數，我好驚"]


def languages_script(user_id: int, step: int, fake: FakeBotAPI, rng: random.Random) -> Step:
    """The advisor script, each user writing in one language the advisor answers in (Simplified, Traditional,
    Cantonese, English), so every conversion table is loaded, as real traffic would load them."""
    step_taken = advisor_script(user_id, step, fake, rng)
    if step_taken.kind != "text" or step_taken.text.startswith("/"):
        return step_taken
    from bot.core.i18n import to_traditional

    match user_id % 4:
        case 1:
            return Step("text", text=to_traditional(step_taken.text))
        case 2:
            return Step("text", text=rng.choice(CANTONESE_QUESTIONS))
        case 3:
            english = [q for q in questions() if q.isascii()]
            return Step("text", text=rng.choice(english))
    return step_taken


SCRIPTS: dict[str, Script] = {"text": text_script, "advisor": advisor_script, "languages": languages_script}


# -- the bot process -----------------------------------------------------------------------------------------------


def bot_argv(template: str, base_url: str, token: str, db: str) -> list[str]:
    values = {"base_url": shlex.quote(base_url), "token": shlex.quote(token), "db": shlex.quote(db)}
    return shlex.split(template.format_map(values))


def descendants(pid: int) -> list[int]:
    """The process and its live descendants, from /proc/PID/task/*/children."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                queue += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def cpu_seconds(pid: int) -> float:
    """User+system CPU of the process tree, including children it has already waited for."""
    total = 0
    for member in descendants(pid):
        try:
            stat = Path(f"/proc/{member}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # the command name may contain spaces
        utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
        total += utime + stime + cutime + cstime
    return total / CLOCK_TICKS


def peak_rss_mib(pid: int) -> float:
    """The sum of VmHWM (peak resident set) over the process tree."""
    total_kib = 0
    for member in descendants(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        total_kib += int(match.group(1)) if match else 0
    return total_kib / 1024


async def stop_process(process: asyncio.subprocess.Process, grace: float) -> str:
    if process.returncode is not None:
        return f"exited by itself ({process.returncode})"
    process.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(process.wait(), grace)
        return "stopped on SIGINT"
    except TimeoutError:
        process.kill()
        await process.wait()
        return f"killed after {grace:.0f}s without stopping on SIGINT"


# -- one bot -------------------------------------------------------------------------------------------------------


@dataclass
class BotResult:
    name: str
    command: str
    users: int
    messages_per_user: int
    first_reply_s: float | None = None
    messages: int = 0
    replied: int = 0
    lost: int = 0
    burst_s: float = 0.0
    messages_per_s: float = 0.0
    cpu_ms_per_message: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    peak_rss_mib: float = 0.0
    bot_api_errors: dict[str, int] = field(default_factory=dict)
    api_calls: dict[str, int] = field(default_factory=dict)  # Bot API calls by method over the whole run
    steps: dict[str, int] = field(default_factory=dict)
    driver_cpu_s: float = 0.0
    stop: str = ""
    error: str | None = None
    log: str = ""


async def user_session(
    fake: FakeBotAPI,
    user_id: int,
    script: Script,
    messages: int,
    step_timeout: float,
    latencies: list[float],
    result: BotResult,
) -> None:
    rng = random.Random(user_id)
    for number in range(messages):
        step = script(user_id, number, fake, rng)
        kinds: tuple[OutputKind, ...] = ("message", "edit")
        started = time.monotonic()
        if step.kind == "press":
            update_id = fake.inject_callback(user_id, step.data, message_id=step.message_id)
            kinds = ("message", "edit", "answer")
        else:
            update_id = fake.inject_message(user_id, step.text)
        result.messages += 1
        result.steps[step.kind] = result.steps.get(step.kind, 0) + 1
        try:
            output = await fake.wait_for_reply(update_id, kinds=kinds, timeout=step_timeout)
        except TimeoutError:
            result.lost += 1
            continue
        result.replied += 1
        latencies.append(output.at - started)


async def measure_bot(name: str, template: str, args: argparse.Namespace, log_path: Path) -> BotResult:
    result = BotResult(name, template, args.users, args.messages, log=str(log_path))
    script = SCRIPTS[args.script]
    with tempfile.TemporaryDirectory(prefix="load-") as scratch:
        async with FakeBotAPI() as fake:
            argv = bot_argv(template, fake.base_url, fake.token, str(Path(scratch) / "advisor.sqlite3"))
            env = {
                **os.environ,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "TELEGRAM_BOT_TOKEN": fake.token,
                "ADVISOR_DB": str(Path(scratch) / "advisor.sqlite3"),
            }
            with log_path.open("wb") as log:
                started = time.monotonic()
                process = await asyncio.create_subprocess_exec(
                    *argv, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=ROOT
                )
                try:
                    await run_bot(fake, process, started, script, args, result)
                except (TimeoutError, RuntimeError) as error:
                    result.error = str(error) or type(error).__name__
                finally:
                    result.stop = await stop_process(process, args.stop_grace)
            errors: dict[str, int] = {}
            for call in fake.calls():
                if call.status != 200:
                    key = f"{call.method} {call.status}"
                    errors[key] = errors.get(key, 0) + 1
            result.bot_api_errors = errors
            calls: dict[str, int] = {}
            for call in fake.calls():
                calls[call.method] = calls.get(call.method, 0) + 1
            result.api_calls = calls
    return result


async def run_bot(
    fake: FakeBotAPI,
    process: asyncio.subprocess.Process,
    started: float,
    script: Script,
    args: argparse.Namespace,
    result: BotResult,
) -> None:
    exited = asyncio.create_task(process.wait())
    try:
        # The probe goes in once the bot polls: a bot may drop updates that were pending when it started.
        polling = asyncio.create_task(fake.wait_for(lambda: fake.requests_received("getUpdates"), args.start_timeout))
        await asyncio.wait({polling, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited.done():
            polling.cancel()
            raise RuntimeError(f"the bot exited with {process.returncode} before polling; see {result.log}")
        try:
            await polling
        except TimeoutError:
            raise TimeoutError(f"the bot did not call getUpdates within {args.start_timeout:.0f}s") from None
        probe = fake.inject_message(PROBE_USER, "/start")
        remaining = args.start_timeout - (time.monotonic() - started)
        try:
            first = await fake.wait_for_reply(probe, timeout=max(remaining, 0.1))
        except TimeoutError:
            raise TimeoutError(f"no reply to the probe /start within {args.start_timeout:.0f}s") from None
        result.first_reply_s = first.at - started

        latencies: list[float] = []
        cpu_before = cpu_seconds(process.pid)
        driver_before = resource.getrusage(resource.RUSAGE_SELF)
        burst_started = time.monotonic()
        users = [
            user_session(fake, FIRST_USER + n, script, args.messages, args.step_timeout, latencies, result)
            for n in range(args.users)
        ]
        await asyncio.wait_for(asyncio.gather(*users), args.burst_timeout)
        result.burst_s = time.monotonic() - burst_started
        cpu = cpu_seconds(process.pid) - cpu_before
        driver_after = resource.getrusage(resource.RUSAGE_SELF)
        result.driver_cpu_s = (driver_after.ru_utime + driver_after.ru_stime) - (
            driver_before.ru_utime + driver_before.ru_stime
        )
        result.peak_rss_mib = peak_rss_mib(process.pid)
        if process.returncode is not None:
            raise RuntimeError(f"the bot exited with {process.returncode} during the burst; see {result.log}")
        result.messages_per_s = result.replied / result.burst_s if result.burst_s else 0.0
        result.cpu_ms_per_message = 1000 * cpu / result.messages if result.messages else 0.0
        if latencies:
            ordered = sorted(latencies)
            result.p50_ms = 1000 * statistics.median(ordered)
            result.p99_ms = 1000 * ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
            result.max_ms = 1000 * ordered[-1]
    finally:
        if not exited.done():
            exited.cancel()


# -- reporting -----------------------------------------------------------------------------------------------------


COLUMNS = [
    ("msg/s", "messages_per_s", "{:.1f}"),
    ("CPU ms/msg", "cpu_ms_per_message", "{:.2f}"),
    ("p50 ms", "p50_ms", "{:.1f}"),
    ("p99 ms", "p99_ms", "{:.1f}"),
    ("peak RSS MiB", "peak_rss_mib", "{:.1f}"),
    ("first reply s", "first_reply_s", "{:.2f}"),
]


def table(results: list[BotResult]) -> str:
    header = ["bot", *(title for title, _, _ in COLUMNS), "lost", "API errors"]
    rows = [header]
    for result in results:
        cells = [result.name]
        for _, key, form in COLUMNS:
            value = getattr(result, key)
            cells.append("—" if value is None or result.error else form.format(value))
        cells.append(str(result.lost))
        cells.append(str(sum(result.bot_api_errors.values())))
        rows.append(cells)
    baseline = results[0]
    if len(results) > 1 and not baseline.error:
        for result in results[1:]:
            cells = [f"{result.name}/{baseline.name}"]
            for _, key, _ in COLUMNS:
                mine, base = getattr(result, key), getattr(baseline, key)
                cells.append(f"×{mine / base:.2f}" if mine and base and not result.error else "—")
            rows.append([*cells, "", ""])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)


def parse_bots(specs: list[str]) -> list[tuple[str, str]]:
    bots = []
    for number, spec in enumerate(specs, start=1):
        named = re.match(r"([A-Za-z_][\w.-]*)=(.+)", spec)
        if named:
            bots.append((named.group(1), named.group(2)))
            continue
        module = re.search(r"-m\s+([\w.]+)", spec)
        bots.append((module.group(1).rsplit(".", 1)[-1] if module else f"bot{number}", spec))
    names = [name for name, _ in bots]
    if len(set(names)) != len(names):
        raise SystemExit(f"bot names must differ: {names}; name them as NAME=COMMAND")
    return bots


async def run(args: argparse.Namespace) -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results = []
    for name, template in parse_bots(args.bot):
        print(f"[{name}] {template}: {args.users} users × {args.messages} messages ({args.script} script)", flush=True)
        result = await measure_bot(name, template, args, RESULTS / f"load-{stamp}-{name}.log")
        status = f"error: {result.error}" if result.error else f"{result.replied}/{result.messages} replied"
        if result.burst_s:
            # Near 100% the driver, not the bot, sets the pace: the numbers would then flatter the bot.
            status += f"; driver CPU {100 * result.driver_cpu_s / result.burst_s:.0f}% of a core"
        print(f"[{name}] {status}; {result.stop}", flush=True)
        results.append(result)
    print()
    print(table(results))
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "users": args.users,
        "messages_per_user": args.messages,
        "script": args.script,
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "results": [asdict(result) for result in results],
    }
    out = RESULTS / f"load-{stamp}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"\nJSON: {out.relative_to(ROOT)}")
    return 1 if any(result.error or result.lost for result in results) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--bot", action="append", required=True, help="[NAME=]COMMAND; repeat to compare, first is baseline"
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=15, help="messages per user")
    parser.add_argument("--script", choices=sorted(SCRIPTS), default="text")
    parser.add_argument("--start-timeout", type=float, default=60.0, help="seconds to the first reply")
    parser.add_argument("--step-timeout", type=float, default=30.0, help="seconds a user waits for one reply")
    parser.add_argument("--burst-timeout", type=float, default=900.0, help="seconds for all users together")
    parser.add_argument("--stop-grace", type=float, default=15.0, help="seconds after SIGINT before SIGKILL")
    args = parser.parse_args(argv)
    if args.users < 1 or args.messages < 1:
        parser.error("--users and --messages must be at least 1")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
