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


async def test_a_holder_of_several_keys_waits_for_each_and_shared_keys_never_wait_in_a_circle() -> None:
    locks = KeyedLocks()
    log: list[str] = []
    release = asyncio.Event()

    async def hold(keys: tuple[int, ...], name: str, wait: bool = False) -> None:
        async with locks.hold(*keys):
            log.append(f"{name} in")
            if wait:
                await release.wait()
            log.append(f"{name} out")

    private = asyncio.create_task(hold((7,), "private", wait=True))  # a user in their private chat (id 7)
    await asyncio.sleep(0)
    in_group = asyncio.create_task(hold((-100, 7), "group"))  # the same user in a group: group and user
    other_in_group = asyncio.create_task(hold((8, -100), "other"))  # another member of that group, keys reversed
    stranger = asyncio.create_task(hold((9,), "stranger"))
    await stranger
    assert log == ["private in", "stranger in", "stranger out"]  # nobody else waits for user 7
    assert not in_group.done()  # user 7's line in the group waits for their private one
    assert not other_in_group.done()  # and the group's next line waits for it
    release.set()
    await asyncio.wait_for(asyncio.gather(private, in_group, other_in_group), timeout=5)
    assert log[3:] == ["private out", "group in", "group out", "other in", "other out"]
    assert len(locks) == 0
