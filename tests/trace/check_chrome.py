#!/usr/bin/env python3
"""Checks asyncio-trace --format chrome output against the trace-event schema Perfetto reads.

usage: check_chrome.py FILE [--virtual] [--flows KIND,KIND...] [--heap]
Every event has ph, pid, tid; X slices have ts and dur >= 0; instants have ts and a scope;
M events name the process and the threads; every task track that has slices is named; the passes
are markers numbered 1, 2, ... in order; select waits sit on the loop's track (tid 0).
Flows (cause -> wake-up): each "s" has exactly one "f" with its id, bound to the enclosing slice
("bp": "e"), no earlier than its start, and each end lies inside a slice on its track; there is at
least one. Counters: the ready queue's length, a whole number >= 0, on the loop's track (and the
timer heap's size, the same way, when the stream has causes).
With --flows: a flow of each KIND named (timer, fd, set_result, call_soon, thread) is there.
With --heap: the timer heap's counter is there.
With --virtual (a trace on the virtual clock): every slice has a visible width (dur > 0) and the
slices of one track never overlap.
"""
import json
import sys

virtual = "--virtual" in sys.argv[2:]
want_heap = "--heap" in sys.argv[2:]
want_flows = []
if "--flows" in sys.argv[2:]:
    want_flows = sys.argv[sys.argv.index("--flows") + 1].split(",")
with open(sys.argv[1]) as f:
    doc = json.load(f)
events = doc["traceEvents"]
assert isinstance(events, list) and events, "no events"
named_tracks = {}
passes = []
slices = []
starts, ends = {}, {}
counters = 0
heap_counters = 0
for e in events:
    assert e["ph"] in ("M", "X", "i", "s", "f", "C"), e
    assert isinstance(e["pid"], int) and isinstance(e["tid"], int), e
    assert isinstance(e["name"], str) and e["name"], e
    if e["ph"] == "M":
        assert e["name"] in ("process_name", "thread_name", "thread_sort_index"), e
        if e["name"] == "thread_name":
            named_tracks[e["tid"]] = e["args"]["name"]
        continue
    assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e
    if e["ph"] == "i":
        assert e["s"] == "g" and e["cat"] == "pass", e
        passes.append(e["args"]["pass"])
    elif e["ph"] == "C":
        assert e["tid"] == 0 and e["name"] in ("ready queue", "timer heap"), e
        n = e["args"]["handles" if e["name"] == "ready queue" else "timers"]
        assert isinstance(n, int) and n >= 0, e
        if e["name"] == "ready queue":
            counters += 1
        else:
            heap_counters += 1
    elif e["ph"] in ("s", "f"):
        assert e["cat"] == "cause" and isinstance(e["id"], int), e
        book = starts if e["ph"] == "s" else ends
        assert e["id"] not in book, f"flow id used twice: {e}"
        book[e["id"]] = e
        if e["ph"] == "f":
            assert e.get("bp") == "e", e
    else:
        assert isinstance(e["dur"], (int, float)) and e["dur"] >= 0, e
        if virtual:
            assert e["dur"] > 0, f"a slice with no width on the virtual clock: {e}"
        assert e["cat"] in ("select", "callback", "timers"), e
        if e["cat"] == "select":
            assert e["tid"] == 0 and e["name"] == "select (idle)", e
            assert e["args"]["reason"] in ("ready queue not empty", "stopping", "next timer", "nothing scheduled"), e
        slices.append(e)
        assert e["tid"] in named_tracks, f"slice on an unnamed track: {e}"
assert named_tracks.get(0) == "loop", named_tracks
assert passes == list(range(1, len(passes) + 1)), passes
assert slices
assert counters >= len(passes), "no ready-queue counter"
assert starts and starts.keys() == ends.keys(), "flows without both ends"


def inside(tid, ts):
    return any(s["tid"] == tid and s["ts"] <= ts <= s["ts"] + s["dur"] for s in slices)


for i, s in starts.items():
    f = ends[i]
    assert f["ts"] >= s["ts"], f"flow {i} ends before it starts"
    assert inside(s["tid"], s["ts"]) and inside(f["tid"], f["ts"]), f"flow {i} is not attached to slices"
if virtual:
    by_track = {}
    for s in slices:
        by_track.setdefault(s["tid"], []).append(s)
    for tid, track in by_track.items():
        track.sort(key=lambda s: s["ts"])
        for a, b in zip(track, track[1:]):
            assert a["ts"] + a["dur"] <= b["ts"] + 1e-3, f"slices overlap on track {tid}: {a} {b}"
kinds = sorted({s["name"] for s in starts.values()})
assert set(want_flows) <= set(kinds), f"flows missing: {set(want_flows) - set(kinds)} (have {kinds})"
assert not want_heap or heap_counters >= len(passes), "no timer-heap counter"
print(f"check_chrome: ok ({len(passes)} passes, {len(slices)} slices, {len(named_tracks)} tracks, "
      f"{len(starts)} flows {kinds}, {counters} ready-queue and {heap_counters} timer-heap counter values)")
