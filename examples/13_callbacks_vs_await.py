# 13_callbacks_vs_await.py: one small job written twice: a chain of callbacks on the raw loop, then code that awaits.
# The job looks a host up, then fetches a page from its address; each step is a future that a timer completes.
# Chapter: docs/12-other-designs.md · C++ twin: examples/13_callbacks_vs_await.cpp
import asyncio


# The two steps, as a resolver and a server would offer them: start the work, return a future.
def lookup(host):
    print(f"lookup {host}")
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def resolver():
        if host == "example.org":
            fut.set_result("192.0.2.7")
        else:
            fut.set_exception(LookupError(f"no address for {host}"))

    loop.call_later(0.05, resolver)
    return fut


def fetch(address):
    print(f"  GET / from {address}")
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def server():
        fut.set_result("<h1>hello</h1>")

    loop.call_later(0.1, server)
    return fut


# Version 1, callbacks (Twisted's style): each step is given the callback that takes its result;
# that callback starts the next step, or hands an error to the errback, which ends the chain.
def failed(exc, done):
    print(f"  failed: {exc!r}")
    done.set_result(None)


def get_page_callbacks(host):
    done = asyncio.get_running_loop().create_future()

    def on_address(address):
        if address.exception():
            return failed(address.exception(), done)
        print(f"  address {address.result()}")

        def on_page(page):
            if page.exception():
                return failed(page.exception(), done)
            print(f"  page: {len(page.result())} bytes")
            done.set_result(None)

        fetch(address.result()).add_done_callback(on_page)

    lookup(host).add_done_callback(on_address)
    return done  # the chain's end: whoever wants to know when the job is over waits on this


# Version 2, await: the same steps, written in the order they happen; the errback is an except.
async def get_page_await(host):
    try:
        address = await lookup(host)
        print(f"  address {address}")
        page = await fetch(address)
        print(f"  page: {len(page)} bytes")
    except Exception as exc:
        print(f"  failed: {exc!r}")


async def main():
    print("-- callbacks")
    for host in ("example.org", "nowhere.invalid"):
        await get_page_callbacks(host)
    print("-- await")
    for host in ("example.org", "nowhere.invalid"):
        await get_page_await(host)


asyncio.run(main())
