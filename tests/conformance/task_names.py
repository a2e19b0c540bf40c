# Rule: every unnamed task takes the next Task-N; asyncio.create_task(name=) still consumes a number,
# loop.create_task(name=) does not (CPYTHON-RULES 6.1); asyncio.run's shutdown takes two numbers.
import asyncio


async def noop():
    pass


async def main():
    loop = asyncio.get_running_loop()
    print("main is", asyncio.current_task().get_name())
    a = asyncio.create_task(noop())
    b = asyncio.create_task(noop(), name="named-by-asyncio")
    c = loop.create_task(noop(), name="named-by-loop")
    d = loop.create_task(noop())
    e = asyncio.create_task(noop())
    for task in (a, b, c, d, e):
        print(task.get_name())
    e.set_name("renamed")
    print("after set_name:", e.get_name())
    await asyncio.sleep(0)


async def second_main():
    # asyncio.run's shutdown ran two more tasks (shutdown_asyncgens, shutdown_default_executor).
    print("second run's main is", asyncio.current_task().get_name())


asyncio.run(main())
asyncio.run(second_main())
