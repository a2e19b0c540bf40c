# Rule: cancel() on a task queued after a bare yield (sleep(0)) raises at its next step; uncancel()
# does not withdraw a pending request; a cancelled awaited future passes its message (CPYTHON-RULES 6.3).
import asyncio


async def yielder(name):
    try:
        await asyncio.sleep(0)
        print(f"{name} after sleep(0) (never printed)")
    except asyncio.CancelledError as e:
        print(f"{name} caught {e!r} at its next step")
        raise


async def future_waiter(fut):
    try:
        await fut
    except asyncio.CancelledError as e:
        print(f"future_waiter caught {e!r}")
    return "swallowed"


async def main():
    loop = asyncio.get_running_loop()
    a = asyncio.create_task(yielder("a"))
    b = asyncio.create_task(yielder("b"))
    await asyncio.sleep(0)
    print("cancel a:", a.cancel("at the yield"))
    print("cancel b then uncancel:", b.cancel(), b.uncancel(), "cancelling:", b.cancelling())
    fut = loop.create_future()
    c = asyncio.create_task(future_waiter(fut))
    await asyncio.sleep(0)
    fut.cancel("the future's own message")
    for task in (a, b, c):
        try:
            print(task.get_name(), "returned", await task)
        except asyncio.CancelledError as e:
            print(task.get_name(), "cancelled:", task.cancelled(), repr(e))


asyncio.run(main())
