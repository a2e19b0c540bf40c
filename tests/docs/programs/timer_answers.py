# timer_answers.py: the twin of timer_answers.cpp (chapter 4's exercises; same lines, same order).
# Reads the loop's private counters (_scheduled, _timer_cancelled_count) as the C++ accessors do.
import asyncio
import sys

what = sys.argv[1] if len(sys.argv) > 1 else "ties"
loop = asyncio.new_event_loop()
if what == "ties":
    when = loop.time() + 0.01
    for name in "ABCD":
        loop.call_at(when, print, "timer", name)

    def e():
        print("timer E")
        loop.call_soon(loop.stop)

    loop.call_at(when, e)
    loop.run_forever()
elif what == "rebuild" and len(sys.argv) == 4:
    n, m = int(sys.argv[2]), int(sys.argv[3])
    timers = [loop.call_later(60.0 + i, lambda: None) for i in range(n)]
    for i in range(m):
        timers[2 * i % n + (2 * i >= n)].cancel()
    print(f"before: {len(loop._scheduled)} timers, {loop._timer_cancelled_count} cancelled")
    loop.call_soon(loop.stop)
    loop.run_forever()
    print(f"after one pass: {len(loop._scheduled)} timers, {loop._timer_cancelled_count} cancelled")
elif what == "late":
    timer = loop.call_later(0.01, print, "timer ran")
    loop.call_later(0.02, loop.stop)
    loop.run_forever()
    timer.cancel()
    print(f"cancelled() is {timer.cancelled()}, timer_cancelled_count() is {loop._timer_cancelled_count}")
    loop.call_soon(loop.stop)
    loop.run_forever()
    print(f"after one more pass: {len(loop._scheduled)} timers")
loop.close()
