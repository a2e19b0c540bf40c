# 07_blocking_read: a blocking file read inside a task freezes the loop; to_thread does not.
# Python twin of examples/07_blocking_read.cpp; chapter docs/07-blocking-the-loop.md.
import asyncio
import os
import tempfile
import time

SIZE = 8 * 1024 * 1024
DISK_SECONDS = 0.3  # a slow disk: an SD card, a network share


def read_file(path):
    time.sleep(DISK_SECONDS)  # a cached file reads in a few milliseconds, so the slow disk is a wait
    with open(path, "rb") as f:  # a plain blocking read: the calling thread waits for the disk
        return len(f.read())


async def heartbeat(beats):
    for _ in range(3):  # three beats 0.05 s apart: a task that needs the loop to turn on time
        await asyncio.sleep(0.05)
        beats[0] += 1


async def measure(path, use_thread):
    beats = [0]
    beat_task = asyncio.create_task(heartbeat(beats), name="heartbeat")
    await asyncio.sleep(0)  # let the heartbeat start
    n = await asyncio.to_thread(read_file, path) if use_thread else read_file(path)
    during = beats[0]
    await beat_task
    return n, during


async def main():
    fd, path = tempfile.mkstemp()
    os.write(fd, b"x" * SIZE)
    os.close(fd)
    n, during = await measure(path, use_thread=False)
    print(f"blocking read: {n} bytes, heartbeats during the read: {during} of 3")
    n, during = await measure(path, use_thread=True)
    print(f"to_thread read: {n} bytes, heartbeats during the read: {during} of 3")
    os.unlink(path)
    print("conclusion: blocking calls stall every task; to_thread keeps the loop turning")


asyncio.run(main())
