# Rule: a selector the program writes (here a subclass of the default selector) sees every
# select() call of step 2, including the zero-timeout poll of each pass with work ready
# (base_events.py _run_once); a timer far in the future makes step 2 ask for exactly
# MAXIMUM_SELECT_TIMEOUT (24 hours), a timer that is overdue asks for 0, never less, and with the
# far timer cancelled (step 1 drops it) step 2 asks to block (None).
import asyncio
import selectors


def fmt(timeout):
    return "None" if timeout is None else f"{timeout:.1f}"


class RecordingSelector(selectors.DefaultSelector):
    def __init__(self):
        super().__init__()
        self.loop = None
        self.far_seen = 0

    def select(self, timeout=None):
        print("select timeout", fmt(timeout))
        if timeout is None or timeout >= 3600:
            # Never wait a day (or forever): end the run after this pass instead.
            self.far_seen += 1
            self.loop.stop()
            timeout = 0
        return super().select(timeout)


def say(word):
    print("callback", word)


selector = RecordingSelector()
loop = asyncio.SelectorEventLoop(selector)
selector.loop = loop
loop.call_soon(say, "a")
loop.call_soon(lambda: loop.call_soon(say, "c"))
far = loop.call_later(10**6, say, "never")
loop.run_forever()
print("run 1 ended; far timer cancelled:", far.cancelled())

def overdue():
    say("overdue")
    loop.stop()


loop.call_at(loop.time() - 5, overdue)
loop.run_forever()
far.cancel()
loop.run_forever()
print("long waits seen", selector.far_seen)
loop.close()
