# Rule: cancelling a task inside wait_for cancels the inner and waits for it before the
# CancelledError goes on (8.3); timeout <= 0 cancels an unstarted inner, whose body never runs,
# and raises TimeoutError; an inner already done gives its result.
import asyncio


async def inner(name, delay):
    print(name, "starts")
    try:
        await asyncio.sleep(delay)
        return name
    finally:
        print(name, "finally")


async def outer():
    try:
        return await asyncio.wait_for(inner("inner", 10), timeout=5)
    except asyncio.CancelledError:
        print("outer sees CancelledError")
        raise


async def main():
    t = asyncio.create_task(outer())
    await asyncio.sleep(0.01)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("outer cancelled:", t.cancelled())
    try:
        await asyncio.wait_for(inner("never", 1), timeout=0)
    except TimeoutError:
        print("timeout 0: TimeoutError")
    done = asyncio.get_running_loop().create_future()
    done.set_result("ready")
    print(await asyncio.wait_for(done, timeout=0))


asyncio.run(main())
