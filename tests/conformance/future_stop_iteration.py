# Rule: Future.set_exception refuses StopIteration itself (futures.py: `type(exception) is
# StopIteration`) with a TypeError and leaves the future pending; a subclass of it and
# StopAsyncIteration are ordinary exceptions.
import asyncio


class MyStop(StopIteration):
    pass


loop = asyncio.new_event_loop()
fut = loop.create_future()
try:
    fut.set_exception(StopIteration())
except TypeError as e:
    print(f"TypeError: {e}")
print("still pending:", not fut.done())
fut.set_exception(StopAsyncIteration("end"))
print(repr(fut.exception()))
sub = loop.create_future()
sub.set_exception(MyStop())
print(type(sub.exception()).__name__, isinstance(sub.exception(), StopIteration))
loop.close()
