# Rule: Barrier(n).wait() returns when n tasks wait, each with its arrival index, all released
# together; abort() makes waiting and later wait() calls raise BrokenBarrierError (10).
import asyncio


async def party(barrier, name):
    print(name, "arrives, n_waiting:", barrier.n_waiting)
    index = await barrier.wait()
    print(name, "passes with index", index)


async def lonely(barrier):
    try:
        await barrier.wait()
    except asyncio.BrokenBarrierError as e:
        print("lonely:", repr(e))


async def main():
    barrier = asyncio.Barrier(3)
    await asyncio.gather(*(party(barrier, n) for n in ("p1", "p2", "p3")))
    print("after one round: n_waiting", barrier.n_waiting, "broken", barrier.broken)
    t = asyncio.create_task(lonely(barrier))
    await asyncio.sleep(0)
    await barrier.abort()
    await t
    try:
        await barrier.wait()
    except asyncio.BrokenBarrierError as e:
        print("later wait:", repr(e), "broken", barrier.broken)
    try:
        asyncio.Barrier(0)
    except ValueError as e:
        print(repr(e))


asyncio.run(main())
