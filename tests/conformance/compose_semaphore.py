# Rule: Semaphore hands released units to waiters in FIFO order; a waiter granted a unit but
# cancelled before it runs gives the unit back to the next one; BoundedSemaphore refuses to go
# above its initial value; a negative initial value is a ValueError (10).
import asyncio


async def worker(sem, name):
    print(name, "waits, locked:", sem.locked())
    try:
        async with sem:
            print(name, "in")
            await asyncio.sleep(0)
            print(name, "out")
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def main():
    sem = asyncio.Semaphore(2)
    ts = {n: asyncio.create_task(worker(sem, n)) for n in ("a", "b", "c", "d", "e")}
    await asyncio.sleep(0)
    ts["d"].cancel()
    await asyncio.sleep(0)
    ts["c"].cancel()  # granted a unit by a's release in this pass's callbacks? see the output
    await asyncio.gather(*ts.values(), return_exceptions=True)
    print("value after:", sem._value, "locked:", sem.locked())
    b = asyncio.BoundedSemaphore(1)
    await b.acquire()
    b.release()
    try:
        b.release()
    except ValueError as e:
        print(repr(e))
    try:
        asyncio.Semaphore(-1)
    except ValueError as e:
        print(repr(e))


asyncio.run(main())
