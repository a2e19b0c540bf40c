# Rule: StreamReader's limit boundaries (streams.py readuntil): a separator that starts exactly at
# the limit is accepted, one byte further raises "Separator is found, but chunk is longer than
# limit"; without a separator, limit + len(sep) - 1 bytes still wait for more data and one byte
# more raises "Separator is not found, and chunk exceed the limit". readline turns both into
# ValueError and drops what it must.
import asyncio

LIMIT = 8


def reader(data, eof=True):
    r = asyncio.StreamReader(limit=LIMIT)
    r.feed_data(data)
    if eof:
        r.feed_eof()
    return r


async def until(r, sep):
    try:
        print("  read", await r.readuntil(sep))
    except asyncio.LimitOverrunError as e:
        print(f"  {type(e).__name__}: {e} consumed={e.consumed}")
    print("  left", await r.read(100))


async def line(r):
    try:
        print("  read", await r.readline())
    except ValueError as e:
        print(f"  {type(e).__name__}: {e}")
    print("  left", await r.read(100))


async def main():
    for sep in (b"\n", b"\r\n"):
        print("separator", sep)
        print(" found at the limit")
        await until(reader(b"a" * LIMIT + sep + b"tail"), sep)
        print(" found one past the limit")
        await until(reader(b"b" * (LIMIT + 1) + sep + b"tail"), sep)
        print(" not found, largest buffer that still waits")
        r = reader(b"c" * (LIMIT + len(sep) - 1), eof=False)
        t = asyncio.create_task(r.readuntil(sep))
        await asyncio.sleep(0)
        print("  waiting:", not t.done())
        r.feed_data(sep)
        try:
            print("  read", await t)
        except asyncio.LimitOverrunError as e:
            print(f"  {type(e).__name__}: {e} consumed={e.consumed}")
        print(" not found, one byte more")
        await until(reader(b"d" * (LIMIT + len(sep)), eof=False), sep)
    print("readline")
    await line(reader(b"e" * LIMIT + b"\nnext\n"))
    await line(reader(b"f" * (LIMIT + 1) + b"\nnext\n"))
    await line(reader(b"g" * (LIMIT + 1)))


asyncio.run(main())
