// edge_cancel: chapter 12's exercise 3 done on examples/13_callbacks_vs_await.cpp: in the await
// half, the two steps run under asyncio::timeout(0.1); a cancelled fetch says goodbye with a
// second fetch, which the timeout does not cancel (asyncio's cancellation is edge-triggered). The
// first fetch's server() timer still fires and sets a result on a cancelled future:
// InvalidStateError, reported by the loop's exception handler. Everything else is example 13.
// Quoted in docs/12-other-designs.md (Exercises).
#include <cstdio>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

using asyncio::Future;

// The two steps, as a resolver and a server would offer them: start the work, return a future.
Future<std::string> lookup(const std::string& host) {
  std::printf("lookup %s\n", host.c_str());
  asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
  Future<std::string> fut = loop.create_future<std::string>();
  loop.call_later(0.05, [fut, host] {
    if (host == "example.org") fut.set_result(std::string("192.0.2.7"));
    else fut.set_exception(asyncio::LookupError("no address for " + host));
  }, "resolver");
  return fut;
}

Future<std::string> fetch(const std::string& address) {
  std::printf("  GET / from %s\n", address.c_str());
  asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
  Future<std::string> fut = loop.create_future<std::string>();
  loop.call_later(0.1, [fut] { fut.set_result(std::string("<h1>hello</h1>")); }, "server");
  return fut;
}

// Version 1, callbacks (Twisted's style): each step is given the callback that takes its result;
// that callback starts the next step, or hands an error to the errback, which ends the chain.
void failed(const std::exception_ptr& exc, Future<void> done) {
  std::printf("  failed: %s\n", asyncio::exception_repr(exc).c_str());
  done.set_result();
}

Future<void> get_page_callbacks(const std::string& host) {
  Future<void> done = asyncio::get_running_loop().create_future<void>();
  lookup(host).add_done_callback([done](Future<std::string> address) {
    if (address.exception()) return failed(address.exception(), done);
    std::printf("  address %s\n", address.result().c_str());
    fetch(address.result()).add_done_callback([done](Future<std::string> page) {
      if (page.exception()) return failed(page.exception(), done);
      std::printf("  page: %zu bytes\n", page.result().size());
      done.set_result();
    }, "on_page");
  }, "on_address");
  return done;  // the chain's end: whoever wants to know when the job is over waits on this
}

// Version 2, await: the same steps, written in the order they happen; the errback is a catch.
void get_page_await(const std::string& host) {
  try {
    asyncio::timeout(0.1, [&] {
      std::string address = asyncio::await(lookup(host));
      std::printf("  address %s\n", address.c_str());
      try {
        std::string page = asyncio::await(fetch(address));
        std::printf("  page: %zu bytes\n", page.size());
      } catch (const asyncio::CancelledError&) {
        std::printf("  cancelled; saying goodbye\n");
        asyncio::await(fetch(address));
        std::printf("  goodbye sent\n");
        throw;
      }
    });
  } catch (const asyncio::Exception&) {
    std::printf("  failed: %s\n", asyncio::exception_repr(std::current_exception()).c_str());
  }
}

}  // namespace

int main() {
  asyncio::run([] {
    std::printf("-- callbacks\n");
    for (const char* host : {"example.org", "nowhere.invalid"}) asyncio::await(get_page_callbacks(host));
    std::printf("-- await\n");
    for (const char* host : {"example.org", "nowhere.invalid"}) get_page_await(host);
  });
}
