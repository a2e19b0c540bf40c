# Rule: a task may catch CancelledError and go on: it ends normally, cancelled() is False, and
# cancelling() stays 1 until uncancel() (CPYTHON-RULES 6.3, 18.6).
import asyncio


async def stubborn():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        me = asyncio.current_task()
        print(f"stubborn caught {e!r}; cancelling() = {me.cancelling()}")
    await asyncio.sleep(0)
    me = asyncio.current_task()
    print("stubborn still running; cancelling() =", me.cancelling())
    print("uncancel() returns", me.uncancel())
    print("uncancel() again returns", me.uncancel())
    return "finished anyway"


async def main():
    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    task.cancel()
    result = await task
    print("result:", result)
    print("cancelled:", task.cancelled(), "cancelling:", task.cancelling())


asyncio.run(main())
