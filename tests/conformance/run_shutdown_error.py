# Rule: a leftover task that answers asyncio.run's cancellation with another exception is reported
# to the exception handler as "unhandled exception during asyncio.run() shutdown" (CPYTHON-RULES 12, 13).
import asyncio


def handler(loop, context):
    print(f"handler: {context['message']}: {context['exception']!r} from {context['task'].get_name()}")


async def grumpy():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("grumpy turns the cancellation into a RuntimeError")
        raise RuntimeError("refusing to stop")


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    asyncio.create_task(grumpy())
    await asyncio.sleep(0)
    print("main returns")


asyncio.run(main())
print("asyncio.run returned normally")
