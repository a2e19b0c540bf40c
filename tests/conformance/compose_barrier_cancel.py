# Rule: a task cancelled while it waits at a Barrier leaves it: n_waiting goes down, the barrier
# is not broken, and the round needs another arrival. A task woken by the release but cancelled
# before it runs still re-takes the condition's lock, leaves with CancelledError, and the others
# pass (locks.Barrier.wait's finally, Condition.wait's re-acquire) (10).
import asyncio


async def party(barrier, name):
    print(name, "arrives, n_waiting:", barrier.n_waiting)
    try:
        index = await barrier.wait()
    except asyncio.CancelledError:
        print(name, "cancelled, n_waiting:", barrier.n_waiting, "broken:", barrier.broken)
        raise
    print(name, "passes with index", index)


async def main():
    barrier = asyncio.Barrier(3)
    a = asyncio.create_task(party(barrier, "a"))
    b = asyncio.create_task(party(barrier, "b"))
    await asyncio.sleep(0)
    print("two waiting:", barrier.n_waiting)
    a.cancel()  # cancelled while filling
    await asyncio.gather(a, return_exceptions=True)
    print("after cancel: n_waiting", barrier.n_waiting, "broken", barrier.broken)
    c = asyncio.create_task(party(barrier, "c"))
    await asyncio.sleep(0)
    print("two waiting again:", barrier.n_waiting)
    d = asyncio.create_task(party(barrier, "d"))
    await asyncio.sleep(0)  # d releases the round; b and c are woken but have not run
    b.cancel()
    results = await asyncio.gather(b, c, d, return_exceptions=True)
    print("b:", type(results[0]).__name__, "c:", results[1], "d:", results[2])
    print("after the round: n_waiting", barrier.n_waiting, "broken", barrier.broken)
    e = asyncio.create_task(party(barrier, "e"))
    await asyncio.sleep(0)
    print("next round waiting:", barrier.n_waiting)
    e.cancel()
    await asyncio.gather(e, return_exceptions=True)
    print("end: n_waiting", barrier.n_waiting, "broken", barrier.broken, "cancelled:", a.cancelled(),
          b.cancelled(), e.cancelled())


asyncio.run(main())
