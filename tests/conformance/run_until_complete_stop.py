# Rule: run_until_complete stops one pass after its future completes, and raises RuntimeError if
# the loop is stopped before the future is done (CPYTHON-RULES 2.5); stop() ends the run after the pass.
import asyncio


def say(word):
    print(word)


async def slow():
    print("slow starts")
    await asyncio.sleep(0)
    print("slow resumes in the second run")
    await asyncio.sleep(0)
    print("slow resumes once more")
    return "slow result"


loop = asyncio.new_event_loop()
task = loop.create_task(slow())
loop.call_soon(say, "callback before stop")
loop.call_soon(loop.stop)
loop.call_soon(say, "callback after stop, same pass")
try:
    loop.run_until_complete(task)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
print("task done:", task.done())
print("second run returns", loop.run_until_complete(task))
fut = loop.create_future()
loop.call_soon(fut.set_result, "fut value")
loop.call_soon(say, "queued after set_result")
print("third run returns", loop.run_until_complete(fut))
loop.close()
