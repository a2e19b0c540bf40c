# Rule: with maxsize=1 a producer and a consumer interleave: put() waits while full, get() while
# empty, each woken by the other's get_nowait/put_nowait one pass later (10, rule 25's pattern).
import asyncio


async def producer(q):
    for i in range(4):
        print("put", i, "qsize", q.qsize(), "full", q.full())
        await q.put(i)
        print("put", i, "done")
    await q.put(None)


async def consumer(q):
    while True:
        item = await q.get()
        print("got", item)
        q.task_done()
        if item is None:
            return


async def main():
    q = asyncio.Queue(maxsize=1)
    print("maxsize", q.maxsize, "empty", q.empty())
    await asyncio.gather(producer(q), consumer(q))
    await q.join()
    print("joined, empty", q.empty())


asyncio.run(main())
