# 11_echo_server_client: an echo server and its client in one program, over 127.0.0.1.
# Python twin of examples/11_echo_server_client.cpp; chapter docs/10-selectors-and-io.md.
import asyncio


async def handle_echo(reader, writer):
    while True:
        line = await reader.readline()
        if not line:  # the client wrote EOF
            break
        print(f"server got {line.decode().strip()!r}")
        writer.write(line.upper())
        await writer.drain()
    print("server: client sent EOF, closing")
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(handle_echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for word in ["hello", "event loop", "bye"]:
        writer.write(word.encode() + b"\n")
        await writer.drain()
        reply = await reader.readline()
        print(f"client got {reply.decode().strip()!r}")
    writer.write_eof()  # half-close: we are done sending, still listening
    rest = await reader.read()
    print(f"client: server closed, {len(rest)} bytes left")
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    print("done")


asyncio.run(main())
