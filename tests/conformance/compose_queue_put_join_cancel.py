# Rule: a putter cancelled while it waits on a full queue just leaves; one woken by get_nowait()
# and then cancelled before it runs passes the wake-up on to the next putter; a task cancelled
# in join() leaves while the other joiners still wake when the last task_done() comes (10).
import asyncio


async def putter(q, item):
    try:
        await q.put(item)
        print("put", item)
    except asyncio.CancelledError:
        print("putter", item, "cancelled, qsize", q.qsize())
        raise


async def joiner(q, name):
    try:
        await q.join()
        print(name, "joined")
    except asyncio.CancelledError:
        print(name, "cancelled in join")
        raise


async def main():
    q = asyncio.Queue(maxsize=1)
    q.put_nowait("x")
    p1 = asyncio.create_task(putter(q, "p1"))
    p2 = asyncio.create_task(putter(q, "p2"))
    p3 = asyncio.create_task(putter(q, "p3"))
    await asyncio.sleep(0)
    p1.cancel()  # still queued: it just leaves
    await asyncio.sleep(0)
    print("took", q.get_nowait())  # wakes p2 ...
    p2.cancel()  # ... cancelled before it runs: p3 is woken instead
    await asyncio.gather(p1, p2, p3, return_exceptions=True)
    print("qsize", q.qsize(), "cancelled:", p1.cancelled(), p2.cancelled(), p3.cancelled())
    j1 = asyncio.create_task(joiner(q, "j1"))
    j2 = asyncio.create_task(joiner(q, "j2"))
    await asyncio.sleep(0)
    j1.cancel()
    await asyncio.gather(j1, return_exceptions=True)
    print("took", q.get_nowait())
    q.task_done()
    await asyncio.sleep(0)
    print("j2 done after one task_done:", j2.done())
    q.task_done()
    await j2
    print("j1 cancelled:", j1.cancelled(), "j2 cancelled:", j2.cancelled())


asyncio.run(main())
