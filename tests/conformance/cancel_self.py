# Rule: a task that cancels itself and then returns ends cancelled: its return value is discarded
# and the stored message is used (CPYTHON-RULES 6.2 step 5, 18.6).
import asyncio


async def quitter():
    me = asyncio.current_task()
    print("quitter cancels itself:", me.cancel("changed my mind"))
    print("quitter goes on and returns a value")
    return "discarded"


async def main():
    task = asyncio.create_task(quitter())
    try:
        print("await returned", await task)
    except asyncio.CancelledError as e:
        print(f"main caught {type(e).__name__}: {e!r}")
    print("cancelled:", task.cancelled(), "cancelling:", task.cancelling())


asyncio.run(main())
