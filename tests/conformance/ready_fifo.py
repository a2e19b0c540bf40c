# Rule: the ready queue is FIFO: call_soon callbacks run in the order they were queued
# (CPYTHON-RULES 2.4, 3.1); a callback queued from a callback runs after those already queued.
import asyncio


def say(word):
    print(word)


def queue_more():
    print("queue_more")
    loop.call_soon(say, "late-1")
    loop.call_soon(say, "late-2")


loop = asyncio.new_event_loop()
for word in ["one", "two", "three"]:
    loop.call_soon(say, word)
loop.call_soon(queue_more)
loop.call_soon(say, "four")
loop.call_soon(loop.stop)
loop.run_forever()
print("after the first run")
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
