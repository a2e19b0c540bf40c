# Rule: Condition.notify(n) wakes up to n waiters in wait order; each re-acquires the lock before
# returning, one after the other; a waiter cancelled while waiting still re-takes the lock
# before its CancelledError goes on (10).
import asyncio


async def consumer(cond, name, box):
    async with cond:
        print(name, "waits")
        await cond.wait()
        print(name, "woke with", box.pop(0))


async def cancelled_one(cond):
    async with cond:
        try:
            await cond.wait()
        except asyncio.CancelledError:
            print("cancelled waiter holds the lock again:", cond.locked())
            raise


async def main():
    cond = asyncio.Condition()
    box = []
    ts = [asyncio.create_task(consumer(cond, n, box)) for n in ("c1", "c2", "c3")]
    await asyncio.sleep(0)
    async with cond:
        box.extend(["x", "y"])
        cond.notify(2)
        print("notified 2")
    await asyncio.sleep(0.01)
    async with cond:
        box.append("z")
        cond.notify_all()
    await asyncio.gather(*ts)
    try:
        cond.notify()
    except RuntimeError as e:
        print(repr(e))
    t = asyncio.create_task(cancelled_one(cond))
    await asyncio.sleep(0)
    await cond.acquire()
    t.cancel()
    await asyncio.sleep(0)
    print("releasing")
    cond.release()
    try:
        await t
    except asyncio.CancelledError:
        print("cancelled waiter finished:", t.cancelled())


asyncio.run(main())
