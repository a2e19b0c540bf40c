# Rule: stop() only sets a flag checked after each pass: stop() before run_forever gives exactly one
# pass, with select timeout 0, so a timer not yet due waits (CPYTHON-RULES 2.5, 18.9).
import asyncio


def say(word):
    print(word)


def chain(n):
    print(f"chain {n}")
    if n < 4:
        loop.call_soon(chain, n + 1)


loop = asyncio.new_event_loop()
loop.call_later(0.3, say, "timer at +0.3 s")
loop.call_soon(chain, 1)
loop.stop()
loop.run_forever()
print("run 1 ended after one pass")
loop.stop()
loop.run_forever()
print("run 2 ended after one pass")
loop.call_later(0.4, loop.stop)
loop.run_forever()
print("run 3 ended at the stop timer;", "ready left:", len(loop._ready))
loop.close()
