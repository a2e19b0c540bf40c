# Rule: an async generator runs inside the task that iterates it (no extra loop pass per value,
# so other tasks interleave as they would with any await), may await between yields, ends with
# StopAsyncIteration, runs its finally block on aclose() (GeneratorExit at its yield), gets a
# cancellation at the await where it waits, refuses a second concurrent anext, and is closed by
# the loop's finalizer hook when dropped suspended, or by shutdown_asyncgens() at asyncio.run's end
# (genobject.c; base_events.py _asyncgen_finalizer_hook, shutdown_asyncgens).
# C++: asyncio::AsyncGenerator<T>, anext, aclose, async_for, shutdown_asyncgens.
import asyncio

held = []


async def ticker(name, n):
    try:
        for i in range(n):
            await asyncio.sleep(0)
            print(f"{name} yields {i}")
            yield i
    finally:
        print(f"{name} finally")


async def other():
    for i in range(4):
        print("other", i)
        await asyncio.sleep(0)


async def sleeper():
    try:
        yield 1
        await asyncio.sleep(10)
        yield 2
    except asyncio.CancelledError:
        print("sleeper sees CancelledError")
        raise
    finally:
        print("sleeper finally")


async def consume():
    async for v in sleeper():
        print("consume got", v)


async def take(gen):
    return await anext(gen)


async def main():
    t = asyncio.create_task(other())
    async for v in ticker("a", 3):
        print("got", v)
    await t

    g = ticker("b", 1)
    print("anext ->", await anext(g))
    try:
        await anext(g)
    except StopAsyncIteration:
        print("StopAsyncIteration")

    g = ticker("c", 5)
    print("anext ->", await anext(g))
    await g.aclose()
    print("closed")
    try:
        await anext(g)
    except StopAsyncIteration:
        print("StopAsyncIteration after aclose")

    c = asyncio.create_task(consume())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    c.cancel()
    try:
        await c
    except asyncio.CancelledError:
        print("consume cancelled")

    g = ticker("d", 5)
    results = await asyncio.gather(take(g), take(g), return_exceptions=True)
    print("concurrent anext:", results)
    await g.aclose()

    g = ticker("e", 5)
    print("anext ->", await anext(g))
    del g
    print("dropped e")
    for i in range(3):
        await asyncio.sleep(0)
        print("pass", i)

    g = ticker("f", 5)
    held.append(g)
    async for v in g:
        if v == 1:
            break
    print("main ends")


asyncio.run(main())
print("after run")
