# Rule: a pending task nothing can reach (it awaits a future only its own frame holds, and the
# program dropped its handle) is collected: its coroutine is closed (its `finally` runs), it
# leaves all_tasks(), and the exception handler gets "Task was destroyed but it is pending!"
# with the keys message and task (tasks.py Task.__del__). A task awaiting a future someone
# else holds (an Event's waiter list, a sleep's timer) is reachable and stays.
import asyncio
import gc


def handler(loop, context):
    print(f"handler: {context['message']} keys={sorted(context)} name={context['task'].get_name()}")


def names():
    return sorted(t.get_name() for t in asyncio.all_tasks())


async def orphan():
    fut = asyncio.get_running_loop().create_future()
    try:
        await fut
    finally:
        print(f"orphan: finally, in all_tasks: {'orphan' in names()}")


async def waiter(ev):
    await ev.wait()
    print("waiter: woke")


async def sleeper():
    await asyncio.sleep(0.01)
    print("sleeper: woke")


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    ev = asyncio.Event()
    t = asyncio.create_task(orphan(), name="orphan")
    w = asyncio.create_task(waiter(ev), name="waiter")
    s = asyncio.create_task(sleeper(), name="sleeper")
    await asyncio.sleep(0)
    print("tasks:", names())
    del t, w, s
    gc.collect()
    print("after collect:", names())
    ev.set()
    await asyncio.sleep(0.05)
    print("at the end:", names())


asyncio.run(main())
