#!/usr/bin/env python3
"""Stuck programs and SIGQUIT, on the real clock (docs/trace.md, "Stuck programs", "SIGQUIT").

stuck_test.py ASYNCIO_TRACE TRACE_STUCK CASE [TRACE_STUCK_CPP]
  cycle, orphan: asyncio-trace reports the program stuck at the same pass as on the virtual clock
                 (detection is at the select call, not by a timer) and exits with status 4.
  report, py_report: --stuck report shows the report and lets the program wait (killed here).
  debug:         no asyncio-trace, debug mode: the runtime logs the report once on stderr and waits.
  py_cycle, py_orphan: TRACE_STUCK is tests/trace/trace_stuck.py, traced by the CPython recorder:
                 exit status 4 on both clocks, and the same stuck pass and report as the C++ program
                 TRACE_STUCK_CPP shows.
  sigquit:       SIGQUIT to the job's process group (Ctrl-\\) makes a traced program print its task
                 table and await tree on stderr; the program goes on and ends normally, and
                 asyncio-trace, which got the signal too, finishes the trace.
Generous timeouts only guard against a hang; nothing here depends on timing.
"""
import os
import re
import signal
import subprocess
import sys
import time

TIMEOUT = 120


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def read_until(stream, pattern, proc):
    """Lines from `stream` until one matches `pattern`; all lines read so far."""
    seen = []
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            fail(f"stream ended before {pattern!r}; got:\n{''.join(seen)}")
        seen.append(line)
        if re.search(pattern, line):
            return "".join(seen)
    proc.kill()
    fail(f"no {pattern!r} within {TIMEOUT} s; got:\n{''.join(seen)}")


def stuck_pass(text):
    m = re.search(r"Stuck: pass (\d+) would wait for ever", text)
    if not m:
        fail("no Stuck: line in:\n" + text)
    return int(m.group(1))


def report_text(out):
    """The Stuck: report as asyncio-trace shows it, from its first line to the Assumption line."""
    lines = out.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("  Stuck: pass ")), None)
    if start is None:
        fail("no Stuck: report in:\n" + out)
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("  Assumption:")), None)
    if end is None:
        fail("no Assumption: line in:\n" + out)
    return "\n".join(lines[start:end + 1])


def main():
    tool, program, case = sys.argv[1:4]
    if case in ("py_cycle", "py_orphan"):
        twin = sys.argv[4]
        mode = case[3:]
        cpp = subprocess.run([tool, "--clock", "virtual", twin, mode], capture_output=True, text=True,
                             timeout=TIMEOUT)
        if cpp.returncode != 4:
            fail(f"the C++ program: exit status {cpp.returncode}, expected 4\n{cpp.stdout}\n{cpp.stderr}")
        want_report = report_text(cpp.stdout)
        for clock in ("virtual", "real"):
            p = subprocess.run([tool, "--clock", clock, program, mode], capture_output=True, text=True,
                               timeout=TIMEOUT)
            if p.returncode != 4:
                fail(f"{clock} clock: exit status {p.returncode}, expected 4\n{p.stdout}\n{p.stderr}")
            if "nothing can wake its loop; ended (exit status 4)" not in p.stderr:
                fail("no asyncio-trace message on stderr:\n" + p.stderr)
            if "done" in p.stdout.splitlines():
                fail("the program went on after being stuck")
            got = report_text(p.stdout)
            for want in ("Cycle: Task 'a' awaits Task 'b' awaits Task 'a'", "    Task 'Task-1' awaits gather",
                         "        Task 'b' awaits Task 'a'", "          Task 'a' (cycle)",
                         "      Task 'b' (shown above)") if mode == "cycle" else \
                    ("Nothing can complete the Future that Task 'lonely' awaits.", "      Task 'lonely' awaits Future"):
                if want not in got.splitlines() and "  " + want not in got.splitlines():
                    fail(f"{clock} clock: no {want!r} in:\n{got}")
            if stuck_pass(got) != stuck_pass(want_report):
                fail(f"{clock} clock: stuck at pass {stuck_pass(got)}, the C++ program at {stuck_pass(want_report)}")
            if got != want_report:
                fail(f"{clock} clock: the report differs from the C++ program's:\n{got}\n---\n{want_report}")
    elif case in ("cycle", "orphan"):
        runs = {}
        for clock in ("virtual", "real"):
            p = subprocess.run([tool, "--clock", clock, program, case], capture_output=True, text=True,
                               timeout=TIMEOUT)
            if p.returncode != 4:
                fail(f"{clock} clock: exit status {p.returncode}, expected 4\n{p.stdout}\n{p.stderr}")
            if "nothing can wake its loop; ended (exit status 4)" not in p.stderr:
                fail("no asyncio-trace message on stderr:\n" + p.stderr)
            runs[clock] = stuck_pass(p.stdout)
            want = "Cycle: Task 'a' awaits Task 'b' awaits Task 'a'" if case == "cycle" else \
                "Nothing can complete the Future that Task 'lonely' awaits."
            if want not in p.stdout:
                fail(f"{clock} clock: no {want!r} in:\n{p.stdout}")
            if "done" in p.stdout.splitlines():
                fail("the program went on after being stuck")
        if runs["virtual"] != runs["real"]:
            fail(f"stuck at pass {runs['virtual']} on the virtual clock but {runs['real']} on the real one")
    elif case in ("report", "py_report"):
        # Its own session: killing the group ends asyncio-trace and the waiting program with it.
        proc = subprocess.Popen([tool, "--stuck", "report", program, "cycle"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        text = read_until(proc.stdout, r"^  Assumption:", proc)
        stuck_pass(text)
        time.sleep(0.3)  # it must still be waiting (a check of state, not of timing: it can never end)
        if proc.poll() is not None:
            fail(f"--stuck report: the program ended (status {proc.returncode})")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=TIMEOUT)
    elif case == "debug":
        proc = subprocess.Popen([program, "orphan", "debug"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        text = read_until(proc.stderr, r"^Assumption:", proc)
        if "Nothing can complete the Future that Task 'lonely' awaits." not in text:
            fail("debug report without the orphan:\n" + text)
        time.sleep(0.3)
        if proc.poll() is not None:
            fail(f"debug mode: the program ended (status {proc.returncode})")
        proc.kill()
        proc.communicate(timeout=TIMEOUT)
    elif case == "sigquit":
        # Its own process group, as a terminal's foreground job: Ctrl-\ sends SIGQUIT to the whole
        # group, asyncio-trace included, which must survive it (the trace would be lost).
        proc = subprocess.Popen([tool, program, "sigquit"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        read_until(proc.stderr, r"^ready pid=\d+", proc)
        os.killpg(proc.pid, signal.SIGQUIT)
        text = read_until(proc.stderr, r"^Task 'queue_getter' awaits Queue\.get\(\)", proc)
        # stdin_waiter began waiting in pass 2 (main's first step created it, its own first
        # step awaits the line): the live table keeps that pass, as --tasks does.
        for want in ("asyncio: SIGQUIT at pass ",
                     "'stdin_waiter'  waiting on Future since pass 2 at tests/trace/trace_stuck.cpp:46\n",
                     "'Task-1'        waiting on Task 'stdin_waiter' since pass ", "await tree:",
                     "'queue_getter'  waiting on Queue.get() since pass 2 at tests/trace/trace_stuck.cpp:",
                     "Task 'Task-1' awaits Task 'stdin_waiter'", "  Task 'stdin_waiter' awaits Future\n"):
            if want not in text:
                fail(f"no {want!r} in the SIGQUIT report:\n{text}")
        out, err = proc.communicate("hello\n", timeout=TIMEOUT)
        if proc.returncode != 0:
            fail(f"after SIGQUIT the program ended with {proc.returncode}\n{err}")
        if "got 6 bytes" not in out or "done" not in out:
            fail("the program did not go on after SIGQUIT:\n" + out)
    else:
        fail("unknown case " + case)
    print("ok", case)


if __name__ == "__main__":
    main()
