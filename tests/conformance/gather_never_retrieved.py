# Rule: a gather's outer future is a _GatheringFuture: its repr and its "exception was never
# retrieved" report name that class, and its result is a list (tasks.py _GatheringFuture;
# _asynciomodule.c FutureObj_finalize formats the type name).
import asyncio


def handler(loop, context):
    print(f"handler: {context['message']}: {context['future']!r}")


async def child(delay, value):
    await asyncio.sleep(delay)
    return value


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    done = asyncio.gather(child(0, 1), child(0, "a"), child(0, 2.5), child(0, 1e-05))
    print(f"results: {await done}")
    print(f"finished: {done!r}")
    asyncio.gather(child(10, 1), child(10, 2))  # cancelled by asyncio.run's shutdown
    await asyncio.sleep(0)
    print("main returns with a gather pending")


asyncio.run(main())
print("end")
