# unclosed_resources: transports left open when the loop closes are closed once nothing holds
# them, with "unclosed transport" ResourceWarnings; a loop dropped unclosed warns too. Only the
# transport and loop warnings are shown (Python also warns for each socket object), fd numbers
# as N, in sorted order (the garbage collector's order is not defined).
import asyncio
import gc
import re
import warnings

caught = []


def show(message, category, filename, lineno, file=None, line=None):
    text = re.sub(r"fd=\d+", "fd=N", str(message))
    if text.startswith(("unclosed transport", "unclosed event loop")):
        caught.append(f"{category.__name__}: {text}")


warnings.simplefilter("default")
warnings.showwarning = show


class Keep(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport


async def main(made):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Keep(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    await loop.create_connection(lambda: Keep(), "127.0.0.1", port)
    while not server._active_count:
        await asyncio.sleep(0.001)
    server.close()
    print("connected; server closed, both ends still open")


loop = asyncio.new_event_loop()
loop.run_until_complete(main(None))
loop.close()
print("loop closed")
del loop
gc.collect()
for line in sorted(caught):
    print(line)
caught.clear()

other = asyncio.new_event_loop()
del other
gc.collect()
for line in caught:
    print(line)
