# Rule: misusing a Future or Task raises CPython's errors with the C accelerator's texts
# (CPYTHON-RULES 5, 6.1): InvalidStateError 'Result is not set.' / 'invalid state', RuntimeError on tasks.
import asyncio


def attempt(label, call):
    try:
        value = call()
        print(f"{label}: returned {value!r}")
    except (asyncio.InvalidStateError, RuntimeError) as e:
        print(f"{label}: {type(e).__name__}: {e}")


async def noop():
    return 7


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    attempt("result() while pending", fut.result)
    attempt("exception() while pending", fut.exception)
    fut.set_result(1)
    attempt("set_result() twice", lambda: fut.set_result(2))
    attempt("set_exception() when done", lambda: fut.set_exception(ValueError("x")))
    attempt("cancel() when done", fut.cancel)
    attempt("result() when done", fut.result)

    task = asyncio.create_task(noop())
    attempt("task.set_result()", lambda: task.set_result(1))
    attempt("task.set_exception()", lambda: task.set_exception(ValueError("x")))
    attempt("task.result() before it ran", task.result)
    await task
    attempt("task.result() after", task.result)


asyncio.run(main())
