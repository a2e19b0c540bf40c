# Rule: gather marks the tasks it creates from coroutines "do not log destroyed-but-pending", so a
# loop closed with such a child still pending reports nothing for it; a task the user created and
# passed to gather is reported when it is dropped (tasks.py gather, _log_destroy_pending).
import asyncio
import gc


def handler(loop, context):
    print(f"handler: {context['message']} name={context['task'].get_name()}")


async def child(delay):
    await asyncio.sleep(delay)


async def fail():
    await asyncio.sleep(0)
    raise ValueError("boom")


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
loop.set_exception_handler(handler)
mine = loop.create_task(child(10), name="mine")
try:
    loop.run_until_complete(asyncio.gather(fail(), child(10), mine))
except ValueError as e:
    print(f"run_until_complete raised {e!r}")
del mine
loop.close()
asyncio.set_event_loop(None)
gc.collect()
print("end")
