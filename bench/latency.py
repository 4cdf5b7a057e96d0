"""Match latency (p50/p99) on the shipped knowledge base and on a synthetic one of 10,000 entries,
and the start-up time and peak memory of `advisor ask`.

    python -m bench.latency [--entries 10000] [--queries 2000]

The synthetic base is generated here (never committed): entries whose examples are random phrases built from
the shipped examples' own characters and words, so the index sees realistic feature frequencies.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot.config import DEFAULT_KNOWLEDGE_DIR, MatcherConfig
from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.matcher import Matcher

ROOT = Path(__file__).resolve().parent.parent
#: Latency of matching itself: the cache of recent questions would answer repeated ones for free.
NO_CACHE = MatcherConfig(cache_size=0)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50, p99, ordered[-1]


def queries(kb: KnowledgeBase, count: int, rng: random.Random) -> list[str]:
    """Realistic questions: shipped examples with a character dropped or swapped, some long stories."""
    examples = [e for entry in kb.entries for e in entry.examples]
    result = []
    for i in range(count):
        text = rng.choice(examples)
        if i % 3 == 0 and len(text) > 4:
            cut = rng.randrange(len(text))
            text = text[:cut] + text[cut + 1 :]
        if i % 10 == 0:
            text = "，".join(rng.choice(examples) for _ in range(12))  # a long message (~150-300 chars)
        result.append(text)
    return result


def timed(matcher: Matcher, questions: list[str]) -> list[float]:
    for q in questions[:50]:
        matcher.match(q)  # warm caches (OpenCC, regexes)
    samples = []
    for q in questions:
        started = time.perf_counter()
        matcher.match(q)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure(kb: KnowledgeBase, questions: list[str]) -> tuple[float, tuple[float, float, float]]:
    """Milliseconds to build a matcher (cache off) for `kb`, and its p50, p99 and worst match time on `questions`."""
    started = time.perf_counter()
    matcher = Matcher(kb, NO_CACHE)
    build = (time.perf_counter() - started) * 1000
    return build, percentiles(timed(matcher, questions))


def synthetic(kb: KnowledgeBase, entries: int, folder: Path, rng: random.Random) -> Path:
    examples = [e for entry in kb.entries for e in entry.examples if not e.isascii()]
    pieces = [e[i : i + rng.randint(2, 4)] for e in examples for i in range(0, len(e), 3)]
    chars = sorted({c for e in examples for c in e})
    (folder / "entries").mkdir(parents=True)
    generated = []
    for n in range(entries):
        topic = "".join(rng.choice(chars) for _ in range(2))  # what makes this entry distinct
        qs = sorted({topic + "".join(rng.choice(pieces) for _ in range(rng.randint(2, 4))) + f"{n}" for _ in range(8)})
        while len(qs) < 8:
            qs.append(f"{topic}{n}问{len(qs)}")
        generated.append(
            {
                "id": f"synthetic.e{n}",
                "title": {"zh-hans": f"合成条目{n}", "en": f"Synthetic {n}"},
                "answer": {"zh-hans": "合成回答", "en": "synthetic answer"},
                "examples": qs,
                "keywords": [topic],
            }
        )
    for start in range(0, entries, 1000):
        chunk = {"entries": generated[start : start + 1000]}
        (folder / "entries" / f"s{start:05d}.yaml").write_text(
            yaml.safe_dump(chunk, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    for shipped in DEFAULT_KNOWLEDGE_DIR.glob("*.yaml"):  # every file beside the entries: texts, aliases, tools …
        (folder / shipped.name).write_bytes(shipped.read_bytes())
    return folder


QUESTION = "花呗逾期会影响征信吗"
#: `advisor ask` as `python -m bot` runs it, writing its peak RSS (kB) to stderr as it exits. Read from /proc by the
#: process itself: a parent's getrusage counts the forked copy of the parent before exec, here a 10,000-entry index.
_REPORTING_PEAK = (
    "import atexit, re, runpy, sys\n"
    "status = lambda: open('/proc/self/status', encoding='ascii').read()\n"
    "atexit.register(lambda: sys.stderr.write('\\nVmHWM ' + re.search(r'VmHWM:\\s+(\\d+)', status()).group(1)))\n"
    "sys.argv = ['bot', *sys.argv[1:]]\n"
    "runpy.run_module('bot', run_name='__main__', alter_sys=True)\n"
)


def startup(runs: int = 5) -> tuple[float, float | None]:
    """Median seconds from starting `advisor ask --json QUESTION` to its exit, and its peak RSS in MiB (None where
    /proc is not there to tell)."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--json", QUESTION], cwd=ROOT, check=True, capture_output=True
        )
        samples.append(time.perf_counter() - started)
    if not Path("/proc/self/status").exists():
        return statistics.median(samples), None
    done = subprocess.run(
        [sys.executable, "-c", _REPORTING_PEAK, "ask", "--json", QUESTION], cwd=ROOT, capture_output=True, text=True
    )
    peak = done.stderr.rsplit("VmHWM ", 1)[-1].strip()
    return statistics.median(samples), int(peak) / 1024 if peak.isdigit() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    rng = random.Random(20261129)

    kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    build, (p50, p99, worst) = measure(kb, queries(kb, args.queries, rng))
    print(
        f"shipped   ({len(kb.entries)} entries): build {build:.0f} ms; match p50 {p50:.3f} ms, p99 {p99:.3f} ms, "
        f"max {worst:.3f} ms over {args.queries} questions"
    )

    with tempfile.TemporaryDirectory() as tmp:
        folder = synthetic(kb, args.entries, Path(tmp), rng)
        started = time.perf_counter()
        big = load_knowledge(folder, required_ids=())
        load_ms = (time.perf_counter() - started) * 1000
        build, (p50, p99, worst) = measure(big, queries(kb, args.queries, rng))
        print(
            f"synthetic ({len(big.entries)} entries): load {load_ms:.0f} ms, build {build:.0f} ms; "
            f"match p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {worst:.3f} ms"
        )
    seconds, peak = startup()
    memory = f"; peak RSS {peak:.1f} MiB" if peak is not None else ""
    print(f"start-up of `advisor ask --json QUESTION` (median of 5 runs, whole process): {seconds:.2f} s{memory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
