# Rule: when main returns, asyncio.run cancels the tasks still pending and runs the loop until they
# finish, so their except/finally blocks print after main's last line (CPYTHON-RULES 12).
import asyncio


async def background():
    print("background starts")
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        print(f"background caught {e!r}; cancelling() = {asyncio.current_task().cancelling()}")
        raise
    finally:
        print("background finally: cleanup awaits once more")
        await asyncio.sleep(0)
        print("background cleanup done")


async def main():
    asyncio.create_task(background())
    await asyncio.sleep(0)
    print("main returns while background is pending")
    return "main result"


print("asyncio.run returned", asyncio.run(main()))
