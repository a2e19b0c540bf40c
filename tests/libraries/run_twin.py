#!/usr/bin/env python3
"""run_twin.py: runs a course program written with a real library (httpx, Trio, Twisted) under Debian's
Python and checks what it prints. Skipped (exit 77) only if that Python or the library is missing.

usage: run_twin.py PYTHON MODULE PROGRAM.py EXPECTED [--attempts N] [--replay ASYNCIO_TRACE]

  PYTHON      the interpreter (Debian's /usr/bin/python3, which has python3-httpx, -trio, -twisted)
  MODULE      the library the program imports (`import MODULE` must work, or the test is skipped)
  EXPECTED    the file whose bytes the program's stdout must equal (real time: N attempts, default 1)
  --replay    also run it twice on the virtual clock writing a trace (ASYNCIO_TRACE=jsonl:FILE): the two
              streams must be identical, and ASYNCIO_TRACE --replay FILE --summary must read one
"""
import argparse
import os
import subprocess
import sys
import tempfile

SKIP = 77  # CTest's SKIP_RETURN_CODE for these tests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("python")
    ap.add_argument("module")
    ap.add_argument("program")
    ap.add_argument("expected")
    ap.add_argument("--attempts", type=int, default=1)
    ap.add_argument("--replay")
    a = ap.parse_args()
    if not os.access(a.python, os.X_OK):
        print(f"skipped: no interpreter {a.python} (Debian's python3; tools/dev.sh test installs it)")
        return SKIP
    probe = subprocess.run([a.python, "-c", f"import {a.module}"], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"skipped: {a.python} cannot import {a.module} (install python3-{a.module}: tools/dev.sh test)")
        return SKIP
    with open(a.expected, encoding="utf-8") as f:
        expected = f.read()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASYNCIO_")}
    for attempt in range(1, a.attempts + 1):
        run = subprocess.run([a.python, a.program], capture_output=True, text=True, env=env, timeout=120)
        if run.returncode != 0:
            print(f"{a.program} exited with status {run.returncode}:\n{run.stderr}")
            return 1
        if run.stdout == expected:
            break
        print(f"attempt {attempt} of {a.attempts}: the output differs from {a.expected}:\n{run.stdout}")
    else:
        return 1
    if a.replay:
        streams = []
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(2):
                path = os.path.join(tmp, f"trace{i}.jsonl")
                traced = dict(env, ASYNCIO_TRACE=f"jsonl:{path}", ASYNCIO_CLOCK="virtual")
                run = subprocess.run([a.python, a.program], capture_output=True, text=True, env=traced, timeout=120)
                if run.returncode != 0 or run.stdout != expected:
                    print(f"traced on the virtual clock, {a.program} printed (status {run.returncode}):\n"
                          f"{run.stdout}{run.stderr}")
                    return 1
                with open(path, encoding="utf-8") as f:
                    streams.append(f.read())
            if streams[0] != streams[1]:
                print("two runs on the virtual clock wrote different streams")
                return 1
            replay = subprocess.run([a.replay, "--replay", path, "--summary"], capture_output=True, text=True)
            if replay.returncode != 0:
                print(f"{a.replay} --replay could not read the stream:\n{replay.stderr}")
                return 1
            print(replay.stdout)
    print(f"ok: {a.program} under {a.python}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
