# Rule: in debug mode the loop's logs name a callback with its arguments, as its handle's repr
# does: the slow-callback warning's first argument is `<Handle slow('k1', 2)>` (or a TimerHandle),
# and the exception handler's log says "Exception in callback bad_callback('k1')" with a handle
# line (base_events.py _run_once, default_exception_handler; events.py Handle._repr_info).
# C++: call_soon(named("slow", slow), "k1", 2).
import asyncio
import logging
import re
import time

records = []


class Keep(logging.Handler):
    def emit(self, record):
        records.append(record)


logger = logging.getLogger("asyncio")
logger.addHandler(Keep())
logger.propagate = False


def clean(text):
    # Python-only: " at FILE:LINE", " created at FILE:LINE" and the TimerHandle's clock value.
    return re.sub(r"when=\S+ ", "", re.sub(r" (created )?at \S+:\d+", "", text))


def slow(label, n):
    time.sleep(0.12)


def bad_callback(key):
    raise ValueError(key)


loop = asyncio.new_event_loop()
loop.set_debug(True)
loop.slow_callback_duration = 0.1
loop.call_soon(slow, "k1", 2)
loop.call_later(0.001, slow, "k2", [3, 4.5])
loop.call_soon(bad_callback, "k3")
loop.call_later(0.05, loop.stop)
loop.run_forever()
loop.close()
for r in records:
    if r.msg.startswith("Executing"):
        print(r.levelname, clean(r.args[0]))
    elif r.msg.startswith("Exception in callback"):
        # Debug mode adds source_traceback lines (Python frames) that C++ does not have.
        lines = [clean(l) for l in r.msg.splitlines() if not l.startswith(("source_traceback", " "))]
        print(r.levelname, "|".join(lines), repr(r.exc_info[1]))
