#!/usr/bin/env python3
"""The Python twins of asyncio-bench's workloads, on CPython asyncio or uvloop.

    python3 tools/bench/twins.py WORKLOAD [--n N] [--uvloop]

Each workload is the same program as its C++ twin in tools/bench/asyncio_bench.cpp, as
WORKLOADS.md (the peers' definitions) words it, and prints one JSON line with the same keys:
workload, impl, n, seconds, cpu_seconds, per_op_ns, peak_rss_kb, rss_before_kb,
per_op_basis, op, and the workload's detail keys. Only the workload is timed.
Course: docs/performance.md
"""
import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import sys
import time


def cpu_now():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def rss_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def peak_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Meter:
    def start(self):
        self.rss0 = rss_kb()
        self.c0 = cpu_now()
        self.t0 = time.perf_counter()

    def stop(self):
        self.t1 = time.perf_counter()
        self.c1 = cpu_now()

    @property
    def wall(self):
        return self.t1 - self.t0

    @property
    def cpu(self):
        return self.c1 - self.c0


def splitmix64_delays(n):
    """The timers' delays, bit for bit the C++ side's: splitmix64 from seed 12345."""
    mask = (1 << 64) - 1
    s = 12345
    out = []
    for _ in range(n):
        s = (s + 0x9E3779B97F4A7C15) & mask
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        out.append((z >> 11) * (0.2 / 9007199254740992.0))
    return out


# Each workload returns (meter, ops, what one op is, detail dict).

def call_soon_chain(loop, n):
    count = 0

    def cb():
        nonlocal count
        count += 1
        if count < n:
            loop.call_soon(cb)
        else:
            loop.stop()

    m = Meter()
    m.start()
    loop.call_soon(cb)
    loop.run_forever()
    m.stop()
    assert count == n
    return m, n, "callback (one loop pass each)", {}


def call_soon_batch(loop, n):
    count = 0

    def cb():
        nonlocal count
        count += 1

    m = Meter()
    m.start()
    for _ in range(n):
        loop.call_soon(cb)
    mid = time.perf_counter()
    loop.call_soon(loop.stop)
    loop.run_forever()
    m.stop()
    assert count == n
    return m, n, "callback (enqueue + dispatch)", {"enqueue_seconds": mid - m.t0, "run_seconds": m.t1 - mid}


def sleep0_switch(loop, n):
    ntasks, iters = 1000, n // 1000

    async def worker():
        for _ in range(iters):
            await asyncio.sleep(0)

    async def main():
        await asyncio.gather(*[asyncio.create_task(worker()) for _ in range(ntasks)])

    m = Meter()
    m.start()
    loop.run_until_complete(main())
    m.stop()
    return m, ntasks * iters, "task switch (sleep(0))", {"tasks": ntasks, "iters": iters}


def spawn_gather(loop, n):
    async def ret(i):
        return i

    async def main():
        return sum(await asyncio.gather(*[asyncio.create_task(ret(i)) for i in range(n)]))

    m = Meter()
    m.start()
    total = loop.run_until_complete(main())
    m.stop()
    assert total == n * (n - 1) // 2
    return m, n, "task (create + run + gather)", {}


def timers(loop, n):
    delays = splitmix64_delays(n)
    count = 0

    def cb():
        nonlocal count
        count += 1
        if count == n:
            loop.stop()

    m = Meter()
    m.start()
    for d in delays:
        loop.call_later(d, cb)
    mid = time.perf_counter()
    loop.run_forever()
    m.stop()
    assert count == n
    return m, n, "timer (schedule + fire), cpu time", {
        "per_op_basis": "cpu", "schedule_seconds": mid - m.t0,
        "max_delay": max(delays), "wall_minus_max_delay": m.wall - max(delays)}


def future_pingpong(loop, n):
    async def main():
        slot_a = None
        slot_b = loop.create_future()

        async def a():
            nonlocal slot_a
            tok = 0
            for _ in range(n):
                fa = loop.create_future()
                slot_a = fa
                slot_b.set_result(tok)
                tok = await fa
            return tok

        async def b():
            nonlocal slot_b
            for _ in range(n):
                tok = await slot_b
                slot_b = loop.create_future()
                slot_a.set_result(tok + 1)

        tok, _ = await asyncio.gather(asyncio.create_task(a()), asyncio.create_task(b()))
        return tok

    m = Meter()
    m.start()
    tok = loop.run_until_complete(main())
    m.stop()
    assert tok == n
    return m, n, "round trip (2 future hand-offs)", {"per_handoff_ns": m.wall / (2 * n) * 1e9}


def queue_pipe(loop, n):
    async def main():
        q = asyncio.Queue(maxsize=100)

        async def producer():
            for i in range(n):
                await q.put(i)

        async def consumer():
            total = 0
            for _ in range(n):
                total += await q.get()
            return total

        _, total = await asyncio.gather(asyncio.create_task(producer()), asyncio.create_task(consumer()))
        return total

    m = Meter()
    m.start()
    total = loop.run_until_complete(main())
    m.stop()
    assert total == n * (n - 1) // 2
    return m, n, "item (put + get)", {}


def echo_tcp(loop, n, nclients=50, size=64):
    per_client = n // nclients
    msg = b"x" * size

    async def handle(reader, writer):
        try:
            while True:
                writer.write(await reader.readexactly(size))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def client(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(per_client):
            writer.write(msg)
            await writer.drain()
            if len(await reader.readexactly(size)) != size:
                raise RuntimeError("short echo")
        writer.close()
        await writer.wait_closed()

    async def start():
        return await asyncio.start_server(handle, "127.0.0.1", 0)

    server = loop.run_until_complete(start())
    port = server.sockets[0].getsockname()[1]

    async def main():
        await asyncio.gather(*(client(port) for _ in range(nclients)))

    m = Meter()
    m.start()
    loop.run_until_complete(main())
    m.stop()
    server.close()
    loop.run_until_complete(server.wait_closed())
    ops = per_client * nclients
    return m, ops, "round trip (64 B echo)", {
        "clients": nclients, "round_trips_per_client": per_client, "rt_per_s": ops / m.wall}


def stream_readline(loop, n, per_chunk=1000):
    line = b"line-of-16-byte\n"
    chunk = line * per_chunk

    async def handle(reader, writer):
        for sent in range(0, n, per_chunk):
            k = min(per_chunk, n - sent)
            writer.write(chunk if k == per_chunk else chunk[:k * len(line)])
            await writer.drain()
        writer.close()

    async def start():
        return await asyncio.start_server(handle, "127.0.0.1", 0)

    server = loop.run_until_complete(start())
    port = server.sockets[0].getsockname()[1]

    async def main():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        lines = 0
        while True:
            got = await reader.readline()
            if not got:
                break
            if len(got) != 16:
                raise RuntimeError("a line of the wrong length")
            lines += 1
        writer.close()
        await writer.wait_closed()
        return lines

    m = Meter()
    m.start()
    lines = loop.run_until_complete(main())
    m.stop()
    server.close()
    loop.run_until_complete(server.wait_closed())
    assert lines == n, "lines lost"
    return m, n, "line (16 B, readline over TCP)", {"variant": "socket", "mb_per_s": n * 16 / 1e6 / m.wall}


def stream_readline_buffered(loop, n):
    data = b"x\n" * n

    async def main():
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        lines = 0
        while True:
            got = await reader.readline()
            if not got:
                break
            if len(got) != 2:
                raise RuntimeError("a line of the wrong length")
            lines += 1
        return lines

    m = Meter()
    m.start()
    lines = loop.run_until_complete(main())
    m.stop()
    assert lines == n, "lines lost"
    return m, n, "line (2 B, readline from one buffered chunk)", {"variant": "buffered", "buffered_bytes": 2 * n}


def idle_tasks_memory(loop, n):
    seen = {}

    async def main():
        ev = asyncio.Event()

        async def waiter():
            await ev.wait()

        gc.collect()
        seen["rss0"] = rss_kb()
        tasks = [asyncio.create_task(waiter()) for _ in range(n)]
        await asyncio.sleep(0)
        seen["rss1"] = rss_kb()
        assert not any(t.done() for t in tasks)
        seen["blocked"] = time.perf_counter()
        ev.set()
        await asyncio.gather(*tasks)

    m = Meter()
    m.start()
    loop.run_until_complete(main())
    m.stop()
    return m, n, "idle task (create + block + wake + finish)", {
        "bytes_per_task": (seen["rss1"] - seen["rss0"]) * 1024 / n,
        "bytes_per_task_from_peak": (peak_rss_kb() - seen["rss0"]) * 1024 / n,
        "rss_blocked_kb": seen["rss1"],
        "rss_before_create_kb": seen["rss0"],
        "create_block_seconds": seen["blocked"] - m.t0,
        "wake_finish_seconds": m.t1 - seen["blocked"]}


def cancel_many(loop, n):
    seen = {}

    async def main():
        async def sleeper():
            await asyncio.sleep(10)

        tasks = [asyncio.create_task(sleeper()) for _ in range(n)]
        await asyncio.sleep(0)
        seen["started"] = time.perf_counter()
        for t in tasks:
            t.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)

    m = Meter()
    m.start()
    loop.run_until_complete(main())
    m.stop()
    return m, n, "task (create + block in sleep(10) + cancel + reap)", {
        "create_block_seconds": seen["started"] - m.t0, "cancel_reap_seconds": m.t1 - seen["started"]}


def http_fetch(loop, n, nclients=50):
    """n GETs, 50 clients at once, each over a fresh connection (Connection: close) to a local
    server in the same loop; the client reads the status line, the headers and Content-Length
    bytes with streams, or uses httpx (HTTP_FETCH_CLIENT=httpx) where it can be imported."""
    per_client = max(1, n // nclients)
    body = b"welcome"
    use_httpx = os.environ.get("HTTP_FETCH_CLIENT") == "httpx"

    async def serve(reader, writer):
        try:
            request_line = await reader.readline()
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b""):
                    break
            if not request_line.startswith(b"GET / "):
                raise RuntimeError("bad request line")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            await writer.drain()
        except ConnectionError:
            pass
        writer.close()

    async def start():
        return await asyncio.start_server(serve, "127.0.0.1", 0)

    server = loop.run_until_complete(start())
    port = server.sockets[0].getsockname()[1]

    async def fetch_streams():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        status_line = await reader.readline()
        length = None
        while True:
            h = await reader.readline()
            if h in (b"\r\n", b""):
                break
            name, _, value = h.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        got = await reader.readexactly(length)
        writer.close()
        await writer.wait_closed()
        return status_line.split(b" ", 2)[1] == b"200" and got == body

    async def client_streams():
        for _ in range(per_client):
            if not await fetch_streams():
                raise RuntimeError("wrong response")

    async def client_httpx(http):
        url = "http://127.0.0.1:%d/" % port
        for _ in range(per_client):
            r = await http.get(url, headers={"Connection": "close"})
            if r.status_code != 200 or r.content != body:
                raise RuntimeError("wrong response")

    async def main():
        if use_httpx:
            import httpx
            limits = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(limits=limits) as http:
                await asyncio.gather(*(client_httpx(http) for _ in range(nclients)))
        else:
            await asyncio.gather(*(client_streams() for _ in range(nclients)))

    m = Meter()
    m.start()
    loop.run_until_complete(main())
    m.stop()
    server.close()
    loop.run_until_complete(server.wait_closed())
    ops = per_client * nclients
    return m, ops, "request (GET over a fresh connection, response checked)", {
        "clients": nclients, "client": "httpx" if use_httpx else "streams", "requests_per_s": ops / m.wall}


WORKLOADS = {  # name: (function, default n), in WORKLOADS.md order
    "call_soon_chain": (call_soon_chain, 1_000_000),
    "call_soon_batch": (call_soon_batch, 1_000_000),
    "sleep0_switch": (sleep0_switch, 1_000_000),
    "spawn_gather": (spawn_gather, 100_000),
    "timers": (timers, 200_000),
    "future_pingpong": (future_pingpong, 500_000),
    "queue_pipe": (queue_pipe, 500_000),
    "echo_tcp": (echo_tcp, 100_000),
    "idle_tasks_memory": (idle_tasks_memory, 100_000),
    "cancel_many": (cancel_many, 100_000),
    "stream_readline": (stream_readline, 1_000_000),
    "stream_readline_buffered": (stream_readline_buffered, 2_000_000),
    "http_fetch": (http_fetch, 20_000),
}


def main():
    ap = argparse.ArgumentParser(description="Run one benchmark workload on asyncio or uvloop.")
    ap.add_argument("workload", choices=list(WORKLOADS))
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--uvloop", action="store_true")
    args = ap.parse_args()
    fn, default_n = WORKLOADS[args.workload]

    if args.uvloop:
        import uvloop
        loop, impl, version = uvloop.new_event_loop(), "uvloop", uvloop.__version__
    else:
        loop, impl, version = asyncio.new_event_loop(), "cpython-asyncio", platform.python_version()
    asyncio.set_event_loop(loop)
    loop.set_debug(False)
    try:
        m, ops, op, detail = fn(loop, args.n or default_n)
    finally:
        asyncio.set_event_loop(None)
        loop.close()

    basis = detail.pop("per_op_basis", "wall")
    out = {
        "workload": args.workload, "impl": impl, "n": ops,
        "seconds": round(m.wall, 6), "cpu_seconds": round(m.cpu, 6),
        "per_op_ns": round((m.cpu if basis == "cpu" else m.wall) / ops * 1e9, 2),
        "peak_rss_kb": peak_rss_kb(), "rss_before_kb": m.rss0, "per_op_basis": basis, "op": op,
        "python": platform.python_version(), "python_executable": sys.executable, "impl_version": version,
    }
    out.update({k: round(v, 6) if isinstance(v, float) else v for k, v in detail.items()})
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
