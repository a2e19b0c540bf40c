# 10_fanout_taskgroup_trio.py: example 10 under Trio: a nursery instead of a TaskGroup, fail_after instead of timeout().
# Run it with Debian's /usr/bin/python3 (python3-trio); it prints examples/10_fanout_taskgroup.expected.
# Chapter: docs/12-other-designs.md · asyncio twins: examples/10_fanout_taskgroup.{cpp,py}
# ASYNCIO_TRACE=jsonl:PATH writes a trace for `asyncio-trace --replay PATH` (examples/trio_trace.py);
# ASYNCIO_CLOCK=virtual runs on Trio's MockClock, which jumps to the next deadline as our virtual clock does.
import os

import trio

import trio_trace

STEP = 0.02  # one unit of shop latency is 20 ms of real time


async def ask(shop, delay, price, results, cancelled):
    try:
        await trio.sleep(delay * STEP)
    except trio.Cancelled:  # Trio has no task objects to ask later: count the cancellation here
        cancelled.append(shop)
        raise
    if price is None:
        raise LookupError(f"{shop} has no stock")
    print(f"  {shop} answers {price}")
    results.append(price)


async def best_price(round_name, shops, limit):
    print(round_name)
    results, cancelled = [], []
    try:
        with trio.fail_after(limit * STEP):
            async with trio.open_nursery(strict_exception_groups=True) as nursery:
                for shop, delay, price in shops:
                    nursery.start_soon(ask, shop, delay, price, results, cancelled, name=shop)
        print(f"  best: {min(results)}")
    except ExceptionGroup as eg:
        print(f"  failed: {eg.exceptions[0]}")
    except trio.TooSlowError:
        print("  timed out")
    print(f"  cancelled: {len(cancelled)} of {len(shops)}")


async def main():
    await best_price("round 1: all answer", [("north", 3, 12), ("south", 1, 9), ("east", 2, 11)], 10)
    await best_price("round 2: one fails", [("north", 3, 12), ("south", 1, None), ("east", 2, 11)], 10)
    await best_price("round 3: too slow", [("north", 30, 12), ("south", 1, 9), ("east", 2, 11)], 10)


trace = os.environ.get("ASYNCIO_TRACE", "")
trio_trace.run(main, trace=trace[len("jsonl:"):] if trace.startswith("jsonl:") else None,
               virtual=os.environ.get("ASYNCIO_CLOCK") == "virtual")
