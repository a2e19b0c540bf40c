# Rule: PriorityQueue pops lowest first in heapq's order, LifoQueue newest first; join() waits
# until every item got is marked task_done(), and returns at once when none is pending (10).
import asyncio


async def worker(q, name):
    while True:
        prio, item = await q.get()
        await asyncio.sleep(0)
        print(name, "did", prio, item)
        q.task_done()


async def main2():
    q = asyncio.PriorityQueue()
    ws = [asyncio.create_task(worker(q, f"w{i}")) for i in range(2)]
    for entry in [(3, "c"), (1, "a"), (2, "b")]:
        q.put_nowait(entry)
    await q.join()
    print("all done")
    for w in ws:
        w.cancel()
    await asyncio.gather(*ws, return_exceptions=True)
    await q.join()
    print("join with nothing pending returns at once")


async def first():
    pq = asyncio.PriorityQueue()
    for entry in [(5, "e"), (1, "a"), (3, "c"), (2, "b"), (4, "d"), (1, "a2")]:
        pq.put_nowait(entry)
    print(str(pq))
    print("priority:", [pq.get_nowait() for _ in range(pq.qsize())])
    lq = asyncio.LifoQueue()
    for i in range(4):
        lq.put_nowait(i)
    print("lifo:", [lq.get_nowait() for _ in range(lq.qsize())])


asyncio.run(first())
asyncio.run(main2())
