#!/usr/bin/env python3
"""Benchmark driver: asyncio-cpp beside CPython asyncio and uvloop, one workload per process.

    python3 tools/bench/run.py                 # 3 reps of every workload, all implementations
    python3 tools/bench/run.py --quick         # 1 rep, small n: a minute or two
    python3 tools/bench/run.py --sweep         # cost per op as the work grows (asyncio-cpp)
    python3 tools/bench/run.py --trace-cost    # call_soon_chain, observer hooks in vs compiled out
    python3 tools/bench/run.py --kinds fiber   # asyncio-cpp with fiber tasks only (default: fiber and coro)

Builds asyncio-bench (Release, build/release unless --build-dir), then runs, for each rep,
every workload on every implementation in a fresh process, the implementation order rotated
each rep so that drift on a shared machine hits all of them alike. Prints medians, min-max
and same-rep ratios; writes every run and the summary as JSON (build/bench/results.json
unless -o) and an SVG chart of the speed-ups next to it (or --svg). Python stdlib only.
Course: docs/performance.md
"""
import argparse
import contextlib
import datetime
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TWINS = os.path.join(ROOT, "tools", "bench", "twins.py")

# In WORKLOADS.md order, with the small sizes --quick uses.
WORKLOADS = {
    "call_soon_chain": 100_000, "call_soon_batch": 100_000, "sleep0_switch": 100_000,
    "spawn_gather": 10_000, "timers": 20_000, "future_pingpong": 50_000, "queue_pipe": 50_000,
    "echo_tcp": 10_000, "idle_tasks_memory": 10_000, "cancel_many": 10_000,
    "stream_readline": 100_000, "stream_readline_buffered": 200_000, "http_fetch": 2_000,
}
SWEEP = {
    "spawn_gather": [10**3, 10**4, 10**5, 10**6],
    "idle_tasks_memory": [10**3, 10**4, 10**5, 10**6],
    "timers": [10**4, 10**5, 10**6],
}
CPP, CPY, UVL = "asyncio-cpp", "cpython-asyncio", "uvloop"
# asyncio-cpp again with coroutine tasks (asyncio-bench --kind coro), for the task workloads only.
# It is a column of its own, never a peer: the ratios compare the fiber column with CPython and
# uvloop, and the coroutine column has bars of its own (CORO_TARGETS).
CORO = "asyncio-cpp-coro"
CORO_WORKLOADS = ("sleep0_switch", "spawn_gather", "future_pingpong", "idle_tasks_memory", "cancel_many")

# The bars a run is checked against (issue "Performance: close the five misses"), fiber tasks, at
# the peers' default sizes. Per workload: ("ns", limit) = median ns per op at most limit (timers:
# CPU ns, as figure() measures it); ("B", limit) = median bytes per idle task at most limit;
# ("x_uvloop", k) = median round trips per second at least k times uvloop's in the same run.
TARGETS = {
    "call_soon_chain": ("ns", 20), "call_soon_batch": ("ns", 50), "sleep0_switch": ("ns", 60),
    "spawn_gather": ("ns", 500), "timers": ("ns", 300), "future_pingpong": ("ns", 150),
    "echo_tcp": ("x_uvloop", 2.0), "cancel_many": ("ns", 4000), "idle_tasks_memory": ("B", 4300),
}
# The bars for coroutine tasks (issue 16, "Stackless tasks"), same kinds and sizes as TARGETS.
CORO_TARGETS = {
    "sleep0_switch": ("ns", 40), "spawn_gather": ("ns", 300), "future_pingpong": ("ns", 150),
    "cancel_many": ("ns", 2000), "idle_tasks_memory": ("B", 512),
}
# Every workload is also held to these ratios: at least 10x CPython and at least 1x uvloop.
RATIO_BARS = {CPY: 10.0, UVL: 1.0}
# The floor under a workload's figure on this machine: the primitives no implementation of the
# workload can do without, as asyncio-floors measures them bare in the same run (the sum of their
# ns per op), and what they are. A bar below its floor is out of reach here whatever the runtime
# does; the bar check says so beside the verdict. Workloads without an entry have no floor model.
FLOOR_MODELS = {
    ("sleep0_switch", CPP): (("fiber_round_trip",), "a bare fiber round trip"),
    ("idle_tasks_memory", CPP): (("page_fault_4k",), "a fresh stack page"),
    ("cancel_many", CPP): (("page_fault_4k", "throw_catch"), "a fresh stack page + one throw"),
    ("cancel_many", CORO): (("throw_catch",), "one throw"),
    ("echo_tcp", CPP): (("echo_epoll",), "bare epoll echo"),
    ("http_fetch", CPP): (("http_exchange",), "bare epoll HTTP exchange"),
}
# An idle fiber task holds at least the page its stack has touched.
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
PER_RUN_TIMEOUT = 600


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- building

def build(build_dir, extra_defs=()):
    """Configure (Release) if needed and build only asyncio-bench and asyncio-floors; return the
    bench's path (asyncio-floors lies beside it)."""
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        cmd = ["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release", *extra_defs]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build_dir, "--target", "asyncio-bench", "asyncio-floors", "-j2"], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(build_dir, "tools", "asyncio-bench")


def cache_value(build_dir, key):
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as cache:
            for line in cache:
                if line.startswith(key + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return None


# ---------------------------------------------------------------- implementations

def find_python():
    """python3 as the project uses it, resolved past any pyenv shim (no shim start-up noise)."""
    exe = shutil.which("python3")
    try:
        return subprocess.run([exe, "-c", "import sys; print(sys.executable)"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError, TypeError):
        return sys.executable


def peers(labels):
    """The implementations asyncio-cpp (fiber tasks) is compared with: not itself, not its coro column."""
    return [l for l in labels if l not in (CPP, CORO)]


def implementations(bench, uvloop_python, kinds=("fiber", "coro")):
    """label -> (command prefix, version); uvloop only when importable. Also a list of notes."""
    py = find_python()
    impls = {}
    if "fiber" in kinds:
        impls[CPP] = ([bench], "asyncio-cpp " + project_version() + ", fiber tasks")
    if "coro" in kinds:
        impls[CORO] = ([bench, "--kind=coro"], "asyncio-cpp " + project_version() + ", coroutine tasks")
    pyver = subprocess.run([py, "-c", "import platform; print(platform.python_version())"],
                           capture_output=True, text=True).stdout.strip()
    impls[CPY] = ([py, TWINS], f"CPython {pyver} ({py})")
    notes = []
    probe = subprocess.run([uvloop_python, "-c", "import uvloop, platform; "
                            "print(uvloop.__version__, platform.python_version())"],
                           capture_output=True, text=True) if os.path.exists(uvloop_python) else None
    if probe is not None and probe.returncode == 0:
        uv, uvpy = probe.stdout.split()
        impls[UVL] = ([uvloop_python, TWINS, "--uvloop"], f"uvloop {uv} on CPython {uvpy} ({uvloop_python})")
    else:
        notes.append(f"uvloop skipped: not importable from {uvloop_python} (apt-get install python3-uvloop)")
    return impls, notes


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        for line in f:
            if line.startswith("project(") and "VERSION" in line:
                return line.split("VERSION")[1].split()[0]
    return "?"


def run_floors(bench, quick=False):
    """asyncio-floors, beside asyncio-bench: {floor name: its JSON line}; {} when it is not built
    or fails (the bar check then shows no floors). quick: its small sizes (rough figures)."""
    exe = os.path.join(os.path.dirname(bench), "asyncio-floors")
    if not os.path.exists(exe):
        return {}
    try:
        p = subprocess.run([exe] + (["--quick"] if quick else []), capture_output=True, text=True,
                           timeout=PER_RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {}
    if p.returncode != 0:
        return {}
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    return {r["floor"]: r for r in rows}


def summarize_floors(floor_runs):
    """Per floor: the median over the run's reps of its ns per op (and RT/s, requests/s)."""
    out = {}
    for name in sorted({k for f in floor_runs for k in f}):
        rows = [f[name] for f in floor_runs if name in f]
        out[name] = {"ns_per_op_median": med(r["ns_per_op"] for r in rows), "runs": len(rows), "what": rows[0]["what"]}
        for k in ("rt_per_s", "requests_per_s"):
            if k in rows[0]:
                out[name][k + "_median"] = med(r.get(k) for r in rows)
    return out


def run_one(cmd, workload, n):
    """One fresh process; returns its JSON line as a dict (with "error" when it failed)."""
    argv = [*cmd, workload] + ([f"--n={n}"] if n else [])
    t0 = time.time()
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=PER_RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"workload": workload, "error": f"timeout after {PER_RUN_TIMEOUT} s"}
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        return {"workload": workload, "error": f"exit {p.returncode}: {p.stderr.strip()[-300:]}"}
    row = json.loads(lines[-1])
    row["process_seconds"] = round(time.time() - t0, 3)
    return row


# ---------------------------------------------------------------- statistics

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x):
    if x is None:
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def figure(row):
    """The time compared: per_op_ns (wall, or CPU for timers). echo_tcp: also RT/s."""
    return row.get("per_op_ns")


def cpu_figure(row):
    """CPU ns per op: what the process itself spent, less hurt than wall time when the
    machine is overloaded (a process waiting for a CPU accrues wall time, not CPU time)."""
    return row["cpu_seconds"] / row["n"] * 1e9


def summarize(runs, labels):
    """Per workload: per implementation medians and min-max, and same-rep ratios of asyncio-cpp
    to each peer (asyncio-cpp time / peer time: below 1 = asyncio-cpp is faster)."""
    by = defaultdict(dict)  # (workload, label) -> {rep: row}
    for r in runs:
        if "per_op_ns" in r:
            by[(r["workload"], r["label"])][r["rep"]] = r
    out = {}
    for w in WORKLOADS:
        entry = {"impls": {}, "ratios": {}}
        for label in labels:
            rows = list(by[(w, label)].values())
            if not rows:
                continue
            ops = [figure(r) for r in rows]
            e = {"runs": len(rows), "per_op_ns_median": med(ops), "per_op_ns_min": min(ops),
                 "per_op_ns_max": max(ops), "per_op_basis": rows[0].get("per_op_basis"),
                 "seconds_median": med(r["seconds"] for r in rows),
                 "cpu_seconds_median": med(r["cpu_seconds"] for r in rows),
                 "cpu_per_op_ns_median": med(cpu_figure(r) for r in rows),
                 "peak_rss_kb_median": med(r["peak_rss_kb"] for r in rows)}
            for k in ("rt_per_s", "requests_per_s", "bytes_per_task", "enqueue_seconds", "run_seconds", "per_handoff_ns",
                      "create_block_seconds", "cancel_reap_seconds", "wake_finish_seconds"):
                if k in rows[0]:
                    e[k + "_median"] = med(r.get(k) for r in rows)
            entry["impls"][label] = e
        mine = by[(w, CPP)]
        for peer in peers(labels):
            theirs = by[(w, peer)]
            rs = [figure(mine[k]) / figure(theirs[k]) for k in mine if k in theirs]
            cs = [cpu_figure(mine[k]) / cpu_figure(theirs[k]) for k in mine if k in theirs]
            if rs:
                entry["ratios"][peer] = {"median": med(rs), "min": min(rs), "max": max(rs), "cpu_median": med(cs)}
        skipped = [r for r in runs if r["workload"] == w and "skipped" in r]
        if skipped:
            entry["skipped"] = {r["label"]: r["skipped"] for r in skipped}
        errors = [r for r in runs if r["workload"] == w and "error" in r]
        if errors:
            entry["errors"] = [f"{r['label']} rep {r['rep']}: {r['error']}" for r in errors]
        out[w] = entry
    return out


def print_summary(summary, labels):
    others = peers(labels)
    head = (["workload"] + [f"{l} ns/op (min–max)" for l in labels] + [f"× faster than {p}" for p in others]
            + [f"same, by CPU time, vs {p}" for p in others])
    print("| " + " | ".join(head) + " |")
    print("|---" + "|---:" * (len(head) - 1) + "|")
    for w, e in summary.items():
        cells = [w]
        for l in labels:
            i = e["impls"].get(l)
            if not i:
                cells.append(e.get("skipped", {}).get(l, "n/a" if l == CORO and w not in CORO_WORKLOADS else "–"))
                continue
            c = f"{fmt(i['per_op_ns_median'])} ({fmt(i['per_op_ns_min'])}–{fmt(i['per_op_ns_max'])})"
            if "rt_per_s_median" in i:
                c += f", {fmt(i['rt_per_s_median'])} RT/s"
            if "requests_per_s_median" in i:
                c += f", {fmt(i['requests_per_s_median'])} req/s"
            if "bytes_per_task_median" in i:
                c += f", {fmt(i['bytes_per_task_median'])} B/task"
            cells.append(c)
        for p in others:
            r = e["ratios"].get(p)
            cells.append(f"{fmt(1 / r['median'])}× ({fmt(1 / r['max'])}–{fmt(1 / r['min'])})" if r else "–")
        for p in others:
            r = e["ratios"].get(p)
            cells.append(f"{fmt(1 / r['cpu_median'])}×" if r else "–")
        print("| " + " | ".join(cells) + " |")
        for err in e.get("errors", []):
            print(f"|  error: {err} |")


def bar_check(summary, floors=None):
    """Each bar of the run: (workload, bar, figure, verdict, floor). A bar holds when the median
    over the run's reps holds; a bar whose figures are missing (a peer not installed, a workload
    not run) is 'not measured', never a pass. floor: what this machine's floor allows for that bar
    (FLOOR_MODELS, from asyncio-floors' medians in `floors`), ending ': out of reach' when the
    floor itself misses the bar; '–' where there is no floor model or no floor was measured."""
    rows = []
    for w, e in summary.items():
        for label, targets in ((CPP, TARGETS), (CORO, CORO_TARGETS)):
            rows.extend(_bar_rows(w, e, label, targets, ratio_bars=label == CPP, floors=floors or {}))
    return rows


def floor_ns(w, label, floors):
    """(ns per op, what) of the workload's floor for that column, or (None, None)."""
    model = FLOOR_MODELS.get((w, label))
    if not model or any(f not in floors or floors[f]["ns_per_op_median"] is None for f in model[0]):
        return None, None
    return sum(floors[f]["ns_per_op_median"] for f in model[0]), model[1]


def _floor_cell(value, what, reachable):
    return f"{value} ({what})" + ("" if reachable else ": out of reach")


def _bar_rows(w, e, label, targets, ratio_bars, floors):
    """The bar rows of one workload for one asyncio-cpp column (fiber: also the ratio bars; a
    coroutine row's bar is prefixed 'coro:')."""
    rows = []
    mine = e["impls"].get(label)
    prefix = "coro: " if label == CORO else ""
    fns, fwhat = floor_ns(w, label, floors)
    for peer, bar in (RATIO_BARS.items() if ratio_bars else ()):
        r = e["ratios"].get(peer)
        times = 1 / r["median"] if r else None
        theirs = e["impls"].get(peer)
        floor = "–"
        if fns and theirs:  # the most any implementation could beat the peer by, on this machine:
            # the same-rep ratio, had asyncio-cpp's figure been the floor (else from the medians)
            most = (times * mine["per_op_ns_median"] / fns if times and mine
                    else theirs["per_op_ns_median"] / fns)
            floor = _floor_cell(f"at most {fmt(most)}x", fwhat, most >= bar)
        rows.append((w, f">= {bar:,g}x {peer}", f"{fmt(times)}x" if times else "–",
                     "not measured" if times is None else ("holds" if times >= bar else "MISS"), floor))
    if w in targets:
        kind, limit = targets[w]
        floor = "–"
        if kind == "ns":
            got = mine and mine["per_op_ns_median"]
            bar, shown, ok = f"<= {limit:,g} ns/op", got and f"{fmt(got)} ns/op", got is not None and got <= limit
            if fns:
                floor = _floor_cell(f"{fmt(fns)} ns/op", fwhat, fns <= limit)
        elif kind == "B":
            got = mine and mine.get("bytes_per_task_median")
            bar, shown, ok = f"<= {limit:,g} B/task", got and f"{fmt(got)} B/task", got is not None and got <= limit
            if label == CPP:
                floor = _floor_cell(f"{fmt(PAGE_BYTES)} B/task", "one stack page", PAGE_BYTES <= limit)
        else:  # x_uvloop: round trips per second against uvloop's in the same run
            theirs = e["impls"].get(UVL)
            got = (mine and theirs and mine.get("rt_per_s_median") and theirs.get("rt_per_s_median")
                   and mine["rt_per_s_median"] / theirs["rt_per_s_median"])
            bar, shown, ok = f">= {limit:,g}x uvloop RT/s", got and f"{fmt(got)}x", got is not None and got >= limit
            if fns and theirs and theirs.get("rt_per_s_median"):
                most = 1e9 / fns / theirs["rt_per_s_median"]
                floor = _floor_cell(f"at most {fmt(most)}x", fwhat, most >= limit)
        rows.append((w, prefix + bar, shown or "–", "not measured" if not got else ("holds" if ok else "MISS"), floor))
    return rows


def print_floors(floors):
    if not floors:
        print("\nNo floors measured (asyncio-floors not built beside asyncio-bench).")
        return
    print("\nThis machine's floors (asyncio-floors, median over the reps of each one's best of three):\n")
    print("| floor | ns/op | what |")
    print("|---|---:|---|")
    for name, f in floors.items():
        extra = "".join(f", {fmt(f[k + '_median'])} {unit}" for k, unit in (("rt_per_s", "RT/s"), ("requests_per_s", "req/s"))
                        if k + "_median" in f)
        print(f"| {name} | {fmt(f['ns_per_op_median'])}{extra} | {f['what']} |")


def print_bar_check(rows):
    print("\nBar check (medians of this run; floor here: what this machine allows, asyncio-floors):\n")
    print("| workload | bar | this run | verdict | floor here |")
    print("|---|---|---:|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    misses = [f"{w} ({bar})" for w, bar, _, verdict, _ in rows if verdict == "MISS"]
    print(f"\n{len(misses)} bar(s) missed" + (": " + ", ".join(misses) if misses else ""))
    beyond = [f"{w} ({bar})" for w, bar, _, verdict, floor in rows if verdict == "MISS" and floor.endswith("out of reach")]
    if beyond:
        print(f"{len(beyond)} of them below this machine's floor, out of reach here: " + ", ".join(beyond))


# ---------------------------------------------------------------- the chart

def svg_chart(summary, peers, title):
    """Horizontal bars: how many times faster asyncio-cpp is than each peer, log scale,
    lines at 1× and 10× (the issue's bars). Hand-written SVG."""
    import math
    colors = {CPY: "#3776ab", UVL: "#2e8b57"}
    rows = [(w, e) for w, e in summary.items() if e["ratios"]]
    bar_h, gap, left, width = 14, 12, 150, 480
    lo, hi = 0.5, 1000.0
    group_h = bar_h * len(peers) + gap
    height = 60 + group_h * max(1, len(rows)) + 30

    def x(v):
        v = min(max(v, lo), hi)
        return left + width * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="10" y="18" font-size="13" font-weight="bold">{title}</text>']
    for tick in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        tx = x(tick)
        strong = tick in (1, 10)
        out.append(f'<line x1="{tx:.1f}" y1="40" x2="{tx:.1f}" y2="{height - 25}" '
                   f'stroke="{"#c00" if strong else "#ddd"}" stroke-width="{1.5 if strong else 1}"/>')
        out.append(f'<text x="{tx:.1f}" y="{height - 10}" text-anchor="middle">{tick:g}×</text>')
    for k, p in enumerate(peers):
        out.append(f'<rect x="{left + 200 * k}" y="26" width="10" height="10" fill="{colors.get(p, "#888")}"/>')
        out.append(f'<text x="{left + 200 * k + 14}" y="35">faster than {p}</text>')
    y = 48
    for w, e in rows:
        out.append(f'<text x="{left - 6}" y="{y + bar_h * len(peers) / 2 + 4:.1f}" text-anchor="end">{w}</text>')
        for k, p in enumerate(peers):
            r = e["ratios"].get(p)
            if r:
                speed = 1 / r["median"]
                by = y + k * bar_h
                out.append(f'<rect x="{x(lo):.1f}" y="{by}" width="{x(speed) - x(lo):.1f}" height="{bar_h - 2}" '
                           f'fill="{colors.get(p, "#888")}"/>')
                out.append(f'<text x="{x(speed) + 4:.1f}" y="{by + bar_h - 4}">{fmt(speed)}×</text>')
        y += group_h
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- modes

def machine_note():
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "loadavg_at_start": [round(v, 2) for v in load],
            "kernel": platform.release(), "date": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")}


def compare(args, bench):
    impls, notes = implementations(bench, args.uvloop_python, args.kinds)
    labels = list(impls)
    for note in notes:
        log(note)
    workloads = args.workloads or list(WORKLOADS)
    reps = 1 if args.quick else args.reps
    runs = []
    floor_runs = []
    meta = machine_note()
    t_start = time.time()
    for rep in range(1, reps + 1):
        floor_runs.append(run_floors(bench, quick=args.quick))
        log(f"rep {rep} floors: " + (", ".join(f"{k} {fmt(v['ns_per_op'])} ns" for k, v in floor_runs[-1].items())
                                     or "not measured (asyncio-floors missing or failed)"))
        for w in workloads:
            n = WORKLOADS[w] if args.quick else args.n
            order = labels[(rep - 1) % len(labels):] + labels[:(rep - 1) % len(labels)]
            for label in order:
                if label == CORO and w not in CORO_WORKLOADS:
                    continue
                row = run_one(impls[label][0], w, n)
                row.update(rep=rep, label=label)
                runs.append(row)
                what = row.get("skipped") or row.get("error") or f"{fmt(row.get('per_op_ns'))} ns/op"
                log(f"rep {rep} {w:18} {label:16} {what}")
        # Written after every rep, so that a run cut short on a slow machine still leaves its data.
        meta["reps_done"] = rep
        finish(args, meta, t_start, runs, labels, impls, notes, rep, quiet=rep < reps, floor_runs=floor_runs)


def finish(args, meta, t_start, runs, labels, impls, notes, reps, quiet, floor_runs=()):
    meta["loadavg_at_end"] = [round(v, 2) for v in os.getloadavg()]
    meta["elapsed_seconds"] = round(time.time() - t_start)
    summary = summarize(runs, labels)
    floors = summarize_floors(floor_runs)
    checked = bar_check(summary, floors)
    result = {"mode": "compare", "meta": meta, "reps": reps, "quick": args.quick,
              "implementations": {l: v for l, (_, v) in impls.items()}, "notes": notes,
              "summary": summary, "floors": floors, "floor_runs": list(floor_runs), "runs": runs}
    chart = svg_chart(summary, peers(labels),
                      "asyncio-cpp: times faster than each peer (same-rep medians, log scale)")
    table = io.StringIO()
    with contextlib.redirect_stdout(table):
        print(f"{reps} rep(s), {meta['elapsed_seconds']} s, load average {meta['loadavg_at_start']} at start, "
              f"{meta['loadavg_at_end']} at end ({meta['cpus']} CPUs). ns/op = wall, timers = CPU.\n")
        print_summary(summary, labels)
        print_floors(floors)
        print_bar_check(checked)
    result["table_markdown"] = table.getvalue()
    result["bar_check"] = [dict(zip(("workload", "bar", "figure", "verdict", "floor"), r)) for r in checked]
    if quiet:
        write_outputs(args, result, chart)
        return
    print(f"\n{reps} rep(s), {meta['elapsed_seconds']} s, load average {meta['loadavg_at_start']} at start, "
          f"{meta['loadavg_at_end']} at end ({meta['cpus']} CPUs). ns/op = wall, timers = CPU.\n")
    print_summary(summary, labels)
    print_floors(floors)
    print_bar_check(checked)
    for note in notes:
        print(f"\nNote: {note}")
    write_outputs(args, result, chart)


def sweep(args, bench):
    runs = []
    reps = 1 if args.quick else args.reps
    meta = machine_note()
    for rep in range(1, reps + 1):
        for w, sizes in SWEEP.items():
            for n in sizes:
                row = run_one([bench], w, n)
                row.update(rep=rep, label=CPP)
                runs.append(row)
                log(f"rep {rep} {w:18} n={n:<9,} {row.get('skipped') or row.get('error') or fmt(row.get('per_op_ns'))}")
    print(f"\nScaling sweep, asyncio-cpp, {reps} rep(s); load average {meta['loadavg_at_start']} at start.\n")
    print("| workload | n | ns/op median (min–max) | per-op cost vs smallest n | CPU ns/op | B/task | peak RSS KiB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    summary = {}
    for w, sizes in SWEEP.items():
        base = None
        for n in sizes:
            rows = [r for r in runs if r["workload"] == w and r.get("n") == n and "per_op_ns" in r]
            skipped = [r for r in runs if r["workload"] == w and "skipped" in r]
            if not rows:
                print(f"| {w} | {n:,} | {skipped[0]['skipped'] if skipped else 'failed'} | | |")
                continue
            m = med(figure(r) for r in rows)
            base = base or m
            bpt = med(r.get("bytes_per_task") for r in rows)
            cpu = med(cpu_figure(r) for r in rows)
            peak = med(r["peak_rss_kb"] for r in rows)
            summary[f"{w}@{n}"] = {"per_op_ns_median": m, "growth": m / base, "bytes_per_task_median": bpt,
                                   "cpu_per_op_ns_median": cpu, "peak_rss_kb_median": peak}
            print(f"| {w} | {n:,} | {fmt(m)} ({fmt(min(figure(r) for r in rows))}–{fmt(max(figure(r) for r in rows))}) "
                  f"| {m / base:.2f} | {fmt(cpu)} | {fmt(bpt)} | {fmt(peak)} |")
    write_outputs(args, {"mode": "sweep", "meta": meta, "reps": reps, "summary": summary, "runs": runs}, None)


def trace_cost(args, bench):
    # Both builds from the same tree, minutes apart, same flags but the one: a fair pair.
    hooks_dir = os.path.join(ROOT, "build", "bench-hooks")
    nohooks_dir = os.path.join(ROOT, "build", "bench-nohooks")
    log(f"building {hooks_dir} (hooks in) and {nohooks_dir} (-DASYNCIO_TRACE_HOOKS=OFF)")
    bench = build(hooks_dir, ["-DASYNCIO_TRACE_HOOKS=ON"])
    other = build(nohooks_dir, ["-DASYNCIO_TRACE_HOOKS=OFF"])
    reps = max(args.reps, 5) if not args.quick else 2
    n = args.n or (WORKLOADS["call_soon_chain"] if args.quick else None)
    variants = {"hooks compiled in, no observer": bench, "hooks compiled out": other}
    runs = []
    meta = machine_note()
    for rep in range(1, reps + 1):
        order = list(variants) if rep % 2 else list(variants)[::-1]
        for label in order:
            row = run_one([variants[label]], "call_soon_chain", n)
            row.update(rep=rep, label=label)
            runs.append(row)
            log(f"rep {rep} {label:32} {row.get('error') or fmt(row.get('per_op_ns'))} ns/op")
    on = {r["rep"]: r["per_op_ns"] for r in runs if r["label"] == list(variants)[0] and "per_op_ns" in r}
    off = {r["rep"]: r["per_op_ns"] for r in runs if r["label"] == list(variants)[1] and "per_op_ns" in r}
    ratios = [on[k] / off[k] for k in on if k in off]
    summary = {"hooks_in_ns_median": med(on.values()), "hooks_out_ns_median": med(off.values()),
               "same_rep_ratio_median": med(ratios), "ratio_min": min(ratios) if ratios else None,
               "ratio_max": max(ratios) if ratios else None}
    print(f"\ncall_soon_chain, {reps} reps, alternating order; load average {meta['loadavg_at_start']}.\n")
    print(f"hooks compiled in, no observer: {fmt(summary['hooks_in_ns_median'])} ns/op")
    print(f"hooks compiled out:             {fmt(summary['hooks_out_ns_median'])} ns/op")
    if ratios:
        print(f"cost of the hooks (same-rep ratio, median): {100 * (summary['same_rep_ratio_median'] - 1):+.1f}% "
              f"(range {100 * (min(ratios) - 1):+.1f}% to {100 * (max(ratios) - 1):+.1f}%)")
    write_outputs(args, {"mode": "trace-cost", "meta": meta, "reps": reps, "summary": summary, "runs": runs}, None)


def write_outputs(args, result, svg):
    out = args.output or os.path.join(ROOT, "build", "bench", f"{result['mode']}.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    log(f"wrote {out}")
    if svg:
        path = args.svg or os.path.splitext(out)[0] + ".svg"
        with open(path, "w") as f:
            f.write(svg)
        log(f"wrote {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--sweep", action="store_true", help="scaling sweep (spawn_gather, idle_tasks_memory, timers)")
    mode.add_argument("--trace-cost", action="store_true", help="call_soon_chain with the hooks in vs compiled out")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    ap.add_argument("--quick", action="store_true", help="1 rep and small n, to check that everything runs")
    ap.add_argument("--n", type=int, default=None, help="one size for every workload (default: each its own)")
    ap.add_argument("--workloads", nargs="+", choices=list(WORKLOADS), help="only these workloads")
    ap.add_argument("--kinds", nargs="+", choices=("fiber", "coro"), default=["fiber", "coro"],
                    help="asyncio-cpp's task kinds to run: fiber tasks (the asyncio-cpp column, compared "
                         "with the peers) and coroutine tasks (asyncio-cpp-coro, the task workloads only)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"),
                    help="where asyncio-bench is built (Release; default build/release)")
    ap.add_argument("--no-build", action="store_true", help="use the asyncio-bench already built")
    ap.add_argument("--uvloop-python", default="/usr/bin/python3.11", help="interpreter that has uvloop")
    ap.add_argument("-o", "--output", help="JSON results file (default build/bench/MODE.json)")
    ap.add_argument("--svg", help="where to write the chart (default: beside the JSON)")
    args = ap.parse_args()

    if args.no_build:
        bench = os.path.join(args.build_dir, "tools", "asyncio-bench")
    else:
        log(f"building asyncio-bench in {args.build_dir}")
        bench = build(args.build_dir)
    build_type = cache_value(args.build_dir, "CMAKE_BUILD_TYPE")
    if build_type not in ("Release", "RelWithDebInfo"):
        log(f"warning: {args.build_dir} is a {build_type or 'unknown'} build; figures will be meaningless")
    if args.sweep:
        sweep(args, bench)
    elif args.trace_cost:
        trace_cost(args, bench)
    else:
        compare(args, bench)


if __name__ == "__main__":
    main()
