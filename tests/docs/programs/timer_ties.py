# timer_ties.py: the twin of timer_ties.cpp on CPython's loop (same lines, same order).
import asyncio

loop = asyncio.new_event_loop()
when = loop.time() + 0.01
for name in "ABCDE":
    loop.call_at(when, print, "timer", name)
loop.call_at(when + 0.01, loop.stop)
loop.run_forever()
loop.close()
