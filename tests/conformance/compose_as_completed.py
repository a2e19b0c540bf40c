# Rule: as_completed yields len(fs) awaitables that give results in completion order, each
# raising its future's exception; on timeout every remaining one raises TimeoutError and
# nothing is cancelled (8.4). Tasks are passed, so the start order is fixed.
import asyncio


async def worker(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(name)
    return name


async def main():
    loop = asyncio.get_running_loop()
    ts = [loop.create_task(worker("c", 0.03)), loop.create_task(worker("a", 0.01)),
          loop.create_task(worker("b", 0.02, fail=True))]
    for next_one in asyncio.as_completed(ts):
        try:
            print("got", await next_one)
        except ValueError as e:
            print("raised", repr(e))
    slow = loop.create_task(worker("slow", 10))
    quick = loop.create_task(worker("quick", 0.01))
    for next_one in asyncio.as_completed([slow, quick], timeout=0.05):
        try:
            print("got", await next_one)
        except TimeoutError:
            print("TimeoutError; slow cancelled:", slow.cancelled())
    slow.cancel()


asyncio.run(main())
