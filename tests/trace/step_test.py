#!/usr/bin/env python3
"""Drives `asyncio-trace --step` through a pseudo-terminal, as a person at a keyboard would.

usage: step_test.py ASYNCIO_TRACE EXAMPLE_02 WORK_DIR
On example 02 (docs/02-superloop.md) and the virtual clock, so every run gives the same trace:
1. step by step through pass 1: each step's lines appear alone, in order, before its prompt;
   r, t, k and w print the ready queue, the timer heap, the task table and the await tree the
   trace implies; b goes back (the earlier step's lines and queues again), Enter forward again
   (replayed up to the latest step, then the program runs on); n runs to a pass's end, a number
   runs that many passes; q ends the program at once with exit status 0.
2. q in the middle of a pass: stopped there, exit status 0.
3. c: no more prompts, every pass, the program's own end.
4. --replay FILE --step over a recording of the same run: forward and back, the end of the file
   is said and the prompt stays, q leaves.
Nothing here depends on timing: each read waits for the next prompt (or the end) for up to
TIMEOUT seconds, however loaded the machine is.
"""
import os
import pty
import re
import select
import subprocess
import sys
import time

tool, example, work = sys.argv[1], sys.argv[2], sys.argv[3]
TIMEOUT = 120.0
PROMPT = re.compile(
    rb"-- (back at )?pass (\d+), after step (\d) \([a-z ]+\)(?:, \d+ steps? before the latest)?\. "
    rb"Enter: (?:next step|forward), \? keys > ")
STEP_LABELS = [b"Step 1: drop cancelled timers", b"Step 2: poll the selector", b"Step 3: move due timers",
               b"Step 4: run what was ready"]


class Session:
    """asyncio-trace on a new pseudo-terminal: its output is read prompt by prompt."""

    def __init__(self, *args):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(tool, [tool, "--color", "never", *args])
        self.buffer = b""
        self.log = b""

    def fail(self, why):
        sys.exit(f"step_test: {why}\n--- everything the session printed:\n" + self.log.decode(errors="replace"))

    def _read(self, deadline):
        ready, _, _ = select.select([self.fd], [], [], max(0.0, min(1.0, deadline - time.monotonic())))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # the other side closed the terminal (Linux: EIO)
            return False
        if not chunk:
            return False
        self.buffer += chunk
        self.log += chunk
        return True

    def prompt(self, back, pass_, step):
        """Waits for the next prompt; checks where it stands; returns what came before it."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            match = PROMPT.search(self.buffer)
            if match:
                break
            if time.monotonic() > deadline or not self._read(deadline):
                self.fail(f"no prompt (expected pass {pass_}, step {step})")
        before = self.buffer[:match.start()]
        self.buffer = self.buffer[match.end():]
        got = (bool(match.group(1)), int(match.group(2)), int(match.group(3)))
        if got != (back, pass_, step):
            self.fail(f"expected the prompt at back={back} pass {pass_} step {step}, got {got}")
        return before

    def key(self, text):
        os.write(self.fd, text.encode() + b"\n")

    def end(self):
        """Everything until the terminal closes, and asyncio-trace's exit status."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and self._read(deadline):
            pass
        rest, self.buffer = self.buffer, b""
        _, status = os.waitpid(self.pid, 0)
        if not os.WIFEXITED(status):
            self.fail(f"asyncio-trace ended with wait status {status}")
        return rest, os.WEXITSTATUS(status)


def has(text, *needles):
    """The first needle (bytes, or a compiled pattern) not in `text`, or None."""
    for needle in needles:
        found = needle.search(text) if isinstance(needle, re.Pattern) else needle in text
        if not found:
            return needle
    return None


def expect(session, text, *needles):
    missing = has(text, *needles)
    if missing is not None:
        session.fail(f"expected {missing!r} in:\n" + text.decode(errors="replace"))


def refuse(session, text, *needles):
    for needle in needles:
        if needle in text:
            session.fail(f"did not expect {needle!r} in:\n" + text.decode(errors="replace"))


def only_step(session, text, step):
    """`text` shows step `step`'s lines and no other step's."""
    expect(session, text, STEP_LABELS[step - 1])
    refuse(session, text, *[label for i, label in enumerate(STEP_LABELS) if i != step - 1])


# ---- 1. step by step, the tables, back and forward, n, N, q
s = Session("--clock", "virtual", "--step", example)
first = s.prompt(False, 1, 1)
expect(s, first, b"Pass 1 (t=0.000000)", b"before this pass: created task Task-1", b"Step 1: drop cancelled timers: idle")
only_step(s, first, 1)
s.key("")
only_step(s, s.prompt(False, 1, 2), 2)
s.key("s")
only_step(s, s.prompt(False, 1, 3), 3)
s.key("")
step4 = s.prompt(False, 1, 4)
only_step(s, step4, 4)
expect(s, step4, b"Task.__step() [Task-1] -> awaited sleep(0.76)", b"created task blink", b"created task sensor")
refuse(s, step4, b"Pass 2")
# What the model holds after pass 1: the three new tasks' first steps queued, main asleep, the
# hardware's timers in the heap (the first one is the one pass 4's step 3 moves, at 0.06).
s.key("r")
ready = s.prompt(False, 1, 4)
expect(s, ready, b"ready queue after pass 1, step 4: 3 handles",
       b"1. Task.__step() [blink] <- create_task in Task 'Task-1'",
       b"2. Task.__step() [button] <- create_task in Task 'Task-1'",
       b"3. Task.__step() [sensor] <- create_task in Task 'Task-1'")
s.key("t")
heap = s.prompt(False, 1, 4)
expect(s, heap, b"timer heap after pass 1, step 4: 9 timers, the first 5 by deadline:",
       b"  due at 0.060000  button_interrupt() <- call_at in Task 'Task-1'\r\n"
       b"  due at 0.220000  button_interrupt() <- call_at in Task 'Task-1'\r\n"
       b"  due at 0.240000  sensor_interrupt() <- call_at in Task 'Task-1'")
s.key("k")
tasks = s.prompt(False, 1, 4)
expect(s, tasks, b"tasks after pass 1, step 4:", re.compile(rb"'Task-1' +waiting on sleep\(0\.76\) since pass 1 at "
                                                           rb"examples/02_superloop_async\.cpp:\d+"),
       re.compile(rb"'blink' +ready"), re.compile(rb"'sensor' +ready"))
s.key("w")
tree = s.prompt(False, 1, 4)
expect(s, tree, b"await tree after pass 1, step 4:", b"Task 'Task-1' awaits sleep(0.76)", b"Task 'button' (ready)")
# Back: step 3's lines again, then step 2's, with the queue as it was then (only main's first step).
s.key("b")
back3 = s.prompt(True, 1, 3)
expect(s, back3, b"(back: pass 1, step 3, as recorded)", b"Step 3: move due timers: idle")
s.key("b")
back2 = s.prompt(True, 1, 2)
expect(s, back2, b"(back: pass 1, step 2, as recorded)", b"Step 2: poll the selector: epoll, timeout=0.000000")
s.key("r")
expect(s, s.prompt(True, 1, 2), b"ready queue after pass 1, step 2: 1 handle",
       b"1. Task.__step() [Task-1] <- create_task in the loop")
s.key("k")
expect(s, s.prompt(True, 1, 2), re.compile(rb"'Task-1' +ready"))
# Forward again: the recorded steps replayed, then the program goes on.
s.key("")
expect(s, s.prompt(True, 1, 3), b"(forward: pass 1, step 3, as recorded)")
s.key("")
fwd4 = s.prompt(False, 1, 4)
expect(s, fwd4, b"(forward: pass 1, step 4, as recorded)", b"created task blink")
s.key("")
pass2 = s.prompt(False, 2, 1)
expect(s, pass2, b"Pass 2 (t=0.000000)")
only_step(s, pass2, 1)
# n: to the end of this pass; its steps in order, no prompt between them.
s.key("n")
rest2 = s.prompt(False, 2, 4)
positions = [rest2.find(label) for label in STEP_LABELS[1:]]
if -1 in positions or positions != sorted(positions):
    s.fail("pass 2's steps 2-4 not all shown, in order:\n" + rest2.decode(errors="replace"))
refuse(s, rest2, b"Pass 3")
# 2: two more passes (3 and 4); pass 4's step 3 moves the timer the heap showed first.
s.key("2")
run = s.prompt(False, 4, 4)
expect(s, run, b"Pass 3 (t=0.000000)", b"Pass 4 (t=0.000000)", b"button_interrupt() due at 0.060000, 0.000000 s late")
refuse(s, run, b"Pass 5")
s.key("q")
rest, status = s.end()
if status != 0:
    s.fail(f"q: exit status {status}, expected 0")
expect(s, rest, b"(stopped by --step after pass 4)")
refuse(s, rest, b"Pass 5")

# ---- 2. q inside a pass
s = Session("--clock", "virtual", "--step", example)
s.prompt(False, 1, 1)
s.key("")
s.prompt(False, 1, 2)
s.key("q")
rest, status = s.end()
if status != 0:
    s.fail(f"q in a pass: exit status {status}, expected 0")
expect(s, rest, b"(stopped by --step in pass 1, after step 2)")
refuse(s, rest, b"Step 3", b"Step 4", b"Pass 2")

# ---- 3. c: no more prompts, every pass, the program's own end (not "stopped")
s = Session("--clock", "virtual", "--step", example)
s.prompt(False, 1, 1)
s.key("c")
rest, status = s.end()
if status != 0:
    s.fail(f"c: exit status {status}, expected 0")
if PROMPT.search(rest):
    s.fail("c: a prompt after c")
refuse(s, rest, b"stopped by --step")
live_passes = [int(n) for n in re.findall(rb"^Pass (\d+) ", rest, re.M)]
if not live_passes or live_passes != list(range(2, live_passes[-1] + 1)) or live_passes[-1] < 30:
    s.fail(f"c: passes {live_passes}")
last_pass = live_passes[-1]

# ---- 4. --replay FILE --step: the same keys over a recording, nothing run
recording = os.path.join(work, "step_test_02.jsonl")
subprocess.run([tool, "--clock", "virtual", "--format", "jsonl", "-o", recording, example], check=True,
               stdout=subprocess.DEVNULL, timeout=TIMEOUT)
s = Session("--replay", recording, "--step")
expect(s, s.prompt(False, 1, 1), b"Pass 1 (t=0.000000)")
s.key("n")
s.prompt(False, 1, 4)
s.key("n")
expect(s, s.prompt(False, 2, 4), b"Task.__step() [button] -> awaited Future")
s.key("b")
s.prompt(True, 2, 3)
s.key("b")
expect(s, s.prompt(True, 2, 2), b"(back: pass 2, step 2, as recorded)")
s.key("t")
expect(s, s.prompt(True, 2, 2), b"timer heap after pass 2, step 2: 9 timers",
       b"due at 0.060000  button_interrupt() <- call_at in Task 'Task-1'")
s.key("")
s.prompt(True, 2, 3)
s.key("")
s.prompt(False, 2, 4)
s.key("")
expect(s, s.prompt(False, 3, 1), b"Pass 3 (t=0.000000)")
s.key("c")
end = s.prompt(False, last_pass, 4)
expect(s, end, f"Pass {last_pass} (t=".encode(), b"(end of the recorded trace, at pass %d, after step 4" % last_pass)
s.key("")
expect(s, s.prompt(False, last_pass, 4), b"(the recorded trace ends here; b goes back, q quits)")
s.key("b")
expect(s, s.prompt(True, last_pass, 3), b"(back: pass %d, step 3, as recorded)" % last_pass)
s.key("r")
expect(s, s.prompt(True, last_pass, 3), b"ready queue after pass %d, step 3: 1 handle" % last_pass)
s.key("q")
rest, status = s.end()
if status != 0:
    s.fail(f"replay q: exit status {status}, expected 0")
print(f"step_test: ok (live: steps, r/t/k/w, back and forward, n, 2, q, c to pass {last_pass}; replay forward, back, end)")
