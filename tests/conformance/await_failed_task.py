# Rule: awaiting a task that raised delivers its exception at the awaiter's wakeup, one pass after
# the task finished (CPYTHON-RULES 6.2 __wakeup); once retrieved it is not logged as never retrieved.
import asyncio


async def failing():
    print("failing raises")
    raise ValueError("bad input")


async def main():
    task = asyncio.create_task(failing())
    try:
        await task
    except ValueError as e:
        print(f"main caught {type(e).__name__}: {e} / {e!r}")
    print("done:", task.done(), "cancelled:", task.cancelled())
    print("exception():", repr(task.exception()))
    try:
        task.result()
    except ValueError as e:
        print(f"result() raises it again: {e!r}")
    await asyncio.sleep(0)
    print("the failed task is finished; awaiting it again raises at once")
    try:
        await task
    except ValueError as e:
        print(f"again: {e!r}")


asyncio.run(main())
