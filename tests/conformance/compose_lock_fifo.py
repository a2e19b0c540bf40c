# Rule: Lock is FIFO with no barging: acquire() on a free lock takes it without yielding; after
# release() the lock reads unlocked until the first waiter runs, yet a newcomer queues behind
# it (10). release() of an unlocked lock is RuntimeError('Lock is not acquired.').
import asyncio


async def user(lock, name, hold):
    print(name, "wants the lock")
    async with lock:
        print(name, "has the lock")
        for _ in range(hold):
            await asyncio.sleep(0)
    print(name, "released")


async def main():
    lock = asyncio.Lock()
    print("acquire free:", await lock.acquire(), "locked:", lock.locked())
    ts = [asyncio.create_task(user(lock, n, 1)) for n in ("a", "b", "c")]
    await asyncio.sleep(0)
    lock.release()
    print("after release locked:", lock.locked())
    late = asyncio.create_task(user(lock, "late", 0))
    await asyncio.gather(*ts, late)
    try:
        lock.release()
    except RuntimeError as e:
        print(repr(e))


asyncio.run(main())
