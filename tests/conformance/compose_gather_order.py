# Rule: gather's results keep argument order whatever order the children finish in; coroutines
# become tasks started in argument order; gather() with no arguments is already done (8.1).
import asyncio


async def child(name, ticks):
    print(f"{name} starts")
    for _ in range(ticks):
        await asyncio.sleep(0)
    print(f"{name} finishes")
    return name.upper()


async def main():
    empty = asyncio.gather()
    print("empty done:", empty.done(), empty.result())
    results = await asyncio.gather(child("a", 3), child("b", 1), child("c", 2))
    print("results:", results)
    t = asyncio.create_task(child("d", 1))
    results = await asyncio.gather(t, child("e", 0), t)
    print("duplicates:", results)


asyncio.run(main())
