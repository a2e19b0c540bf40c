# 10_fanout_taskgroup.py: ask every shop for a price at once; a TaskGroup ends them together, a timeout bounds them.
# Builds on 09: adds TaskGroup (a failure cancels the siblings; errors come out as one ExceptionGroup) and timeout().
# Chapter: docs/09-composing-tasks.md · C++ twin: examples/10_fanout_taskgroup.cpp
import asyncio

STEP = 0.02  # one unit of shop latency is 20 ms of real time


async def ask(shop, delay, price):
    await asyncio.sleep(delay * STEP)
    if price is None:
        raise LookupError(f"{shop} has no stock")
    print(f"  {shop} answers {price}")
    return price


async def best_price(round_name, shops, limit):
    print(round_name)
    tasks = []
    try:
        async with asyncio.timeout(limit * STEP):
            async with asyncio.TaskGroup() as tg:
                for shop, delay, price in shops:
                    tasks.append(tg.create_task(ask(shop, delay, price), name=shop))
        print(f"  best: {min(t.result() for t in tasks)}")
    except ExceptionGroup as eg:
        print(f"  failed: {eg.exceptions[0]}")
    except TimeoutError:
        print("  timed out")
    print(f"  cancelled: {sum(t.cancelled() for t in tasks)} of {len(tasks)}")


async def main():
    await best_price("round 1: all answer", [("north", 3, 12), ("south", 1, 9), ("east", 2, 11)], 10)
    await best_price("round 2: one fails", [("north", 3, 12), ("south", 1, None), ("east", 2, 11)], 10)
    await best_price("round 3: too slow", [("north", 30, 12), ("south", 1, 9), ("east", 2, 11)], 10)


asyncio.run(main())
