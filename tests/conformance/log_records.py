# Rule: the asyncio logger's records carry the message template, its arguments and the exception
# (logging.LogRecord): the slow-callback warning of debug mode is 'Executing %s took %.3f seconds'
# with two arguments (base_events.py _run_once), and "Exception in callback ..." is logged at
# ERROR with exc_info set (default_exception_handler).
import asyncio
import logging
import time

records = []


class Keep(logging.Handler):
    def emit(self, record):
        records.append(record)


logger = logging.getLogger("asyncio")
logger.addHandler(Keep())
logger.propagate = False


def slow():
    time.sleep(0.15)


def bad():
    raise ValueError("k1")


loop = asyncio.new_event_loop()
loop.set_debug(True)
loop.slow_callback_duration = 0.1
loop.call_soon(slow)
loop.call_soon(loop.stop)
loop.run_forever()
loop.set_debug(False)
loop.call_soon(bad)
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
for r in records:
    if r.msg.startswith("Executing"):
        print(r.levelname, repr(r.msg), "args:", len(r.args), "seconds >= 0.1:", r.args[1] >= 0.1)
    else:
        first = r.msg.splitlines()[0].split(" at ")[0]
        exc = r.exc_info[1] if r.exc_info else None
        print(r.levelname, repr(first), "exc_info:", repr(exc))
