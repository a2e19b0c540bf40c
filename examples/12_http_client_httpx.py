# 12_http_client_httpx.py: example 12's fetches with httpx.AsyncClient beside the streams client, one after
# another, with gather and with as_completed, against one local server whose pages take 50 to 300 ms.
# Run it with Debian's /usr/bin/python3 (python3-httpx). --timings adds each run's wall time (not checked).
# Chapter: docs/11-http-client.md · streams twin: examples/12_http_client.py (read_response: http_parse.py)
import asyncio
import sys
import time

import httpx

from http_parse import read_response

PAGES = {"/slow": (0.3, b"worth the wait"), "/": (0.1, b"welcome"), "/about": (0.2, b"an asyncio course")}
MISSING = (0.05, b"not found")  # a realistic server answers a miss fastest


async def serve(reader, writer):
    request_line = (await reader.readline()).decode()
    while (await reader.readline()) not in (b"\r\n", b""):  # skip the headers
        pass
    path = request_line.split()[1]
    delay, body = PAGES.get(path, MISSING)
    await asyncio.sleep(delay)  # the server's work: a database, a disk, another service
    status = "200 OK" if path in PAGES else "404 Not Found"
    writer.write(f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def fetch_streams(base, path):  # chapter 11's client, on asyncio's streams
    reader, writer = await asyncio.open_connection(*base)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {base[0]}\r\nConnection: close\r\n\r\n".encode())
    status, reason, headers, body = await read_response(reader)
    writer.close()
    await writer.wait_closed()
    return f"GET {path} -> {status} {reason}, {len(body)} bytes"


def fetcher_httpx(client):
    async def fetch_httpx(base, path):  # the same request through httpx's connection pool
        r = await client.get(f"http://{base[0]}:{base[1]}{path}")
        return f"GET {path} -> {r.status_code} {r.reason_phrase}, {len(r.content)} bytes"
    return fetch_httpx


async def one_after_another(fetch, base):
    return [await fetch(base, path) for path in [*PAGES, "/missing"]]


async def with_gather(fetch, base):  # all at once; results in request order
    return await asyncio.gather(*(fetch(base, path) for path in [*PAGES, "/missing"]))


async def with_as_completed(fetch, base):  # all at once; results in the order they finish
    return [await f for f in asyncio.as_completed([fetch(base, path) for path in [*PAGES, "/missing"]])]


async def main(timings):
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    base = server.sockets[0].getsockname()[:2]
    async with httpx.AsyncClient(trust_env=False) as client:  # trust_env: no proxy from the environment
        for client_name, fetch in (("streams", fetch_streams), ("httpx", fetcher_httpx(client))):
            for label, run in (("one after another", one_after_another), ("gather", with_gather),
                               ("as_completed", with_as_completed)):
                start = time.monotonic()
                lines = await run(fetch, base)
                took = f" ({time.monotonic() - start:.2f} s)" if timings else ""
                print(f"{client_name}, {label}{took}:")
                for line in lines:
                    print(f"  {line}")
    server.close()
    await server.wait_closed()


asyncio.run(main("--timings" in sys.argv[1:]))
