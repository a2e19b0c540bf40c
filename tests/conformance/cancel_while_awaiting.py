# Rule: cancelling a task that awaits a future cancels that future at once; the CancelledError,
# with the message, reaches the body at its next step (CPYTHON-RULES 6.3, 18.6).
import asyncio


async def waiter(fut):
    try:
        await fut
    except asyncio.CancelledError as e:
        print(f"waiter caught {type(e).__name__}: {e!r}")
        raise
    finally:
        print("waiter finally")


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    task = asyncio.create_task(waiter(fut))
    await asyncio.sleep(0)
    print("cancel:", task.cancel("stop now"))
    print("the awaited future is cancelled at once:", fut.cancelled())
    print("the task is not done yet:", task.done())
    try:
        await task
    except asyncio.CancelledError as e:
        print(f"main caught {type(e).__name__}: {e!r}")
    print("task cancelled:", task.cancelled())


asyncio.run(main())
