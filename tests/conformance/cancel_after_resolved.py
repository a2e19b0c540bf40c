# Rule: cancel() after the awaited future resolved but before the task's wakeup ran discards the
# result: the wakeup throws CancelledError instead (CPYTHON-RULES 6.3, 18.6).
import asyncio


async def waiter(fut):
    try:
        value = await fut
        print("waiter got", value, "(never printed)")
    except asyncio.CancelledError as e:
        print(f"waiter caught {type(e).__name__}: {e!r}")
        raise


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    task = asyncio.create_task(waiter(fut))
    await asyncio.sleep(0)
    fut.set_result("lost result")
    print("future resolved; the wakeup is queued")
    print("cancel:", task.cancel("too late for the result"))
    print("the future keeps its result:", fut.result())
    try:
        await task
    except asyncio.CancelledError as e:
        print(f"main caught {type(e).__name__}: {e!r}")
    print("task cancelled:", task.cancelled())


asyncio.run(main())
