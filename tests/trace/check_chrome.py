#!/usr/bin/env python3
"""Checks asyncio-trace --format chrome output against the trace-event schema Perfetto reads.

usage: check_chrome.py FILE
Every event has ph, pid, tid; X slices have ts and dur >= 0; instants have ts and a scope;
M events name the process and the threads; every task track that has slices is named; the passes
are markers numbered 1, 2, ... in order; select waits sit on the loop's track (tid 0).
"""
import json
import sys

with open(sys.argv[1]) as f:
    doc = json.load(f)
events = doc["traceEvents"]
assert isinstance(events, list) and events, "no events"
named_tracks = {}
passes = []
slices = 0
for e in events:
    assert e["ph"] in ("M", "X", "i"), e
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
    else:
        assert isinstance(e["dur"], (int, float)) and e["dur"] >= 0, e
        assert e["cat"] in ("select", "callback"), e
        if e["cat"] == "select":
            assert e["tid"] == 0 and e["name"] == "select (idle)", e
            assert e["args"]["reason"] in ("ready queue not empty", "stopping", "next timer", "nothing scheduled"), e
        slices += 1
        assert e["tid"] in named_tracks, f"slice on an unnamed track: {e}"
assert named_tracks.get(0) == "loop", named_tracks
assert passes == list(range(1, len(passes) + 1)), passes
assert slices > 0
print(f"check_chrome: ok ({len(passes)} passes, {slices} slices, {len(named_tracks)} tracks)")
