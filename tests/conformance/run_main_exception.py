# Rule: an exception raised by asyncio.run's main task propagates out of asyncio.run, after the
# shutdown has cancelled the leftover tasks and closed the loop (CPYTHON-RULES 12, 2.5).
import asyncio


async def helper():
    try:
        await asyncio.sleep(10)
    finally:
        print("helper finally (cancelled during shutdown)")


async def main():
    asyncio.create_task(helper())
    await asyncio.sleep(0)
    print("main raises")
    raise ValueError("main failed")


try:
    asyncio.run(main())
except ValueError as e:
    print(f"asyncio.run raised {type(e).__name__}: {e} / {e!r}")
try:
    asyncio.run(main())
except Exception as e:
    print(f"again: {e!r}")
