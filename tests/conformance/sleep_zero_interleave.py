# Rule: sleep(0) yields exactly one pass, with no timer (CPYTHON-RULES 7, 18.3): two tasks that
# sleep(0) between prints interleave line by line; a callback chain shows one pass per step.
import asyncio

passes = 0


def ticker():
    global passes
    passes += 1
    if passes < 6:
        asyncio.get_running_loop().call_soon(ticker)


async def counter(name, n):
    for i in range(n):
        print(f"{name} {i} in pass {passes}")
        await asyncio.sleep(0)


async def main():
    asyncio.get_running_loop().call_soon(ticker)
    a = asyncio.create_task(counter("a", 3))
    b = asyncio.create_task(counter("b", 3))
    await a
    await b
    print("timers in the heap:", len(asyncio.get_running_loop()._scheduled))


asyncio.run(main())
