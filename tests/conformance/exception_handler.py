# Rule: an exception in a callback goes to the loop's exception handler and the loop goes on; a future or
# task whose exception nobody retrieved is reported when it is destroyed (CPYTHON-RULES 3.2, 5, 13).
import asyncio
import gc


def handler(loop, context):
    # CPython appends " at FILE:LINE" to a callback's description; that location is Python-only.
    message = context["message"].split(" at ")[0]
    print(f"handler: {message}: {context['exception']!r}")


def bad():
    print("bad raises")
    raise ZeroDivisionError("division by zero")


def good():
    print("good runs after bad")


def make_and_drop():
    fut = loop.create_future()
    fut.set_exception(KeyError("nobody reads this"))
    print("dropping a future with an exception")
    del fut
    gc.collect()
    print("dropped")


async def raiser():
    print("raiser raises; nobody keeps its task")
    raise LookupError("task error")


loop = asyncio.new_event_loop()
loop.set_exception_handler(handler)
loop.call_soon(bad)
loop.call_soon(good)
loop.call_soon(make_and_drop)
loop.create_task(raiser())
loop.call_soon(good)
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
