# 12_http_client: a tiny HTTP/1.1 client fetching several pages at once from a local server.
# Python twin of examples/12_http_client.cpp; chapter docs/11-http-client.md.
import asyncio

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


async def fetch(port, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    status = (await reader.readline()).decode().strip()
    length = 0
    while (line := await reader.readline()) != b"\r\n":
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    body = await reader.readexactly(length)
    writer.close()
    await writer.wait_closed()
    return f"GET {path} -> {status.split(' ', 1)[1]}, {length} bytes: {body.decode()!r}"


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    tasks = [asyncio.create_task(fetch(port, p)) for p in ["/slow", "/", "/about", "/missing"]]
    for task in tasks:  # in request order, whatever order they finished in
        print(await task)
    server.close()
    await server.wait_closed()
    print("all pages fetched")


asyncio.run(main())
