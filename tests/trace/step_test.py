#!/usr/bin/env python3
"""Drives `asyncio-trace --step` through a pseudo-terminal, as a person at a keyboard would.

usage: step_test.py ASYNCIO_TRACE PROGRAM
Pass 1 and its prompt, Enter (pass 2), "3" (passes 3-5 without prompts), then "q": the program
must stop at once after pass 5 with exit status 0, and the text must say it was stopped.
A second run answers "c" at the first prompt: the program runs to its end with no more prompts.
"""
import os
import pty
import re
import select
import sys
import time

tool, program = sys.argv[1], sys.argv[2]
PROMPT = re.compile(rb"-- after pass (\d+): Enter next pass")



def start():
    """Runs asyncio-trace --step on a new pseudo-terminal; returns (pid, fd)."""
    child, master = pty.fork()
    if child == 0:
        os.execv(tool, [tool, "--clock", "virtual", "--color", "never", "--step", program])
    return child, master


def read_to_end():
    """Everything the program writes until it closes the terminal, then its wait status."""
    rest = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        rest += chunk
    return rest, os.waitpid(pid, 0)[1]


pid, fd = start()
output = b""


def read_until_prompt(timeout=20.0):
    """Reads until a new prompt appears; returns the pass number it names."""
    global output
    deadline = time.monotonic() + timeout
    start = len(output)
    while time.monotonic() < deadline:
        match = PROMPT.search(output, start)
        if match:
            # Everything after the prompt belongs to the next read.
            return int(match.group(1)), match.end()
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    sys.exit("no prompt; output so far:\n" + output.decode(errors="replace"))


def expect_prompt(expected_pass):
    global output
    n, end = read_until_prompt()
    if n != expected_pass:
        sys.exit(f"expected the prompt after pass {expected_pass}, got pass {n}:\n" + output.decode(errors="replace"))
    consumed = output[:end]
    output = output[end:]
    return consumed


first = expect_prompt(1)
assert b"Pass 1 " in first and b"Step 4: run what was ready" in first, first
assert b"Pass 2 " not in first, "the program ran past pass 1 before the answer"
os.write(fd, b"\n")
second = expect_prompt(2)
assert b"Pass 2 " in second and b"Pass 3 " not in second, second
os.write(fd, b"3\n")
third = expect_prompt(5)
for n in (3, 4, 5):
    assert f"Pass {n} ".encode() in third, third
assert b"Pass 6 " not in third, third
os.write(fd, b"q\n")

rest, status = read_to_end()
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    sys.exit(f"asyncio-trace ended with wait status {status}:\n" + rest.decode(errors="replace"))
assert b"Pass 6 " not in rest, rest
assert b"(stopped by --step after pass 5)" in rest, rest

# "c": no more prompts, every pass, the program's own end (exit status 0, not "stopped").
pid, fd = start()
output = b""
expect_prompt(1)
os.write(fd, b"c\n")
rest, status = read_to_end()
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    sys.exit(f"asyncio-trace (c) ended with wait status {status}:\n" + rest.decode(errors="replace"))
assert not PROMPT.search(rest), rest
assert b"Pass 2 " in rest and b"stopped by --step" not in rest, rest
passes = [int(n) for n in re.findall(rb"^Pass (\d+) ", rest, re.M)]
assert passes and passes == sorted(passes) and passes[-1] >= 10, passes
print(f"step_test: ok (q after pass 5; c ran to pass {passes[-1]})")
