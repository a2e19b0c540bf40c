# Rule: asyncio.run's shutdown cancels the leftover tasks first, then shutdown_asyncgens() closes
# each generator still suspended, in a task of its own (aclose() under gather), and an exception
# its cleanup raises goes to the exception handler as "an error occurred during closing of
# asynchronous generator ..." with the keys exception and asyncgen (base_events.py
# shutdown_asyncgens, runners.py Runner.close).
import asyncio

held = []


def handler(loop, context):
    message = context["message"].split(" <")[0]
    print(f"handler: {message}: {context['exception']!r} asyncgen key: {'asyncgen' in context}")


async def bad_cleanup():
    try:
        yield 1
        yield 2
    finally:
        print("bad_cleanup finally in", asyncio.current_task().get_name())
        raise ValueError("cleanup failed")


async def leftover():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("leftover cancelled")
        raise


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    asyncio.create_task(leftover())
    g = bad_cleanup()
    held.append(g)
    print("anext ->", await anext(g))
    await asyncio.sleep(0)
    print("main ends in", asyncio.current_task().get_name())


asyncio.run(main())
print("after run")
