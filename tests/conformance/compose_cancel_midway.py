# Rule: cancelling a task blocked in wait(), Event.wait() or an as_completed item raises
# CancelledError in that task only: wait() cancels none of its futures, the event forgets the
# waiter, and as_completed's futures run on (8.2, 8.4, 10).
import asyncio


async def blocked(name, coro_fn):
    try:
        await coro_fn()
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def main():
    loop = asyncio.get_running_loop()
    member = loop.create_task(asyncio.sleep(0.05, "member"))
    t = loop.create_task(blocked("wait", lambda: asyncio.wait([member])))
    ev = asyncio.Event()
    e = loop.create_task(blocked("event", ev.wait))
    other = loop.create_task(asyncio.sleep(0.05, "other"))

    async def first_of():
        for f in asyncio.as_completed([other]):
            return await f

    a = loop.create_task(blocked("as_completed", first_of))
    await asyncio.sleep(0.01)
    for task in (t, e, a):
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    print("member cancelled:", member.cancelled(), "other cancelled:", other.cancelled())
    print("event waiters:", "waiters" in repr(ev))
    print(await member, await other)


asyncio.run(main())
