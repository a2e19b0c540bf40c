# future_callbacks.py: the twin of future_callbacks.cpp (same lines, same order).
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(lambda f: print(f"callback_1 sees {f.result()}"))

    async def waiter_body():
        print("waiter awaits")
        print(f"waiter got {await fut}")

    waiter = asyncio.create_task(waiter_body(), name="waiter")
    fut.add_done_callback(lambda f: print(f"callback_2 sees {f.result()}"))

    def set_it():
        fut.set_result(42)
        print(f"set_it: result set, done() is {fut.done()}")

    loop.call_later(0.01, set_it)
    await waiter
    print(f"main: await on a done future returns {await fut} at once")


asyncio.run(main())
