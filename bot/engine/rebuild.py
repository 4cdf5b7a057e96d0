"""Builds a new knowledge generation for /reload in a child process, so the bot's own process stays free to answer.

Reading, validating and indexing a large base is seconds of CPU, most of it Python bytecode and long C calls
(LibYAML's parser, the matcher's tables). In a worker thread of the bot's process it still holds the GIL the event
loop needs: each of the loop's wake-ups waited up to a switch interval (5 ms) for it, several per reply, and a long
C call stalled the loop whole. So a child process (`spawn`: a fresh interpreter, nothing of the bot's state copied)
does all of it and writes the built generation to a file, and the bot's process only reads that file back. The file
is read through Python-level calls, a frame at a time, so even that is handed over in pieces of a few milliseconds
(see `_Pieces`).

The generation a reload replaces is as large, and freeing it in one go (the last reference dropped) is a cascade of
deallocations in C, about 150 ms of the GIL for a 5 MB base; `take_apart` frees it from a worker thread instead, one
object at a time.

A folder with problems comes back as the same `KnowledgeError` a load in this process raises; any other failure of
the build (a bug, a child killed for memory) is raised as it is. Either way nothing is swapped in. Like any `spawn`
child, it imports the program's main module again, so that module must start nothing at import (the `advisor`
command, `python -m bot` and the benches do not).
"""

from __future__ import annotations

import copyreg
import gc
import io
import multiprocessing
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from bot.config import MatcherConfig
from bot.core.learned import LearnedModel, load_shipped
from bot.engine.knowledge import Knowledge
from bot.errors import KnowledgeError, Problem

#: The one object the child and the bot's process both hold already: the shipped learned model (numpy weights).
#: It travels as this name, so the new generation shares the bot's copy instead of a second one arriving.
_SHIPPED_MODEL = "learned-model"
#: How much lower the child's CPU priority is than the bot's (POSIX `nice`; 19 is the lowest).
_CHILD_NICENESS = 10
#: `sys.getrefcount` of an object held by nothing but `take_apart`'s local name (and the call's own argument).
_ONLY_HERE = 2
#: The GIL switch interval while the bot's process reads the built generation back, in seconds.
_QUICK_TURN = 0.001


def build_elsewhere(directory: Path, config: MatcherConfig) -> Knowledge:
    """`Knowledge.load(directory, config)`, built in a child process; blocking, so call it from a worker thread."""
    with tempfile.TemporaryDirectory(prefix="advisor-reload-") as scratch:
        built = Path(scratch) / "knowledge.pickle"
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn, initializer=_yield_the_cpu) as child:
            problems = child.submit(_build, directory.resolve(), config, built).result()
        if problems:
            raise KnowledgeError(problems)
        with built.open("rb") as file, _collector_resting(), _quick_turns():
            knowledge = _Reader(_Pieces(file)).load()
    if not isinstance(knowledge, Knowledge):
        raise TypeError(f"the child process built a {type(knowledge).__name__}, not Knowledge")
    return knowledge


@contextmanager
def _collector_resting() -> Iterator[None]:
    """Reading a generation back makes millions of objects, each allocation counting towards a garbage collection,
    and a full collection walks every object while holding the GIL (a quarter second and more that nobody is
    answered). So the collector rests meanwhile, and what was read is frozen out of its sight: knowledge lives until
    the next reload and is freed by reference counting then."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


@contextmanager
def _quick_turns() -> Iterator[None]:
    """The read-back and the event loop share the GIL; a thread waiting for it asks for it after the switch interval
    (5 ms), several times per reply. For the second or so of the read-back, the loop gets it back sooner."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, _QUICK_TURN))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def _yield_the_cpu() -> None:
    """In the child: the bot's own process comes first when they compete for a core (the build is background work)."""
    if hasattr(os, "nice"):  # POSIX
        os.nice(_CHILD_NICENESS)


def _build(directory: Path, config: MatcherConfig, built: Path) -> tuple[Problem, ...]:
    """In the child: load and validate the folder; write what was built to `built`, or return the problems."""
    try:
        knowledge = Knowledge.load(directory, config)
    except KnowledgeError as error:
        return error.problems
    with built.open("wb") as file:
        _Writer(file, knowledge.matcher.learned).dump(knowledge)
    return ()


def _proxy(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    """A read-only mapping again (the walkthrough's and /plan's tables are); pickle cannot name the type itself."""
    return MappingProxyType(mapping)


class _Writer(pickle.Pickler):
    """Pickles a generation: read-only mappings as their dict, the shipped learned model by name only."""

    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[MappingProxyType] = lambda mapping: (_proxy, (dict(mapping),))

    def __init__(self, file: IO[bytes], model: LearnedModel | None) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._model = model

    def persistent_id(self, obj: Any) -> str | None:
        return _SHIPPED_MODEL if obj is not None and obj is self._model else None


class _Reader(pickle.Unpickler):
    """Unpickles a generation, the shipped learned model being this process's own copy."""

    def persistent_load(self, pid: Any) -> Any:
        model = load_shipped() if pid == _SHIPPED_MODEL else None
        if model is None:
            raise pickle.UnpicklingError(f"the built knowledge refers to {pid!r}, which this process does not have")
        return model


class _Pieces:
    """A file read through Python-level calls. The C unpickler keeps the GIL from one read to the next, and calling
    Python code is where the interpreter hands it to a thread that waits for it, such as the event loop; pickle reads
    a frame (up to 64 kB) per call, a few milliseconds of building objects."""

    def __init__(self, file: io.BufferedReader) -> None:
        self._file = file

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def readinto(self, buffer: bytearray | memoryview) -> int:
        return self._file.readinto(buffer)

    def readline(self, size: int = -1) -> bytes:
        return self._file.readline(size)


def take_apart(pending: list[Any]) -> None:
    """Free what `pending` holds one object at a time, so that no single deallocation is long; run it in a worker
    thread, holding the only reference to what it frees (the engine's retired generation).

    Nothing is changed: an object only this function holds has its contents put on `pending` before it is let go, so
    dropping it frees that one object (and its atoms: strings, numbers); whatever someone else still holds is simply
    let go, to be freed by its last holder as usual.
    """
    while pending:
        item = pending.pop()
        if sys.getrefcount(item) == _ONLY_HERE:
            pending.extend(child for child in gc.get_referents(item) if gc.is_tracked(child))

