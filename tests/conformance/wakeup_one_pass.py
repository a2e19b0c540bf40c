# Rule: a task resumes one pass after the future it awaits completes: the wakeup is a done
# callback queued with call_soon (CPYTHON-RULES 6.2, 18.2); awaiting a task adds one more pass.
import asyncio

passes = 0


def ticker():
    global passes
    passes += 1
    if passes < 8:
        asyncio.get_running_loop().call_soon(ticker)


def resolve(fut):
    print(f"pass {passes}: callback sets the future's result")
    fut.set_result("value")


async def child():
    print(f"pass {passes}: child starts")
    await asyncio.sleep(0)
    print(f"pass {passes}: child returns")
    return "child result"


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(ticker)
    fut = loop.create_future()
    loop.call_soon(resolve, fut)
    print(f"pass {passes}: main awaits the future")
    value = await fut
    print(f"pass {passes}: main resumes with {value}")
    task = asyncio.create_task(child())
    value = await task
    print(f"pass {passes}: main resumes with {value}")


asyncio.run(main())
