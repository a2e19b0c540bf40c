# Rule: a Lock waiter cancelled after release() woke it passes the wake-up on to the next
# waiter; a waiter cancelled while still queued just leaves (10).
import asyncio


async def user(lock, name):
    print(name, "waits")
    try:
        async with lock:
            print(name, "has the lock")
            await asyncio.sleep(0)
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    a = asyncio.create_task(user(lock, "a"))
    b = asyncio.create_task(user(lock, "b"))
    c = asyncio.create_task(user(lock, "c"))
    await asyncio.sleep(0)
    c.cancel()       # still queued: simply leaves
    lock.release()   # wakes a ...
    a.cancel()       # ... which is cancelled before it runs: b gets the wake-up
    await asyncio.gather(a, b, c, return_exceptions=True)
    print("a", a.cancelled(), "b", b.cancelled(), "c", c.cancelled(), "locked", lock.locked())


asyncio.run(main())
