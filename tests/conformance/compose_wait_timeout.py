# Rule: wait() with a timeout returns (done, pending) when the time is up: no TimeoutError,
# nothing cancelled; FIRST_EXCEPTION returns at the first failure, not at a cancellation; an
# empty set is a ValueError (8.2).
import asyncio


async def worker(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(name)
    return name


async def main():
    fast = asyncio.create_task(worker("fast", 0.01))
    slow = asyncio.create_task(worker("slow", 10))
    done, pending = await asyncio.wait([fast, slow], timeout=0.1)
    print("timeout: fast done", fast in done, "slow pending", slow in pending, "slow cancelled", slow.cancelled())
    slow.cancel()
    bad = asyncio.create_task(worker("bad", 0.05, fail=True))
    other = asyncio.create_task(worker("other", 5))
    done, pending = await asyncio.wait([slow, bad, other], return_when=asyncio.FIRST_EXCEPTION)
    print("first exception: bad done", bad in done, "slow done", slow in done, "other pending", other in pending)
    print("bad exception:", repr(bad.exception()))
    other.cancel()
    try:
        await asyncio.wait([])
    except ValueError as e:
        print("empty:", repr(e))


asyncio.run(main())
