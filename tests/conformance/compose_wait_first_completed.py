# Rule: wait(FIRST_COMPLETED) wakes two passes after the first member finishes (member done in
# pass M, _on_completion in M+1, caller resumes in M+2); it never cancels the rest (8.2).
import asyncio


async def ticker(n):
    for i in range(n):
        print("tick", i)
        await asyncio.sleep(0)


async def worker(name, ticks):
    for _ in range(ticks):
        await asyncio.sleep(0)
    print(name, "finishes")
    return name


async def main():
    tick = asyncio.create_task(ticker(8))
    a = asyncio.create_task(worker("a", 1))
    b = asyncio.create_task(worker("b", 5))
    done, pending = await asyncio.wait([a, b], return_when=asyncio.FIRST_COMPLETED)
    print("woke: done", [t is a for t in done], "pending", len(pending), "b cancelled:", b.cancelled())
    done, pending = await asyncio.wait([a, b])
    print("all: done", len(done), "pending", len(pending))
    await tick


asyncio.run(main())
