"""`python -m tests.clockbot CLOCKFILE`: `advisor run` (configured from the environment) whose reminders take the time
from CLOCKFILE (unix seconds as text), so a test can kill the process, move time on, and start it again."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from bot.config import load_config
from bot.telegram.serving import run_bot


def main() -> int:
    clock_file = Path(sys.argv[1])
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def clock() -> float:
        return float(clock_file.read_text(encoding="utf-8"))

    config = os.environ.get("ADVISOR_CONFIG")  # as `advisor run` reads it
    return run_bot(load_config(Path(config) if config else None), clock=clock)


if __name__ == "__main__":
    sys.exit(main())
