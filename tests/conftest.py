"""Fixtures for the whole suite: a fresh database per test; knowledge built once per session per folder content.

Building the shipped knowledge (YAML, validation, the matcher's indexes, the walkthrough and /plan texts) takes a few
seconds; most tests that start the bot or the engine would otherwise rebuild the same thing. The bot keeps one
`Knowledge` for all its users and never changes it (a /reload swaps in a new one), so sharing one between tests is
what production does too. The cache is keyed by the folder's bytes, so a test that edits its own copy of a folder
(and /reloads it) gets a fresh build, and a load that fails is never cached.

The same holds one level down, for the tests (and the `advisor` commands run in-process) that load a
`KnowledgeBase` and build a `Matcher` on it themselves: `load_knowledge` is kept per folder content, and the
matcher's index (the costly part of a `Matcher`, a pure function of the knowledge base and the weights) per loaded
base. Every `Matcher` is still a new one, with its own recent results; a base built in memory by a test is indexed
afresh.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import bot.core.knowledge
import bot.core.matcher
from bot.core.knowledge import KnowledgeBase
from bot.core.matcher.index import Index
from bot.core.matcher.index import build_index as _build_index
from bot.core.matcher.values import Weights
from bot.engine import Knowledge
from bot.storage import Storage

_build = Knowledge.load  # the real classmethod, bound to Knowledge
_load_knowledge = bot.core.knowledge.load_knowledge  # the real functions


def fingerprint(directory: Path) -> str:
    """A digest of every file under `directory` (names and bytes): equal folders, equal knowledge."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


#: Knowledge built this session, by (folder fingerprint, the other arguments of `Knowledge.load`).
_BUILT: dict[tuple[str, tuple[object, ...], tuple[tuple[str, object], ...]], Knowledge] = {}


def load_once(cls: type[Knowledge], /, directory: Path, *options: Any, **named: Any) -> Knowledge:
    """`Knowledge.load`, built once per folder content and settings in a test session, wherever the folder is
    (nothing loaded remembers its path, so a test's copy of the shipped folder shares the shipped build)."""
    directory = Path(directory)
    if not directory.is_dir():
        return _build(directory, *options, **named)  # the real error, every time
    key = (fingerprint(directory), options, tuple(sorted(named.items())))
    if key not in _BUILT:
        _BUILT[key] = _build(directory, *options, **named)  # a failed build raises and is not kept
    return _BUILT[key]


#: Knowledge bases loaded this session, by (folder fingerprint, the other arguments of `load_knowledge`).
_LOADED: dict[tuple[str, tuple[tuple[str, str], ...]], KnowledgeBase] = {}
#: The same bases by `id`: only these (kept alive by `_LOADED`, so an id is never reused) have their index kept.
_LOADED_BY_ID: dict[int, KnowledgeBase] = {}
_INDEXED: dict[tuple[int, Weights], Index] = {}


def load_knowledge_once(directory: Path, **named: Any) -> KnowledgeBase:
    """`load_knowledge`, read once per folder content and arguments. A load with an `extra` check (its own
    side effects) or of a folder that does not exist runs for real every time, as does one that fails."""
    directory = Path(directory)
    if not directory.is_dir() or named.get("extra") is not None:
        return _load_knowledge(directory, **named)
    key = (fingerprint(directory), tuple(sorted((name, repr(value)) for name, value in named.items())))
    if key not in _LOADED:
        kb = _load_knowledge(directory, **named)
        _LOADED[key] = kb
        _LOADED_BY_ID[id(kb)] = kb
    return _LOADED[key]


def build_index_once(kb: KnowledgeBase, weights: Weights, form: Any) -> Index:
    """The matcher's index, built once per knowledge base loaded by `load_knowledge_once` and per weights."""
    if _LOADED_BY_ID.get(id(kb)) is not kb:
        return _build_index(kb, weights, form)
    key = (id(kb), weights)
    if key not in _INDEXED:
        _INDEXED[key] = _build_index(kb, weights, form)
    return _INDEXED[key]


def _modules_holding(value: object) -> Iterator[tuple[object, str]]:
    """(module, name) of every module of the project (and the tests) that imported `value` by name."""
    for module_name, module in list(sys.modules.items()):
        mine = module is not None and vars(module) is globals()  # this module keeps the real one, to call it
        if module_name.split(".")[0] in {"bot", "bench", "tests"} and module is not None and not mine:
            for name, held in list(vars(module).items()):
                if held is value:
                    yield module, name


@pytest.fixture(autouse=True, scope="session")
def _knowledge_built_once() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Knowledge, "load", classmethod(load_once))
        # After collection every test module and what it imports is loaded; a later `from … import` reads the
        # patched name from bot.core.knowledge.
        for module, name in _modules_holding(_load_knowledge):
            patch.setattr(module, name, load_knowledge_once)
        patch.setattr(bot.core.matcher, "build_index", build_index_once)
        yield


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    """A fresh database of the test's own (a test file may define its own `storage`, e.g. with a fake clock)."""
    async with await Storage.open(tmp_path / "advisor.sqlite3") as opened:
        yield opened
