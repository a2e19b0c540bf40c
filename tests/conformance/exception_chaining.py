# Rule: an exception raised while another is handled keeps it as __context__; `raise X from Y`
# sets __cause__ and suppresses the context; asyncio's own code chains where 3.11's does
# (wait_for and timeout(): TimeoutError from the CancelledError, which is also the context;
# readline: ValueError during the LimitOverrunError; TaskGroup: `raise me from None`), and the
# exception handler and "never retrieved" logs print the chain as traceback does.
# C++: asyncio::raise_from / raise_in_except, exception_cause / exception_context,
# format_exception (the chain without frames, which C++ does not have).
import asyncio
import gc
import logging
import re
import sys
import traceback


def chain_text(e):
    # traceback's text without its frames: "Traceback ..." headers and indented frame lines.
    text = "".join(traceback.format_exception(e))
    return "\n".join(l for l in text.splitlines() if not l.startswith("Traceback") and not l.startswith("  "))


class ChainFormatter(logging.Formatter):
    def formatException(self, ei):
        return chain_text(ei[1])

    def format(self, record):
        return re.sub(r" at \S+:\d+", "", super().format(record))


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(ChainFormatter("%(levelname)s %(message)s"))
logger = logging.getLogger("asyncio")
logger.addHandler(handler)
logger.propagate = False


def show(tag, e):
    print(f"{tag}: {e!r} cause={e.__cause__!r} context={e.__context__!r} suppress={e.__suppress_context__}")


def show_chain(tag, e):
    show(tag, e)
    print(chain_text(e))


def bad_callback():
    try:
        raise ValueError("inner")
    except ValueError as inner:
        raise RuntimeError("outer") from inner


async def main():
    try:
        await asyncio.wait_for(asyncio.sleep(10), 0.01)
    except TimeoutError as e:
        show_chain("wait_for", e)
    try:
        await asyncio.wait_for(asyncio.sleep(10), 0)
    except TimeoutError as e:
        show("wait_for(0)", e)
    try:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(10)
    except TimeoutError as e:
        show_chain("timeout", e)
    reader = asyncio.StreamReader(limit=4)
    reader.feed_data(b"abcdefgh\n")
    try:
        await reader.readline()
    except ValueError as e:
        show_chain("readline", e)

    async def fails():
        raise ValueError("child")

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fails())
    except ExceptionGroup as e:
        show("taskgroup", e)

    try:
        try:
            raise ValueError("first")
        except ValueError:
            raise RuntimeError("second")
    except RuntimeError as e:
        show_chain("implicit", e)
    try:
        try:
            raise ValueError("first")
        except ValueError as first:
            raise RuntimeError("second") from first
    except RuntimeError as e:
        show_chain("explicit", e)
    try:
        try:
            raise ValueError("first")
        except ValueError:
            raise RuntimeError("second") from None
    except RuntimeError as e:
        show_chain("from None", e)
    try:
        try:
            try:
                raise ValueError("one")
            except ValueError as one:
                raise LookupError("two") from one
        except LookupError:
            raise RuntimeError("three")
    except RuntimeError as e:
        show_chain("three deep", e)

    loop = asyncio.get_running_loop()
    loop.call_soon(bad_callback)
    await asyncio.sleep(0)
    fut = loop.create_future()
    try:
        bad_callback()
    except RuntimeError as e:
        fut.set_exception(e)
    del fut
    gc.collect()
    print("done")


asyncio.run(main())
