# Rule: cancelling the task that runs a TaskGroup cancels the body, then the children, and the
# CancelledError (not a group) goes on; an error raised by the body itself cancels the children
# and joins the ExceptionGroup; create_task after the group finished is a RuntimeError (9.1).
# Each group cancels one child at most: several are cancelled in set order (rule 17).
import asyncio


async def child(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def runs_group():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("c1"))  # one child: several would be cancelled in set order
            await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("group let CancelledError through")
        raise


async def main():
    t = asyncio.create_task(runs_group())
    await asyncio.sleep(0.01)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("outer task cancelled:", t.cancelled())
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("c3"))
            await asyncio.sleep(0)
            raise KeyError("body")
    except ExceptionGroup as eg:
        print("caught", str(eg), [repr(e) for e in eg.exceptions])
    try:
        tg.create_task(asyncio.sleep(0))
    except RuntimeError as e:
        print("RuntimeError:", str(e).split()[-2:])


asyncio.run(main())
