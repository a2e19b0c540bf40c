# Rule: a cancelled task hands its saved CancelledError (with the message) to the first consumer
# only; a cancelled plain future rebuilds CancelledError(msg) every time (CPYTHON-RULES 5, 18.7).
import asyncio


def show(label, call):
    try:
        call()
    except asyncio.CancelledError as e:
        print(f"{label}: {type(e).__name__} {e!r}")


async def sleeper():
    await asyncio.sleep(10)


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.cancel("future message")
    show("future result() 1", fut.result)
    show("future result() 2", fut.result)
    show("future exception()", fut.exception)

    task = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    task.cancel("task message")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("task done:", task.done(), "cancelled:", task.cancelled())
    show("task result() 1", task.result)
    show("task result() 2", task.result)
    show("task exception()", task.exception)


asyncio.run(main())
