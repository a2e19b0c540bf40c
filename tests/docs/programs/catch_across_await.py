# catch_across_await.py: the twin of catch_across_await.cpp (same lines, same order).
import asyncio


async def worker(name, delay):
    try:
        try:
            raise RuntimeError(f"{name}'s error")
        except RuntimeError as e:
            await asyncio.sleep(delay)
            print(f"{name} still handling: {e}")
            raise
    except RuntimeError as e:
        print(f"{name} rethrew: {e}")


async def main():
    a = asyncio.create_task(worker("A", 0.01), name="A")
    b = asyncio.create_task(worker("B", 0.02), name="B")
    await a
    await b


asyncio.run(main())
