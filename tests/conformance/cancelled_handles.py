# Rule: a cancelled handle stays in the ready queue and is skipped when its turn comes
# (CPYTHON-RULES 2.4, 3.2); cancelling one later in the same pass still stops it; cancel is idempotent.
import asyncio


def say(word):
    print(word)


def cancel_later_one():
    print("first cancels the handle of third")
    third.cancel()


loop = asyncio.new_event_loop()
h1 = loop.call_soon(say, "never printed")
loop.call_soon(cancel_later_one)
loop.call_soon(say, "second")
third = loop.call_soon(say, "never printed either")
fourth = loop.call_soon(say, "fourth")
h1.cancel()
h1.cancel()
print("h1 cancelled:", h1.cancelled(), "fourth cancelled:", fourth.cancelled())
loop.call_soon(loop.stop)
loop.run_forever()
fourth.cancel()
print("fourth cancelled after it ran:", fourth.cancelled())
print("third cancelled:", third.cancelled())
loop.close()
