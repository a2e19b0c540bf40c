#!/usr/bin/env python3
"""test_floors.py ASYNCIO_FLOORS: asyncio-floors --quick measures every floor it lists, each one
line of JSON with a positive cost per op (and the echo and HTTP floors their rates); a floor asked
for by name runs alone; an unknown name is refused. Nothing here looks at how large a figure is."""
import json
import subprocess
import sys

exe = sys.argv[1]
failures = []


def run(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)


names = run("--list").stdout.split()
want = ["page_fault_4k", "fresh_huge_per_4k", "throw_catch", "fiber_round_trip", "echo_epoll", "http_exchange"]
if names != want:
    failures.append(f"--list: want {want}, got {names}")

p = run("--quick")
if p.returncode != 0:
    failures.append(f"--quick exited {p.returncode}: {p.stderr}")
lines = [json.loads(l) for l in p.stdout.splitlines()]
if [l.get("floor") for l in lines] != want:
    failures.append(f"--quick printed floors {[l.get('floor') for l in lines]}")
for l in lines:
    if not (l.get("n", 0) > 0 and l.get("seconds", 0) > 0 and l.get("ns_per_op", 0) > 0 and l.get("what")):
        failures.append(f"{l.get('floor')}: not a measurement: {l}")
by = {l["floor"]: l for l in lines}
for name, key in (("echo_epoll", "rt_per_s"), ("http_exchange", "requests_per_s")):
    rate = by.get(name, {}).get(key, 0)
    if rate <= 0:
        failures.append(f"{name}: no {key}")
    elif abs(rate * by[name]["ns_per_op"] / 1e9 - 1) > 0.01:  # the rate is the cost per op inverted
        failures.append(f"{name}: {key} {rate} disagrees with ns_per_op {by[name]['ns_per_op']}")

one = run("--quick", "throw_catch")
if [json.loads(l)["floor"] for l in one.stdout.splitlines()] != ["throw_catch"]:
    failures.append(f"asking for throw_catch alone printed: {one.stdout!r}")
bad = run("no_such_floor")
if bad.returncode != 2 or "no_such_floor" not in bad.stderr:
    failures.append(f"an unknown floor: exit {bad.returncode}, stderr {bad.stderr!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"floors: {len(lines)} measured, each a positive cost")
