# future_exercise.py: the twin of future_exercise.cpp (chapter 5's exercises on future_callbacks.py):
# `early` registers callback_2 before the waiter task is created, `twice` sets the result twice,
# `cancel` cancels the future instead. Quoted in docs/answers/05.md.
import asyncio
import sys

MODE = sys.argv[1] if len(sys.argv) > 1 else "twice"


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(lambda f: print(f"callback_1 sees {f.result()}"))

    def callback_2(f):
        print(f"callback_2 sees {f.result()}")

    if MODE == "early":
        fut.add_done_callback(callback_2)  # exercise 1: above create_task

    async def waiter_body():
        print("waiter awaits")
        print(f"waiter got {await fut}")

    waiter = asyncio.create_task(waiter_body(), name="waiter")
    if MODE != "early":
        fut.add_done_callback(callback_2)

    def set_it():
        if MODE == "cancel":
            fut.cancel("too late")
        else:
            fut.set_result(42)
            if MODE == "twice":
                fut.set_result(42)  # exercise 2: the second call raises InvalidStateError
        print(f"set_it: result set, done() is {fut.done()}")

    loop.call_later(0.01, set_it)
    await waiter
    print(f"main: await on a done future returns {await fut} at once")


asyncio.run(main())
