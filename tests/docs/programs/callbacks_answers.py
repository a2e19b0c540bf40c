# callbacks_answers.py: twin of callbacks_answers.cpp (chapter 12's exercises 1 and 2 done on
# examples/13_callbacks_vs_await.py). `deferred`: lookup runs the next link itself, inside the
# call that completes its future; `refused`: the server fails with ConnectionRefusedError.
import asyncio
import sys

MODE = sys.argv[1] if len(sys.argv) > 1 else "deferred"


def lookup(host, then=None):
    print(f"lookup {host}")
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def resolver():
        if host == "example.org":
            fut.set_result("192.0.2.7")
        else:
            fut.set_exception(LookupError(f"no address for {host}"))
        if then:
            then(fut)  # exercise 1: the chain runs inside the resolver's callback

    loop.call_later(0.05, resolver)
    return fut


def fetch(address):
    print(f"  GET / from {address}")
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def server():
        if MODE == "refused":  # exercise 2
            fut.set_exception(ConnectionRefusedError(f"no answer from {address}"))
        else:
            fut.set_result("<h1>hello</h1>")

    loop.call_later(0.1, server)
    return fut


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

    if MODE == "deferred":
        lookup(host, on_address)
    else:
        lookup(host).add_done_callback(on_address)
    return done


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
