# 14_io_waits.py: four requests that each wait 100 ms for an answer, one after another, then all at once.
# The first lesson, measured: waiting is what a request does, and waits can overlap (0.4 s vs 0.1 s).
# Chapter: docs/01-why-async.md · C++ twin: examples/14_io_waits.cpp
import asyncio

ANSWER_DELAY = 0.1  # each server takes 100 ms to answer (a sleep plays the server)
REQUESTS = 4


def now():
    return asyncio.get_running_loop().time()


def tenths(seconds):
    """Whole tenths of a second that passed: a loaded machine makes each wait a little late (up to
    95 ms here), never that much early, so the printed numbers are the same on every run."""
    return int((seconds + 0.005) * 10) / 10


async def request(start):
    """One request: nothing to compute, only a wait for the answer. Returns when the answer came."""
    await asyncio.sleep(ANSWER_DELAY)
    return now() - start


def report(title, answered, start):
    print(title)
    for i, t in enumerate(answered, 1):
        print(f"  request {i} answered at {tenths(t):.1f} s")
    print(f"  {REQUESTS} requests took {tenths(now() - start):.1f} s")


async def one_after_another():
    start = now()
    answered = [await request(start) for _ in range(REQUESTS)]  # each waits for the one before
    report("one after another:", answered, start)


async def all_at_once():
    start = now()
    tasks = [asyncio.create_task(request(start)) for _ in range(REQUESTS)]
    answered = await asyncio.gather(*tasks)  # the four waits overlap
    report("all at once:", answered, start)


async def main():
    await one_after_another()
    await all_at_once()


asyncio.run(main())
