#!/usr/bin/env python3
"""test_bar_check.py: run.py's bar check on made-up runs: each kind of bar holds when the median
over the reps holds, misses when it does not, and a missing peer is 'not measured', not a pass."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402


def rows_for(workload, cpp, cpy, uvl, extra_cpp=None, extra_uvl=None, coro=None, extra_coro=None):
    """Three reps; cpp/cpy/uvl/coro are ns per op per rep (None: that implementation did not run)."""
    runs = []
    for rep in range(3):
        for label, ns, extra in ((run.CPP, cpp, extra_cpp), (run.CPY, cpy, None), (run.UVL, uvl, extra_uvl),
                                 (run.CORO, coro, extra_coro)):
            if ns is None:
                continue
            row = {"workload": workload, "label": label, "rep": rep, "per_op_ns": ns[rep], "n": 1000,
                   "seconds": 1.0, "cpu_seconds": ns[rep] * 1000 / 1e9, "peak_rss_kb": 1000}
            if extra:
                row.update({k: v[rep] for k, v in extra.items()})
            runs.append(row)
    return runs


def verdicts(runs):
    labels = [run.CPP, run.CPY, run.UVL, run.CORO]
    return {(w, bar): verdict for w, bar, _, verdict, _ in run.bar_check(run.summarize(runs, labels))}


def floor_cells(runs, floors):
    """(workload, bar) -> the 'floor here' cell, with asyncio-floors' lines (one rep each) given."""
    labels = [run.CPP, run.CPY, run.UVL, run.CORO]
    summary = run.summarize(runs, labels)
    return {(w, bar): floor for w, bar, _, _, floor in run.bar_check(summary, run.summarize_floors([floors]))}


def floor_line(name, ns, **extra):
    return {name: {"floor": name, "ns_per_op": ns, "what": name, **extra}}


failures = []


def expect(got, key, want):
    if got.get(key) != want:
        failures.append(f"{key}: want {want}, got {got.get(key)}")


# call_soon_chain: medians 19 ns (holds <= 20 even though one rep is 40), 12x CPython, 3x uvloop.
v = verdicts(rows_for("call_soon_chain", [19, 40, 18], [228, 228, 228], [57, 57, 57]))
expect(v, ("call_soon_chain", "<= 20 ns/op"), "holds")
expect(v, ("call_soon_chain", ">= 10x cpython-asyncio"), "holds")
expect(v, ("call_soon_chain", ">= 1x uvloop"), "holds")
# call_soon_batch: median 230 ns misses <= 50, and 7.4x CPython misses the 10x bar.
v = verdicts(rows_for("call_soon_batch", [230, 230, 230], [1702, 1702, 1702], [1119, 1119, 1119]))
expect(v, ("call_soon_batch", "<= 50 ns/op"), "MISS")
expect(v, ("call_soon_batch", ">= 10x cpython-asyncio"), "MISS")
# echo_tcp: 2x uvloop's round trips per second holds at 104k vs 52k, misses at 78k.
for rts, want in ((104_000, "holds"), (78_000, "MISS")):
    v = verdicts(rows_for("echo_tcp", [10, 10, 10], [70, 70, 70], [20, 20, 20],
                          {"rt_per_s": [rts] * 3}, {"rt_per_s": [52_000] * 3}))
    expect(v, ("echo_tcp", ">= 2x uvloop RT/s"), want)
# idle_tasks_memory: bytes per task.
v = verdicts(rows_for("idle_tasks_memory", [5, 5, 5], [60, 60, 60], [50, 50, 50],
                      {"bytes_per_task": [4575, 4575, 4575]}))
expect(v, ("idle_tasks_memory", "<= 4,300 B/task"), "MISS")
# uvloop not installed: its bars are not measured, never passed.
v = verdicts(rows_for("sleep0_switch", [50, 50, 50], [1533, 1533, 1533], None))
expect(v, ("sleep0_switch", ">= 1x uvloop"), "not measured")
expect(v, ("sleep0_switch", "<= 60 ns/op"), "holds")
# Coroutine tasks (the asyncio-cpp-coro column) have bars of their own, prefixed "coro:", and are
# never a peer: no ratio of the fiber column against them, no ratio bars for them.
v = verdicts(rows_for("sleep0_switch", [50, 50, 50], [1533, 1533, 1533], [100, 100, 100], coro=[35, 90, 38]))
expect(v, ("sleep0_switch", "coro: <= 40 ns/op"), "holds")
expect(v, ("sleep0_switch", "<= 60 ns/op"), "holds")
if any(bar.endswith(run.CORO) for _, bar in v):
    failures.append("the coroutine column was treated as a peer")
v = verdicts(rows_for("spawn_gather", [400, 400, 400], [3000, 3000, 3000], [900, 900, 900], coro=[310, 320, 290]))
expect(v, ("spawn_gather", "coro: <= 300 ns/op"), "MISS")
v = verdicts(rows_for("idle_tasks_memory", [5, 5, 5], [60, 60, 60], [50, 50, 50],
                      {"bytes_per_task": [4575] * 3}, coro=[5, 5, 5], extra_coro={"bytes_per_task": [500, 530, 480]}))
expect(v, ("idle_tasks_memory", "coro: <= 512 B/task"), "holds")
v = verdicts(rows_for("idle_tasks_memory", [5, 5, 5], [60, 60, 60], [50, 50, 50],
                      {"bytes_per_task": [4575] * 3}, coro=[5, 5, 5], extra_coro={"bytes_per_task": [1075] * 3}))
expect(v, ("idle_tasks_memory", "coro: <= 512 B/task"), "MISS")
# The coroutine column not run (--kinds fiber): its bars are not measured, never passed.
v = verdicts(rows_for("cancel_many", [3000, 3000, 3000], [40000, 40000, 40000], [9000, 9000, 9000]))
expect(v, ("cancel_many", "coro: <= 2,000 ns/op"), "not measured")

# Floors (asyncio-floors): a bar below what the machine's bare primitives cost is out of reach.
FLOORS = {**floor_line("page_fault_4k", 3900.0), **floor_line("throw_catch", 1600.0),
          **floor_line("fiber_round_trip", 14.5), **floor_line("echo_epoll", 1e9 / 45_000, rt_per_s=45_000.0)}
# cancel_many, fiber: a fresh stack page + one throw = 5,500 ns > the 4,000 bar; 50,000 ns in
# CPython allows at most 9.09x; coroutine: one throw, 1,600 <= 2,000, within reach.
f = floor_cells(rows_for("cancel_many", [10000] * 3, [50000] * 3, [40000] * 3, coro=[5000] * 3), FLOORS)
expect(f, ("cancel_many", "<= 4,000 ns/op"), "5,500 ns/op (a fresh stack page + one throw): out of reach")
expect(f, ("cancel_many", ">= 10x cpython-asyncio"), "at most 9.09x (a fresh stack page + one throw): out of reach")
expect(f, ("cancel_many", ">= 1x uvloop"), "at most 7.27x (a fresh stack page + one throw)")
expect(f, ("cancel_many", "coro: <= 2,000 ns/op"), "1,600 ns/op (one throw)")
# echo_tcp: bare epoll makes 45,000 RT/s; uvloop 30,000: at most 1.5x, so 2x uvloop is out of reach.
f = floor_cells(rows_for("echo_tcp", [21000] * 3, [110000] * 3, [33000] * 3,
                         {"rt_per_s": [46_000] * 3}, {"rt_per_s": [30_000] * 3}), FLOORS)
expect(f, ("echo_tcp", ">= 2x uvloop RT/s"), "at most 1.5x (bare epoll echo): out of reach")
expect(f, ("echo_tcp", ">= 10x cpython-asyncio"), "at most 4.95x (bare epoll echo): out of reach")
# A floor under the bar leaves it within reach (no "out of reach"), missed or not.
f = floor_cells(rows_for("sleep0_switch", [182] * 3, [3000] * 3, [1500] * 3), FLOORS)
expect(f, ("sleep0_switch", "<= 60 ns/op"), "14.5 ns/op (a bare fiber round trip)")
f = floor_cells(rows_for("idle_tasks_memory", [7800] * 3, [34000] * 3, [24000] * 3,
                         {"bytes_per_task": [4541] * 3}), FLOORS)
expect(f, ("idle_tasks_memory", "<= 4,300 B/task"), f"{run.fmt(run.PAGE_BYTES)} B/task (one stack page)")
# No floor model for the workload, or no floors measured: "–", never a guess.
f = floor_cells(rows_for("call_soon_chain", [35] * 3, [4000] * 3, [1500] * 3), FLOORS)
expect(f, ("call_soon_chain", "<= 20 ns/op"), "–")
f = floor_cells(rows_for("cancel_many", [10000] * 3, [50000] * 3, [40000] * 3), {})
expect(f, ("cancel_many", "<= 4,000 ns/op"), "–")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("bar check: every verdict as expected")
