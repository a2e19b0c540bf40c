# Rule: in a TaskGroup the first child to fail cancels its siblings (they see CancelledError
# before the body does, in the same pass) and the body; every error comes out in one
# ExceptionGroup; afterwards the parent's cancelling() is back to 0 (9.1).
import asyncio


async def child(name, ticks, fail=False):
    try:
        for _ in range(ticks):
            await asyncio.sleep(0)
        if fail:
            print(name, "fails")
            raise ValueError(name)
        print(name, "finishes")
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("quick", 0))
            tg.create_task(child("bad", 1, fail=True))
            tg.create_task(child("slow", 5))
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print("body cancelled")
                raise
    except ExceptionGroup as eg:
        print("caught", str(eg))
        print("members", [repr(e) for e in eg.exceptions])
    print("cancelling after:", asyncio.current_task().cancelling())
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("b1", 1, fail=True))
            tg.create_task(child("b2", 1, fail=True))
    except ExceptionGroup as eg:
        print("caught", str(eg), [repr(e) for e in eg.exceptions])
    async with asyncio.TaskGroup() as tg:
        t = tg.create_task(child("ok", 2))
    print("all fine:", t.done())


asyncio.run(main())
