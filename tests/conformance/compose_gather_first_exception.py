# Rule: without return_exceptions the first failure becomes the gather's exception at once; the
# other children are not cancelled and keep running (8.1). With return_exceptions, failures and
# cancellations take their argument's slot.
import asyncio


async def worker(name, ticks, fail=False):
    for _ in range(ticks):
        await asyncio.sleep(0)
    if fail:
        print(f"{name} fails")
        raise ValueError(name)
    print(f"{name} finishes")
    return name


async def main():
    slow = asyncio.create_task(worker("slow", 4))
    try:
        await asyncio.gather(worker("w1", 1, fail=True), slow, worker("w2", 2, fail=True))
    except ValueError as e:
        print("gather raised", repr(e), "slow done:", slow.done())
    await slow
    print("slow result:", slow.result())
    victim = asyncio.create_task(worker("victim", 5))
    asyncio.get_running_loop().call_soon(victim.cancel)
    results = await asyncio.gather(worker("x", 1, fail=True), worker("y", 0), victim,
                                   return_exceptions=True)
    print("results:", [repr(r) for r in results])


asyncio.run(main())
