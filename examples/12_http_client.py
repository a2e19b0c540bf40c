# 12_http_client: a tiny HTTP/1.1 client fetching several pages at once from a local server.
# Python twin of examples/12_http_client.cpp; chapter docs/11-http-client.md.
import asyncio
import sys

from http_parse import HttpError, parse_number, parse_timeout, read_response, show

PAGES = {"/": b"welcome", "/about": b"an asyncio course", "/slow": b"worth the wait"}


async def serve(reader, writer):
    request_line = (await reader.readline()).decode()
    while (await reader.readline()) not in (b"\r\n", b""):  # skip the headers
        pass
    path = request_line.split()[1]
    if path == "/slow":
        await asyncio.sleep(0.01)
    body = PAGES.get(path, b"not found")
    status = "200 OK" if path in PAGES else "404 Not Found"
    writer.write(f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


def parse_url(url):
    """(host, port, path) of "http://host[:port][/path]"; anything else is a usage error."""
    rest = url[7:] if url.startswith("http://") else ""
    slash = rest.find("/") if "/" in rest else len(rest)
    host, colon, port_text = rest[:slash].partition(":")
    port = parse_number(port_text.encode(), 10, 5) if colon else 80
    if not host or not 1 <= port <= 65535:
        raise HttpError(f"not an http://host[:port]/path URL: {show(url.encode())}")
    return host, port, rest[slash:] or "/"


async def fetch(host, port, path, label):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    status, reason, headers, body = await read_response(reader)
    writer.close()
    await writer.wait_closed()
    return f"GET {label} -> {status} {reason}, {len(body)} bytes: {show(body, 60)}"


async def main(urls, timeout):
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    targets = [parse_url(url) + (url,) for url in urls]
    if not urls:
        targets = [("127.0.0.1", port, p, p) for p in ["/slow", "/", "/about", "/missing"]]
    # each client task is named after its request: [GET /slow], ...
    tasks = [asyncio.create_task(asyncio.wait_for(fetch(*t), timeout), name=f"GET {t[3]}") for t in targets]
    failures = 0
    for task, target in zip(tasks, targets):  # in request order, whatever order they finished in
        try:
            print(await task)
        except asyncio.TimeoutError:
            print(f"error: GET {target[3]}: no complete response within {timeout:g} s", file=sys.stderr)
            failures += 1
        except Exception as e:
            print(f"error: GET {target[3]}: {e}", file=sys.stderr)
            failures += 1
    server.close()
    await server.wait_closed()
    if not failures:
        print("all pages fetched")
    return 0 if not failures else 1


# Usage: 12_http_client.py [--timeout SECONDS] [http://host[:port]/path ...] (no URL: the local pages)
urls, timeout = sys.argv[1:], 10.0
try:
    if urls[:1] == ["--timeout"]:
        timeout, urls = parse_timeout(urls[1] if len(urls) >= 2 else ""), urls[2:]
    sys.exit(asyncio.run(main(urls, timeout)))
except HttpError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)
