# 09_producer_consumer.py: a kitchen as a pipeline: one task takes orders, two cooks work a bounded queue.
# Builds on 08: adds Queue (maxsize = back-pressure), task_done()/join(), and cancelling idle workers.
# Chapter: docs/09-composing-tasks.md · C++ twin: examples/09_producer_consumer.cpp
import asyncio

ORDERS = [("soup", 3), ("salad", 1), ("steak", 8), ("pie", 2), ("tea", 1)]  # dish, minutes
MINUTE = 0.02  # one minute of kitchen time is 20 ms of real time


async def waiter(rail):
    for dish, minutes in ORDERS:
        if rail.full():
            print(f"waiter: rail full, waits to hang {dish}")
        await rail.put((dish, minutes))  # suspends while the rail holds maxsize tickets
        print(f"waiter: hung {dish}")
    print("waiter: all orders taken")


async def cook(name, rail, served):
    while True:
        dish, minutes = await rail.get()  # suspends while the rail is empty
        print(f"{name}: cooks {dish}")
        await asyncio.sleep(minutes * MINUTE)
        served.append(dish)
        print(f"{name}: {dish} served")
        rail.task_done()


async def main():
    rail = asyncio.Queue(maxsize=2)
    served = []
    # each cook's task is named after the cook: the trace shows [ana], [ben]
    cooks = [asyncio.create_task(cook(name, rail, served), name=name) for name in ("ana", "ben")]
    await waiter(rail)
    await rail.join()  # every ticket hung has been marked task_done()
    for c in cooks:
        c.cancel()  # idle cooks wait in get() forever: cancel them
    await asyncio.gather(*cooks, return_exceptions=True)
    print("served:", ", ".join(served))


asyncio.run(main())
