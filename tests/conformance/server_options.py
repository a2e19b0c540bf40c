# server_options: create_server's keyword arguments (reuse_port, start_serving, sock) and the
# errors for the combinations CPython refuses.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    first = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0, reuse_port=True)
    port = first.sockets[0].getsockname()[1]
    second = await loop.create_server(asyncio.Protocol, "127.0.0.1", port, reuse_port=True)
    print("reuse_port: second server serving", second.is_serving())
    try:
        await loop.create_server(asyncio.Protocol, "127.0.0.1", port)
    except OSError as e:
        print("without reuse_port:", type(e).__name__, str(e).replace(str(port), "PORT"))
    first.close()
    second.close()

    later = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0, start_serving=False)
    print("start_serving=False:", later.is_serving())
    await later.start_serving()
    print("after start_serving():", later.is_serving())
    later.close()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    srv = await loop.create_server(asyncio.Protocol, sock=sock)
    print("sock=: serving on the same port", srv.sockets[0].getsockname() == sock.getsockname())
    srv.close()

    for kwargs in ({}, {"host": "127.0.0.1", "sock": socket.socket()}, {"port": 0, "sock": socket.socket()},
                   {"host": "127.0.0.1", "ssl_handshake_timeout": 1.0},
                   {"host": "127.0.0.1", "ssl_shutdown_timeout": 1.0}):
        try:
            await loop.create_server(asyncio.Protocol, **kwargs)
        except ValueError as e:
            print(type(e).__name__, e)
        if "sock" in kwargs:
            kwargs["sock"].close()


asyncio.run(main())
