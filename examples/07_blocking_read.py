# 07_blocking_read: a blocking file read inside a task freezes the loop; to_thread does not.
# Python twin of examples/07_blocking_read.cpp; chapter docs/10-selectors-and-io.md (threads).
import asyncio
import os
import tempfile

SIZE = 8 * 1024 * 1024


def read_file(path):
    with open(path, "rb") as f:  # a plain blocking read: the calling thread waits for the disk
        return len(f.read())


async def ticker(state):
    while not state["done"]:
        state["ticks"] += 1
        await asyncio.sleep(0)  # one pass per tick


async def measure(path, use_thread):
    state = {"done": False, "ticks": 0}
    tick_task = asyncio.create_task(ticker(state))
    await asyncio.sleep(0)  # let the ticker start
    before = state["ticks"]
    n = await asyncio.to_thread(read_file, path) if use_thread else read_file(path)
    during = state["ticks"] - before
    state["done"] = True
    await tick_task
    return n, during


async def main():
    fd, path = tempfile.mkstemp()
    os.write(fd, b"x" * SIZE)
    os.close(fd)
    n, during = await measure(path, use_thread=False)
    print(f"blocking read: {n} bytes, ticker passes during the read: {during}")
    n, during = await measure(path, use_thread=True)
    print(f"to_thread read: {n} bytes, ticker kept running: {during > 0}")
    os.unlink(path)
    print("conclusion: blocking calls stall every task; to_thread keeps the loop turning")


asyncio.run(main())
