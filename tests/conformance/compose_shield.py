# Rule: shield() lets the task awaiting it be cancelled while the inner runs on; cancelling the
# inner cancels the shield; an inner already done is returned as is (8.5).
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(name, "finished anyway")
    return name


async def waiter(fut):
    try:
        return await fut
    except asyncio.CancelledError:
        print("waiter cancelled")
        raise


async def main():
    inner = asyncio.create_task(job("inner", 0.05))
    outer = asyncio.shield(inner)
    w = asyncio.create_task(waiter(outer))
    await asyncio.sleep(0.01)
    w.cancel()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("outer cancelled:", outer.cancelled(), "inner cancelled:", inner.cancelled())
    print("inner result:", await inner)
    inner2 = asyncio.create_task(job("inner2", 10))
    outer2 = asyncio.shield(inner2)
    await asyncio.sleep(0)
    inner2.cancel()
    try:
        await outer2
    except asyncio.CancelledError:
        print("outer2 cancelled:", outer2.cancelled())
    print("shield of a done future is it:", asyncio.shield(inner) is inner)


asyncio.run(main())
