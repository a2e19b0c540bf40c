# Rule: a task cancelled before its first step never runs its body, not even its finally
# (CPYTHON-RULES 6.3, 18.6); every cancel() call counts, so two requests give cancelling() == 2.
import asyncio


async def body(name):
    try:
        print(f"{name} body runs (never printed)")
    finally:
        print(f"{name} finally (never printed)")


async def main():
    once = asyncio.create_task(body("once"))
    twice = asyncio.create_task(body("twice"))
    print("cancel once:", once.cancel())
    print("cancel twice:", twice.cancel(), twice.cancel())
    print("cancelling:", once.cancelling(), twice.cancelling())
    print("cancelled before any step:", once.cancelled())
    for task in (once, twice):
        try:
            await task
        except asyncio.CancelledError as e:
            print(f"await {task.get_name()}: {type(e).__name__} {e!r}")
    print("cancelled:", once.cancelled(), twice.cancelled())
    print("cancelling after:", once.cancelling(), twice.cancelling())
    print("cancel a done task:", once.cancel(), once.cancelling())


asyncio.run(main())
