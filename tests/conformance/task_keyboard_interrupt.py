# Rule: KeyboardInterrupt raised in a task is set as its exception and then propagates out of the
# loop (Task.__step, Handle._run); asyncio.run still cancels and finishes the main task first.
import asyncio

async def child():
    print("child raises KeyboardInterrupt")
    raise KeyboardInterrupt

def on_done(fut):
    print("done callback sees", repr(fut.exception()))

async def main():
    t = asyncio.create_task(child())
    t.add_done_callback(on_done)
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("main cancelled")
        raise
    finally:
        print("main finally")

try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("KeyboardInterrupt out of asyncio.run")
