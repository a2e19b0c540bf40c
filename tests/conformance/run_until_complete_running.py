# Rule: run_until_complete on a running loop raises RuntimeError before it wraps its argument in a
# task (base_events.py run_until_complete: _check_closed, _check_running, then ensure_future), so
# the coroutine never runs and no task is registered; on a closed loop it raises first too.
import asyncio
import warnings

warnings.simplefilter("ignore", RuntimeWarning)  # "coroutine ... was never awaited"


async def never():
    print("never runs")


async def main():
    loop = asyncio.get_running_loop()
    before = len(asyncio.all_tasks())
    try:
        loop.run_until_complete(never())
    except RuntimeError as e:
        print(f"{type(e).__name__}: {e}")
    print("tasks before:", before, "after:", len(asyncio.all_tasks()))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("main done")


asyncio.run(main())
loop = asyncio.new_event_loop()
loop.close()
try:
    loop.run_until_complete(never())
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
