# Rule: create_task runs nothing until the next pass; tasks start in creation order, and the
# creator runs on until it awaits (CPYTHON-RULES 6.1, 18.2).
import asyncio


async def worker(name):
    print(f"{name} starts")
    await asyncio.sleep(0)
    print(f"{name} resumes")


def plain_callback():
    print("callback queued between the tasks")


async def main():
    loop = asyncio.get_running_loop()
    print("main creates w1")
    asyncio.create_task(worker("w1"))
    loop.call_soon(plain_callback)
    print("main creates w2 and w3")
    t2 = asyncio.create_task(worker("w2"))
    asyncio.create_task(worker("w3"))
    print("main still running; w2 done:", t2.done())
    await asyncio.sleep(0)
    print("main after its first sleep(0)")
    await asyncio.sleep(0)
    print("main after its second sleep(0)")


asyncio.run(main())
