# Rule: a getter cancelled while waiting leaves the queue; one woken and then cancelled passes
# the wake-up on; a woken getter re-checks, so a task that calls get() first takes the item (a
# wake-up is a hint, not a hand-over). put_nowait/get_nowait raise QueueFull/QueueEmpty (10).
import asyncio


async def getter(q, name):
    try:
        item = await q.get()
        print(name, "got", item)
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def main():
    q = asyncio.Queue(maxsize=2)
    g1 = asyncio.create_task(getter(q, "g1"))
    g2 = asyncio.create_task(getter(q, "g2"))
    await asyncio.sleep(0)
    q.put_nowait("first")   # wakes g1 ...
    g1.cancel()             # ... cancelled before running: g2 is woken instead
    await asyncio.gather(g1, g2, return_exceptions=True)
    g3 = asyncio.create_task(getter(q, "g3"))
    await asyncio.sleep(0)
    q.put_nowait("second")  # wakes g3, but main takes the item first
    print("main took", q.get_nowait())
    await asyncio.sleep(0)
    q.put_nowait("third")
    await g3
    q.put_nowait(1)
    q.put_nowait(2)
    try:
        q.put_nowait(3)
    except asyncio.QueueFull as e:
        print("QueueFull", repr(e))
    q.get_nowait(); q.get_nowait()
    try:
        q.get_nowait()
    except asyncio.QueueEmpty as e:
        print("QueueEmpty", repr(e))
    for _ in range(5):
        q.task_done()
    try:
        q.task_done()
    except ValueError as e:
        print(repr(e))


asyncio.run(main())
