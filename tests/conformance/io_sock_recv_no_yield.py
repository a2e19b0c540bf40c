# io_sock_recv_no_yield: sock_recv with data already waiting returns without yielding; with
# none, the task waits for the reader and other callbacks run first.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    b.send(b"ready")
    loop.call_soon(print, "callback 1")
    data = await loop.sock_recv(a, 100)
    print("got", data.decode(), "(before callback 1: no yield)")
    loop.call_soon(print, "callback 2")
    loop.call_soon(b.send, b"later")
    data = await loop.sock_recv(a, 100)
    print("got", data.decode(), "(after callback 2: waited)")
    a.close()
    b.close()


asyncio.run(main())
