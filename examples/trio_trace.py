# trio_trace.py: a trio.abc.Instrument that writes what Trio lets it see of asyncio-trace's event stream
# (docs/trace-format.md), so `asyncio-trace --replay FILE` shows a Trio run pass by pass.
# Chapter: docs/12-other-designs.md · used by examples/10_fanout_taskgroup_trio.py
# Trio calls an instrument around each I/O wait (one per turn of its loop: a pass), around each task
# step, and when a task is spawned, rescheduled or exits. What it does not report cannot be written:
# how many fds the wait returned, which deadline expired, what a task waits for, how a task ended.
import sys

import trio
import trio.testing


def _json(text):
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out + ['"'])


class TraceInstrument(trio.abc.Instrument):
    def __init__(self, path, clock):
        self.file = open(path, "w", encoding="utf-8")
        self.clock = clock
        self.ids = {}  # Trio task -> small id, in order of first appearance (as the C++ writer numbers tasks)
        self.passes = 0
        self.in_pass = False
        self.woken = 0  # tasks rescheduled while Trio processed the I/O wait's events
        self.phase = None  # "io": inside the I/O wait; "deadlines": after it, before the first task step
        self.now = 0.0

    def _line(self, event, **fields):
        parts = [f'"e":"{event}"']
        if event not in ("loop", "end", "output"):
            try:
                self.now = trio.current_time()
            except RuntimeError:  # after_run: Trio's clock is gone; the last time seen is the end
                pass
            parts.append(f'"t":{self.now:.6f}')
        for key, value in fields.items():
            if value is None:
                parts.append(f'"{key}":null')
            elif isinstance(value, str):
                parts.append(f'"{key}":{_json(value)}')
            elif isinstance(value, float):
                parts.append(f'"{key}":{value:.6f}')
            else:
                parts.append(f'"{key}":{value}')
        self.file.write("{" + ",".join(parts) + "}\n")

    def _task(self, task):
        return {"task": self.ids.setdefault(task, len(self.ids) + 1), "name": task.name}

    def output(self, text):  # what the program prints, as asyncio-trace's capture records it
        self._line("output", text=text)

    def before_run(self):
        self.file.write('{"v":2,"format":"asyncio-trace"}\n')
        self._line("loop", loop=1, clock=self.clock, selector="epoll")

    def before_io_wait(self, timeout):  # a new turn of unrolled_run: close the last pass, open one
        self._end_pass()
        self.passes += 1
        self.in_pass = True
        self._line("pass_begin", **{"pass": self.passes})
        stats = trio.lowlevel.current_statistics()
        if timeout == 0 and not stats.tasks_runnable:  # MockClock's autojump: the wait it skips
            timeout = stats.seconds_to_next_deadline
        reason = "ready" if stats.tasks_runnable else "timer" if timeout < 86400 else "none"
        self._line("select_begin", selector="epoll", timeout=None if reason == "none" else float(timeout),
                   reason=reason)
        self.woken = 0
        self.phase = "io"

    def after_io_wait(self, timeout):
        self._line("select_end", events=self.woken)  # tasks woken by I/O, not fds: Trio gives no count
        self.phase = "deadlines"

    def task_scheduled(self, task):
        if self.phase == "io":
            self.woken += 1
        elif self.phase == "deadlines":  # woken by an expired deadline (a sleep's or a cancel scope's)
            self._line("timer_ready", handle=f"deadline of {task.name}", when=self.now, late=0.0)

    def task_spawned(self, task):
        self._line("task_created", **self._task(task))

    def before_task_step(self, task):
        self.phase = None
        self._line("callback_begin", handle="Task step", **self._task(task))

    def after_task_step(self, task):
        self._line("callback_end", handle="Task step", **self._task(task))

    def task_exited(self, task):
        self._line("task_done", state="finished", repr=f"<Task {task.name!r} exited>", **self._task(task))

    def _end_pass(self):
        if self.in_pass:
            self._line("pass_end", **{"pass": self.passes})
            self.in_pass = False

    def after_run(self):
        self._end_pass()
        self._line("end", why="exit")
        self.file.close()


class Tee:
    """sys.stdout that also records each write in the stream (asyncio-trace shows it under its step)."""

    def __init__(self, stream, instrument):
        self.stream, self.instrument = stream, instrument

    def write(self, text):
        self.stream.write(text)
        if text and self.instrument.in_pass:
            self.instrument.output(text)
        return len(text)

    def flush(self):
        self.stream.flush()


def run(main, *, trace=None, virtual=False):
    """trio.run(main), traced to the file `trace` if given, on Trio's MockClock if `virtual`."""
    clock = None
    if virtual:
        clock = trio.testing.MockClock(autojump_threshold=0)
        # Trio runs each batch of ready tasks in a random order on purpose (half the time reversed);
        # on the virtual clock pin its private generator so the trace is the same every run.
        trio._core._run._r.seed(0)
    if trace is None:
        return trio.run(main, clock=clock)
    instrument = TraceInstrument(trace, "virtual" if virtual else "real")
    stdout, sys.stdout = sys.stdout, Tee(sys.stdout, instrument)
    try:
        return trio.run(main, clock=clock, instruments=[instrument])
    finally:
        sys.stdout = stdout
