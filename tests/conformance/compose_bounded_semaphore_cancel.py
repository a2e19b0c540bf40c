# Rule: BoundedSemaphore waits like Semaphore: a waiter cancelled while queued just leaves, one
# granted the unit by release() but cancelled before it runs hands it to the next waiter, and
# at the end the value is back to its bound, so one more release() is a ValueError (10).
import asyncio


async def worker(sem, name):
    try:
        async with sem:
            print(name, "in, value", sem._value)
            await asyncio.sleep(0)
        print(name, "out, value", sem._value)
    except asyncio.CancelledError:
        print(name, "cancelled, locked:", sem.locked())
        raise


async def main():
    sem = asyncio.BoundedSemaphore(1)
    await sem.acquire()
    ts = [asyncio.create_task(worker(sem, n)) for n in ("a", "b", "c", "d")]
    await asyncio.sleep(0)
    ts[0].cancel()  # still queued
    await asyncio.sleep(0)
    sem.release()  # grants the unit to b ...
    ts[1].cancel()  # ... cancelled before it runs: c gets it
    await asyncio.gather(*ts, return_exceptions=True)
    print("value", sem._value, "locked", sem.locked(), "cancelled:", [t.cancelled() for t in ts])
    try:
        sem.release()
    except ValueError as e:
        print(repr(e))


asyncio.run(main())
