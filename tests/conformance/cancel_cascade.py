# Rule: cancelling a task that awaits another task cancels the inner one at once; the inner sees
# CancelledError next pass, the outer one pass later, with the same message (CPYTHON-RULES 6.3).
import asyncio

passes = 0


def ticker():
    global passes
    passes += 1
    if passes < 6:
        asyncio.get_running_loop().call_soon(ticker)


async def inner():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        print(f"pass {passes}: inner caught {e!r}")
        raise


async def outer(task):
    try:
        await task
    except asyncio.CancelledError as e:
        print(f"pass {passes}: outer caught {e!r}")
        raise


async def main():
    asyncio.get_running_loop().call_soon(ticker)
    a = asyncio.create_task(inner())
    b = asyncio.create_task(outer(a))
    await asyncio.sleep(0)
    print(f"pass {passes}: main cancels outer")
    b.cancel("from main")
    print("cancelling:", a.cancelling(), b.cancelling())
    for task in (a, b):
        try:
            await task
        except asyncio.CancelledError as e:
            print(f"pass {passes}: main sees {task.get_name()} cancelled: {e!r}")


asyncio.run(main())
