# Rule: a KeyboardInterrupt that nothing catches leaves asyncio.run after the loop is closed (the
# leftover task is cancelled and cleans up first), then ends the program: `KeyboardInterrupt` is
# the last line on stderr and the process dies by SIGINT (a shell shows 130).
import asyncio


async def worker():
    try:
        await asyncio.sleep(10)
    finally:
        print("worker cleaned up")


async def main():
    asyncio.create_task(worker())
    await asyncio.sleep(0)
    print("main raises KeyboardInterrupt")
    raise KeyboardInterrupt


asyncio.run(main())
print("never printed")
