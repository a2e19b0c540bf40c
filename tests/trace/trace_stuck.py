# trace_stuck.py: the Python twin of trace_stuck.cpp's `cycle` and `orphan` (docs/trace.md,
# "Stuck programs"): asyncio-trace reports it stuck at the same pass, with the same report.
# `cycle`: two tasks awaiting each other, under a gather; `orphan`: a task awaiting a future
# nothing holds.
import asyncio
import sys


async def cycle():
    b = None

    async def body_a():
        await asyncio.sleep(0)
        await b

    async def body_b():
        await a

    a = asyncio.create_task(body_a(), name="a")
    b = asyncio.create_task(body_b(), name="b")
    await asyncio.gather(a, b)


async def orphan():
    async def body():
        await asyncio.sleep(0.5)
        never = asyncio.get_running_loop().create_future()
        return await never

    lonely = asyncio.create_task(body(), name="lonely")
    await lonely


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "cycle"
    asyncio.run(orphan() if what == "orphan" else cycle())
    print("done")


if __name__ == "__main__":
    main()
