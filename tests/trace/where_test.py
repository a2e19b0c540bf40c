#!/usr/bin/env python3
"""Where a task waits (issue 12 part 1), on examples 09 (queue) and 11 (streams).

where_test.py ASYNCIO_TRACE SOURCE_ROOT EXAMPLE_BINARY...
Runs each example under `asyncio-trace --clock virtual` and reads every `awaited ... at FILE:LINE`:
- each names the example's own source, never the runtime's, except the one task the runtime
  starts itself (the server's per-connection `_accept_connection2`, selector_events.cpp);
- the line named holds the call that suspended, and the queue and stream calls are among them
  (put/get/join for 09; open_connection/readline/read/wait_closed for 11).
"""
import os
import re
import subprocess
import sys

# The suspending calls each example must be seen waiting in, by the text of the source line.
EXPECTED = {
    "09_producer_consumer": ["rail.put(", "rail.get(", "rail.join("],
    "11_echo_server_client": ["open_connection(", "reader->readline(", "reader->read(", "wait_closed("],
}
# What a line named by `at` may hold: a call that suspends.
SUSPENDING = re.compile(r"\b(put|get|join|sleep|await|readline|read|readexactly|readuntil|drain|wait_closed|"
                        r"open_connection|start_server|serve_forever|acquire|wait|wait_for|task_group|gather)\(")
AT = re.compile(r"-> (?:awaited|yielded) .* at (\S+):(\d+)")
ALLOWED_RUNTIME = {"runtime/asyncio/selector_events.cpp"}


def main():
    tool, root, binaries = sys.argv[1], sys.argv[2], sys.argv[3:]
    failures = []
    for binary in binaries:
        name = os.path.basename(binary)
        run = subprocess.run([tool, "--clock", "virtual", binary], capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            failures.append(f"{name}: asyncio-trace exited {run.returncode}: {run.stderr}")
            continue
        source = f"examples/{name}.cpp"
        with open(os.path.join(root, source), encoding="utf-8") as f:
            lines = f.read().split("\n")
        seen = set()
        for m in AT.finditer(run.stdout):
            path, line = m.group(1), int(m.group(2))
            if path in ALLOWED_RUNTIME:
                continue
            if path != source:
                failures.append(f"{name}: a wait is shown at {path}:{line}, not in {source}")
                continue
            text = lines[line - 1]
            if not SUSPENDING.search(text):
                failures.append(f"{name}: {path}:{line} holds no suspending call: {text.strip()}")
            seen.add(text)
        for call in EXPECTED[name]:
            if not any(call in text for text in seen):
                failures.append(f"{name}: no wait shown at a line calling {call}")
        print(f"{name}: {len(seen)} distinct lines named")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
