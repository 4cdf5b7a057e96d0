"""Fixtures for the whole suite: a fresh database per test; knowledge built once per session per folder content.

Building the shipped knowledge (YAML, validation, the matcher's indexes, the walkthrough and /plan texts) takes a few
seconds; most tests that start the bot or the engine would otherwise rebuild the same thing. The bot keeps one
`Knowledge` for all its users and never changes it (a /reload swaps in a new one), so sharing one between tests is
what production does too. The cache is keyed by the folder's bytes, so a test that edits its own copy of a folder
(and /reloads it) gets a fresh build, and a load that fails is never cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Knowledge
from bot.storage import Storage

_build = Knowledge.load  # the real classmethod, bound to Knowledge


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


@pytest.fixture(autouse=True, scope="session")
def _knowledge_built_once() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Knowledge, "load", classmethod(load_once))
        yield


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    """A fresh database of the test's own (a test file may define its own `storage`, e.g. with a fake clock)."""
    async with await Storage.open(tmp_path / "advisor.sqlite3") as opened:
        yield opened
