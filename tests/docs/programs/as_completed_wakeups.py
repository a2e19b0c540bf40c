# as_completed_wakeups.py: iterating as_completed() suspends the caller only when no finished future is
# queued yet: three fetches that finish in the same pass wake it once, not three times.
# Python twin of as_completed_wakeups.cpp; quoted in docs/11-http-client.md (exercise 2).
import asyncio


async def fetch(page, answer):
    await answer  # the server's answer, one future for all three fast pages: they finish in one pass
    return page


async def main():
    loop = asyncio.get_running_loop()
    fast = loop.create_future()
    loop.call_later(0.01, fast.set_result, None)
    fetches = [asyncio.create_task(fetch(page, answer), name=f"GET {page}")
               for page, answer in [("/slow", asyncio.sleep(0.5)), ("/", fast), ("/about", fast), ("/missing", fast)]]
    wakeups = 0
    for next_done in asyncio.as_completed(fetches):
        passed = [False]  # a callback queued now runs only if the loop makes a pass, that is, if we suspend
        loop.call_soon(passed.__setitem__, 0, True)
        page = await next_done
        wakeups += passed[0]
        print(f"{page:<8} {'(main woke up for it)' if passed[0] else '(already queued: no wait)'}")
    print(f"main woke {wakeups} times for {len(fetches)} fetches")


asyncio.run(main())
