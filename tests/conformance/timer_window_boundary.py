# Rule: step 3 moves a timer only when its deadline is strictly before now + the clock's
# resolution (base_events.py _run_once: `if handle._when >= end_time: break`). A timer due
# exactly at the end of that window waits for the next pass; one a hair earlier runs in this pass.
# The clock here moves only when the program moves it (by one resolution, in pass 1).
import asyncio

loop = asyncio.new_event_loop()
START = 100.0
now = START
loop.time = lambda: now
res = loop._clock_resolution
passes = 0


def say(word):
    print(f"pass {passes}: {word}")


def count():
    global passes, now
    passes += 1
    if passes == 1:
        now = START + res
    loop.call_soon(count)


loop.call_soon(count)
loop.call_at(START + res, say, "at the end of the window")
loop.call_at(START + res / 2, say, "inside the window")
loop.call_at(START, say, "at now")
loop.call_at(START + res, loop.stop)
loop.run_forever()
print("resolution positive:", res > 0, "passes:", passes)
loop.close()
