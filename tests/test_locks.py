"""Per-key locks: one key's holders take turns in arrival order, other keys run alongside, nothing is left behind."""

from __future__ import annotations

import asyncio

from bot.locks import KeyedLocks


async def test_one_keys_holders_take_turns_in_arrival_order_while_other_keys_run_alongside() -> None:
    locks = KeyedLocks()
    log: list[str] = []
    release = asyncio.Event()

    async def hold(key: int, name: str, wait: bool = False) -> None:
        async with locks.hold(key):
            log.append(f"{name} in")
            if wait:
                await release.wait()
            log.append(f"{name} out")

    first = asyncio.create_task(hold(1, "a", wait=True))
    await asyncio.sleep(0)
    queued = [asyncio.create_task(hold(1, name)) for name in ("b", "c")]
    other = asyncio.create_task(hold(2, "x"))
    await other
    assert log == ["a in", "x in", "x out"]  # key 2 did not wait for key 1
    assert len(locks) == 1
    release.set()
    await asyncio.gather(first, *queued)
    assert log[3:] == ["a out", "b in", "b out", "c in", "c out"]
    assert len(locks) == 0  # nobody holds or waits: forgotten
