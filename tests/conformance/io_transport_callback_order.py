# io_transport_callback_order: a protocol sees connection_made, data_received, eof_received,
# connection_lost in that order; the creator resumes after connection_made.
import asyncio


class Echo(asyncio.Protocol):
    def __init__(self, name, lost, got=None):
        self.name, self.lost, self.got = name, lost, got

    def connection_made(self, transport):
        self.transport = transport
        if self.got is not None:  # the server's accept races the client's connect: not printed
            print(self.name, "connection_made")

    def data_received(self, data):
        print(self.name, "data_received", data.decode())
        if self.got is None:
            self.transport.write(data.upper())  # the server echoes
        else:
            self.got.set_result(None)

    def eof_received(self):
        print(self.name, "eof_received")

    def connection_lost(self, exc):
        print(self.name, "connection_lost", exc)
        self.lost.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    server_lost = loop.create_future()
    server = await loop.create_server(lambda: Echo("server", server_lost), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client_lost, got = loop.create_future(), loop.create_future()
    transport, _ = await loop.create_connection(lambda: Echo("client", client_lost, got), "127.0.0.1", port)
    print("create_connection returned")
    transport.write(b"hi")
    await got
    transport.write_eof()
    await server_lost
    await client_lost
    server.close()
    await server.wait_closed()
    print("done")


asyncio.run(main())
