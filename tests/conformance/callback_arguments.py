# Rule: call_soon, call_later, call_at and call_soon_threadsafe keep the callback's arguments in
# the handle (events.py Handle._args): the callback gets them, and the handle's repr, the
# exception handler's message and a debug-mode cancelled repr show them as Python's repr prints
# them. C++: loop.call_soon(asyncio::named("name", fn), args...).
import asyncio
import re
import threading


def clean(text):
    # " at FILE:LINE" and debug mode's " created at FILE:LINE" are Python-only (source positions).
    return re.sub(r" (created )?at \S+:\d+", "", text)


def timer_repr(handle):
    # "<TimerHandle when=12345.6 show(1)>": the clock's value differs from run to run.
    return re.sub(r"when=\S+ ", "", clean(repr(handle)))


def show(label, *values):
    print("show", label, values)


def bad_callback(key):
    raise KeyError(key)


def handler(loop, context):
    print("handler:", clean(context["message"]), repr(context["exception"]))
    print("  handle:", clean(repr(context["handle"])))


def tick():
    print("tick")


loop = asyncio.new_event_loop()
loop.set_exception_handler(handler)
h = loop.call_soon(show, "k1", 2, 1.5, True, None, [1, "two"])
print(clean(repr(h)))
one = loop.call_soon(show, "only")
print(clean(repr(one)))
plain = loop.call_soon(tick)
print(clean(repr(plain)))
loop.call_soon(bad_callback, "k1")
later = loop.call_later(0.001, show, "later", 0.25)
print(timer_repr(later))
at = loop.call_at(loop.time() + 0.002, show, "at", -3)
print(timer_repr(at))
quoted = loop.call_soon(show, "it's", 'say "hi"')
print(clean(repr(quoted)))
quoted.cancel()
print(clean(repr(quoted)))
loop.call_later(0.05, loop.stop)
loop.run_forever()

loop.set_debug(True)
kept = loop.call_soon(show, "k2", 7)
kept.cancel()
print(clean(repr(kept)))
timer = loop.call_later(10, show, "k3")
timer.cancel()
print(timer_repr(timer))
loop.set_debug(False)

done = threading.Event()


def from_thread():
    loop.call_soon_threadsafe(show, "threadsafe", 42)
    loop.call_soon_threadsafe(loop.stop)
    done.set()


threading.Thread(target=from_thread).start()
loop.run_forever()
done.wait()
loop.close()
