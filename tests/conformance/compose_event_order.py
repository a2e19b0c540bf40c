# Rule: Event.set() wakes every waiter in wait order, all in the next pass; wait() on a set event
# returns at once without yielding; clear() does not un-wake waiters already woken (10).
import asyncio


async def waiter(ev, name):
    print(name, "waits")
    await ev.wait()
    print(name, "woke, is_set:", ev.is_set())


async def main():
    ev = asyncio.Event()
    ts = [asyncio.create_task(waiter(ev, n)) for n in ("w1", "w2", "w3")]
    await asyncio.sleep(0)
    ev.set()
    ev.clear()
    print("set then cleared")
    await asyncio.gather(*ts)
    ev.set()
    print("wait on set event:", await ev.wait(), "(no yield)")


asyncio.run(main())
