# Rule: cancelling a gather cancels its children; the gather is not cancelled() but finishes with
# CancelledError (18.8). A child already done stays done; the awaiting task sees CancelledError.
import asyncio


async def child(name, delay):
    try:
        await asyncio.sleep(delay)
        print(f"{name} done")
        return name
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise
    finally:
        print(f"{name} finally")


async def main():
    a = asyncio.create_task(child("a", 0.2))
    b = asyncio.create_task(child("b", 0.1))
    quick = asyncio.create_task(child("quick", 0.01))
    g = asyncio.gather(a, b, quick)
    await asyncio.sleep(0.05)
    print("cancel:", g.cancel())
    print("cancel again:", g.cancel())
    try:
        await g
    except asyncio.CancelledError as e:
        print("gather raised", repr(e))
    print("g.cancelled:", g.cancelled(), "done:", g.done())
    print("a:", a.cancelled(), "b:", b.cancelled(), "quick:", quick.cancelled())
    print("cancel after done:", g.cancel())


asyncio.run(main())
