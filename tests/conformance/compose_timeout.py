# Rule: asyncio.timeout() cancels the task when the deadline passes inside a sleep and turns
# that CancelledError into TimeoutError at the end of the block; expired() reports it;
# reschedule() moves the deadline; a cancel from outside stays a CancelledError; the block's
# own finally runs before the TimeoutError is seen (9.2).
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(0.05) as cm:
            try:
                await asyncio.sleep(10)
            finally:
                print("inside finally, expired:", cm.expired())
    except TimeoutError:
        print("TimeoutError, cancelling:", asyncio.current_task().cancelling())
    async with asyncio.timeout(10) as cm:
        cm.reschedule(None)
        print("when:", "set" if cm.when() is not None else "None")
        await asyncio.sleep(0.01)
    print("not expired:", cm.expired(), repr(cm))
    try:
        async with asyncio.timeout(10) as cm:
            cm.reschedule(loop.time() + 0.02)
            await asyncio.sleep(1)
    except TimeoutError:
        print("rescheduled deadline hit")
    try:
        cm.reschedule(1)
    except RuntimeError as e:
        print(repr(e))
    async with asyncio.timeout_at(loop.time() - 1) as cm:
        print("past deadline: body runs until the next await")
        try:
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            print("cancelled at the first await")
            raise
    print("never here")


async def outer_cancel():
    async with asyncio.timeout(10):
        await asyncio.sleep(10)


async def main2():
    try:
        await main()
    except TimeoutError:
        print("timeout_at raised TimeoutError")
    t = asyncio.create_task(outer_cancel())
    await asyncio.sleep(0.01)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("outside cancel stays CancelledError")


asyncio.run(main2())
