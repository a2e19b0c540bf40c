# timer_rebuild.py: the twin of timer_rebuild.cpp, reading CPython's private counters.
import asyncio
import sys

loop = asyncio.new_event_loop()
timers = [loop.call_later(60.0 + i, lambda: None) for i in range(102)]
for t in timers[::2]:
    t.cancel()
if len(sys.argv) < 2:
    timers[1].cancel()
print(f"before: {len(loop._scheduled)} timers, {loop._timer_cancelled_count} cancelled")
loop.call_soon(loop.stop)
loop.run_forever()
print(f"after one pass: {len(loop._scheduled)} timers, {loop._timer_cancelled_count} cancelled")
loop.close()
