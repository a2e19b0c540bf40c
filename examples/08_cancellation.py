# 08_cancellation: cancel() is a request the task receives at its next await; timeouts are
# cancellations with a deadline. Python twin of examples/08_cancellation.cpp;
# chapter docs/08-cancellation-and-timeouts.md.
import asyncio


async def worker():
    print("worker: started, sleeping")
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("worker: CancelledError at my await, closing the file")
        raise  # let the cancellation finish the task


async def stubborn():
    try:
        await asyncio.sleep(0)  # a bare yield: no future here for cancel() to cancel
    except asyncio.CancelledError:
        me = asyncio.current_task()
        print(f"stubborn: cancelling() = {me.cancelling()}, uncancel() -> {me.uncancel()}")
    return "finished anyway"


async def save():
    await asyncio.sleep(0.3)
    print("save: written")
    return "saved"


async def main():
    task = asyncio.create_task(worker(), name="worker")  # 1. cancel() while the task waits
    await asyncio.sleep(0)  # the worker starts and sleeps
    print(f"main: cancel() -> {task.cancel()}, done() -> {task.done()}, cancelling() -> {task.cancelling()}")
    try:
        await task
    except asyncio.CancelledError:
        print(f"main: worker.cancelled() -> {task.cancelled()}")

    stub = asyncio.create_task(stubborn(), name="stubborn")  # 2. a cancel that finds no future
    await asyncio.sleep(0)
    stub.cancel()
    print(f"main: stubborn returned {await stub!r}")

    try:
        await asyncio.wait_for(worker(), 0.1)  # 3. a timer cancels the inner task, then TimeoutError
    except TimeoutError:
        print("main: wait_for raised TimeoutError")

    loop, me = asyncio.get_running_loop(), asyncio.current_task()
    try:
        async with asyncio.timeout(0.1) as cm:  # 4. a deadline around a block
            cm.reschedule(loop.time() + 0.3)  # more time, please
            await asyncio.sleep(0.2)
            print(f"main: 0.2 s in, still inside, expired() -> {cm.expired()}")
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                print(f"main: CancelledError in the block, cancelling() -> {me.cancelling()}")
                raise  # the timeout turns its own cancellation into TimeoutError
    except TimeoutError:
        print(f"main: TimeoutError, cancelling() -> {me.cancelling()}")

    saving = asyncio.create_task(save(), name="save")  # 5. shield: stop waiting, not working
    try:
        await asyncio.wait_for(asyncio.shield(saving), 0.1)
    except TimeoutError:
        print(f"main: gave up waiting; save.cancelled() -> {saving.cancelled()}")
    print(f"main: save returned {await saving!r}")


asyncio.run(main())
