"""Other users' reply latency while an admin reloads a large knowledge base (issue #11.5).

    python -m bench.reload [--entries 2835] [--users 20] [--ways loop,process] [--again] [--blocking]

Builds a valid base of about 5 MB in a temporary folder (the shipped knowledge plus generated entries with long
answers; never committed). The engine serves the shipped knowledge (real SQLite file) to `--users` users, each
asking a question about every half second, and an admin's reload swaps the large base in while they ask (as when
an admin adds a big import); with `--again` the engine already serves the large base and reloads it, so the old
generation it drops is large too. Reports their p50 / p99 / max reply time before and during the reload, and the
longest the event loop did not get round to a ticker that should wake every 10 ms.

Each way of reloading (`--ways`) runs in turn in the same process, so they are compared under the same load:
`loop` builds on the event loop itself (the baseline, as /reload did before #11.5; `--blocking` runs only it),
`thread` in a worker thread of the bot's process (as it did next), `process` is `Engine.reload` (a child process).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from bot.config import DEFAULT_KNOWLEDGE_DIR, MatcherConfig
from bot.engine import Engine, Incoming, Kind, Knowledge
from bot.storage import Storage

#: The matcher's cache of recent questions would answer repeated questions for free; the bench measures real work.
NO_CACHE = MatcherConfig(cache_size=0)
_TICK = 0.01
#: Seconds between one user's questions, on average.
_EVERY = 0.5


def big_base(folder: Path, entries: int, rng: random.Random) -> Path:
    """The shipped knowledge plus `entries` generated ones, each with an answer of about 1.7 kB."""
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, folder)
    shipped = Knowledge.load(folder, NO_CACHE).kb
    examples = [e for entry in shipped.entries for e in entry.examples if not e.isascii()]
    chars = sorted({c for e in examples for c in e})
    answers = [entry.answer["zh-hans"] for entry in shipped.entries]
    generated = []
    for n in range(entries):
        topic = "".join(rng.choice(chars) for _ in range(3))
        questions = sorted({f"{topic}{rng.choice(examples)}{n}" for _ in range(10)})[:8]
        answer = "\n\n".join(rng.sample(answers, 2))[:300]
        generated.append(
            {
                "id": f"synthetic.e{n}",
                "title": {"zh-hans": f"合成条目{n}{topic}", "en": f"Synthetic {n}"},
                "answer": {"zh-hans": answer, "en": "A generated answer. " * 20},
                "examples": questions,
                "keywords": [topic],
            }
        )
    for start in range(0, entries, 500):
        chunk = {"entries": generated[start : start + 500]}
        (folder / "entries" / f"synthetic{start:05d}.yaml").write_text(
            yaml.safe_dump(chunk, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return folder


def size_of(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*.yaml"))


def summary(samples: list[float]) -> str:
    if not samples:
        return "no replies"
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms "
        f"({len(ordered)} replies)"
    )


#: The ways `run` can reload (see the module's docstring).
WAYS = {
    "loop": "on the event loop",
    "thread": "in a worker thread",
    "process": "in a child process (Engine.reload)",
}


async def _in_thread(folder: Path) -> Knowledge:
    """How /reload built before the child process: in a worker thread, the garbage collector resting meanwhile."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return await asyncio.to_thread(Knowledge.load, folder, NO_CACHE)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


async def run(folder: Path, users: int, database: Path, *, way: str, again: bool) -> None:
    shipped = Knowledge.load(DEFAULT_KNOWLEDGE_DIR, NO_CACHE)
    questions = [e for entry in shipped.kb.entries for e in entry.examples]
    rng = random.Random(7)
    async with await Storage.open(database) as storage:
        # serving the shipped base until the reload (or, `again`, the large one itself)
        engine = Engine(Knowledge.load(folder, NO_CACHE) if again else shipped, storage, directory=folder)
        del shipped  # the engine's is the only reference: the reload drops the old generation as the bot does
        replies: list[tuple[float, float]] = []  # (started, took)
        stalls: list[tuple[float, float]] = []  # (at, how late the ticker woke)
        stop = asyncio.Event()

        async def user(user_id: int) -> None:
            # One question every `_EVERY` seconds or so; a reply's time counts from when the question was due,
            # so time spent waiting for a blocked event loop is in it.
            update_id = 0
            due = time.perf_counter() + rng.uniform(0, _EVERY)
            while not stop.is_set():
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                update_id += 1
                event = Incoming(user_id, Kind.TEXT, text=rng.choice(questions), update_id=update_id)
                await engine.handle(event)
                replies.append((due, time.perf_counter() - due))
                due = max(due + rng.uniform(0.5, 1.5) * _EVERY, time.perf_counter())

        async def ticker() -> None:
            while not stop.is_set():
                before = time.perf_counter()
                await asyncio.sleep(_TICK)
                stalls.append((before, time.perf_counter() - before - _TICK))

        tasks = [asyncio.create_task(user(1000 + n)) for n in range(users)]
        tasks.append(asyncio.create_task(ticker()))
        await asyncio.sleep(3)
        reload_started = time.perf_counter()
        if way == "loop":
            engine.knowledge = Knowledge.load(folder, NO_CACHE)
        elif way == "thread":
            engine.knowledge = await _in_thread(folder)
        else:
            await engine.reload()
        reload_ended = time.perf_counter()
        await asyncio.sleep(0.5)  # the old generation is freed once the last reply using it is sent
        stop.set()
        await asyncio.gather(*tasks)
        entries = len(engine.knowledge.kb.entries)

    def during(start: float, took: float) -> bool:
        return start + took >= reload_started and start <= reload_ended

    warm = replies[0][0] + 1.0  # the first second fills caches (and the database) for everyone at once
    before = [took for start, took in replies if warm <= start and start + took < reload_started]
    overlapping = [took for start, took in replies if during(start, took)]
    worst_stall = max((late for at, late in stalls if at + late + _TICK >= reload_started), default=0.0)
    print(f"-- reload {WAYS[way]}{' (large base reloaded)' if again else ''}: {entries} entries")
    print(f"reload took {(reload_ended - reload_started) * 1000:.0f} ms")
    print(f"{users} users before the reload: {summary(before)}")
    print(f"{users} users during the reload: {summary(overlapping)}")
    print(f"longest event-loop stall from the reload's start on: {worst_stall * 1000:.0f} ms", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=2_863 - 28)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--ways", default="loop,process", help=f"ways to reload, in turn: {', '.join(WAYS)}")
    parser.add_argument("--blocking", action="store_true", help="only build on the event loop (--ways loop)")
    parser.add_argument("--again", action="store_true", help="serve the large base already and reload it")
    args = parser.parse_args()
    ways = ["loop"] if args.blocking else args.ways.split(",")
    if unknown := set(ways) - set(WAYS):
        parser.error(f"unknown ways: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = big_base(Path(tmp) / "knowledge", args.entries, random.Random(20261202))
        print(f"knowledge: {size_of(folder) / 1e6:.1f} MB of YAML; {args.users} users; the machine may be shared")
        for way in ways:
            database = Path(tmp) / f"bench-{way}.sqlite3"
            asyncio.run(run(folder, args.users, database, way=way, again=args.again))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
