# 13_callbacks_vs_await_twisted.py: example 13's job on Twisted's reactor, as Deferreds, then as async def.
# Run it with Debian's /usr/bin/python3 (python3-twisted); it prints examples/13_callbacks_vs_await.expected.
# Chapter: docs/12-other-designs.md · asyncio twins: examples/13_callbacks_vs_await.{cpp,py}
from twisted.internet import defer, reactor, task


# The two steps: start the work, return a Deferred that a timer fires (reactor.callLater is call_later).
def lookup(host):
    print(f"lookup {host}")
    d = defer.Deferred()
    if host == "example.org":
        reactor.callLater(0.05, d.callback, "192.0.2.7")
    else:
        reactor.callLater(0.05, d.errback, LookupError(f"no address for {host}"))
    return d


def fetch(address):
    print(f"  GET / from {address}")
    d = defer.Deferred()
    reactor.callLater(0.1, d.callback, "<h1>hello</h1>")
    return d


# Version 1, a Deferred chain: each link gets what the previous one returned. on_address returns
# fetch()'s Deferred, so the chain pauses until the page arrives: a flat chain instead of nesting.
def get_page_callbacks(host):
    def on_address(address):
        print(f"  address {address}")
        return fetch(address)

    def on_page(page):
        print(f"  page: {len(page)} bytes")

    def failed(failure):  # the errback track; returning normally ends the error, like an except
        print(f"  failed: {failure.value!r}")

    return lookup(host).addCallback(on_address).addCallback(on_page).addErrback(failed)


# Version 2, await: Twisted's Deferreds are awaitable inside a coroutine that Deferred.fromCoroutine drives.
async def get_page_await(host):
    try:
        address = await lookup(host)
        print(f"  address {address}")
        page = await fetch(address)
        print(f"  page: {len(page)} bytes")
    except Exception as exc:
        print(f"  failed: {exc!r}")


async def main_coroutine():
    print("-- callbacks")
    for host in ("example.org", "nowhere.invalid"):
        await get_page_callbacks(host)
    print("-- await")
    for host in ("example.org", "nowhere.invalid"):
        await get_page_await(host)


def main(_reactor):
    return defer.Deferred.fromCoroutine(main_coroutine())


task.react(main)
