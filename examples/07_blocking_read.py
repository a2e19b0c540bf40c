# 07_blocking_read: a blocking file read inside a task freezes the loop; to_thread does not.
# Python twin of examples/07_blocking_read.cpp; chapter docs/07-blocking-the-loop.md.
# --real-file: read a real file, dropped from the page cache, instead of simulating a slow disk.
import asyncio
import os
import sys
import tempfile
import time

SIZE = 8 * 1024 * 1024
DISK_SECONDS = 0.3  # a slow disk: an SD card, a network share
CHUNK = 1024 * 1024
REAL_DISK = sys.argv[1:2] == ["--real-file"]


def choose_size(directory):
    """min(256 MiB, a quarter of the free space), in whole MiB; BLOCKING_READ_BYTES=N chooses it."""
    if "BLOCKING_READ_BYTES" in os.environ:
        return int(os.environ["BLOCKING_READ_BYTES"])
    fs = os.statvfs(directory)
    return max(CHUNK, min(256 * CHUNK, fs.f_bavail * fs.f_frsize // 4) // CHUNK * CHUNK)


def write_file(directory, size, sync):
    fd, path = tempfile.mkstemp(prefix="blocking_read", dir=directory)
    for done in range(0, size, CHUNK):
        os.write(fd, b"x" * min(CHUNK, size - done))
    if sync:
        os.fsync(fd)  # clean pages: the kernel may drop them
    os.close(fd)
    return path


def drop_from_cache(path):  # the next read goes to the disk
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)


def read_file(path):
    if not REAL_DISK:
        time.sleep(DISK_SECONDS)  # a cached file reads in a few milliseconds, so the slow disk is a wait
    total, buffer = 0, bytearray(CHUNK)
    with open(path, "rb", buffering=0) as f:  # a plain blocking read: the calling thread waits for the disk
        while n := f.readinto(buffer):
            total += n
    return total


async def heartbeat(beats):
    for _ in range(3):  # three beats 0.05 s apart: a task that needs the loop to turn on time
        await asyncio.sleep(0.05)
        beats[0] += 1


async def measure(path, use_thread):
    beats = [0]
    beat_task = asyncio.create_task(heartbeat(beats), name="heartbeat")
    await asyncio.sleep(0)  # let the heartbeat start
    start = time.monotonic()
    n = await asyncio.to_thread(read_file, path) if use_thread else read_file(path)
    took = time.monotonic() - start  # how long the read took, by the wall clock
    during = beats[0]
    await beat_task
    return n, during, took


async def report(how, path, use_thread):
    if REAL_DISK:
        drop_from_cache(path)
    n, during, took = await measure(path, use_thread)
    seconds = f" ({took:.3f} s)" if REAL_DISK else ""
    print(f"{how} read: {n} bytes, heartbeats during the read: {during} of 3{seconds}")


async def main():
    directory = tempfile.gettempdir()
    if REAL_DISK:  # a real file is big: written (and fsynced) by a worker thread
        size = choose_size(directory)
        path = await asyncio.to_thread(write_file, directory, size, True)
        print(f"real file: {size} bytes in {directory}, fsynced, dropped from the page cache")
    else:
        path = write_file(directory, SIZE, False)
    await report("blocking", path, False)
    await report("to_thread", path, True)
    os.unlink(path)
    print("conclusion: blocking calls stall every task; to_thread keeps the loop turning")


asyncio.run(main())
