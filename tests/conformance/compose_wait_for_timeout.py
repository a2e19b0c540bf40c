# Rule: when wait_for times out it cancels the inner task and waits for it to finish, so the
# inner's except/finally output comes before the caller sees TimeoutError; an inner that
# swallows the cancellation gives its result instead (8.3).
import asyncio


async def inner(name, delay):
    try:
        await asyncio.sleep(delay)
        return name
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise
    finally:
        print(name, "finally")


async def stubborn():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("stubborn swallows the cancel")
    await asyncio.sleep(0)
    return "stubborn result"


async def main():
    print(await asyncio.wait_for(inner("quick", 0.01), timeout=1))
    try:
        await asyncio.wait_for(inner("slow", 10), timeout=0.05)
    except TimeoutError as e:
        print("caller got", repr(e), "is asyncio.TimeoutError:", isinstance(e, asyncio.TimeoutError))
    print(await asyncio.wait_for(stubborn(), timeout=0.05))
    print(await asyncio.wait_for(inner("no timeout", 0.01), None))


asyncio.run(main())
