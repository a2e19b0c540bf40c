// callbacks_answers: chapter 12's exercises 1 and 2 done on examples/13_callbacks_vs_await.cpp.
// With `deferred` (exercise 1) lookup runs the next link of the chain itself, inside the call that
// completes its future, as Deferred.callback does; with `refused` (exercise 2) the server fails
// with ConnectionRefusedError. Exercise 3 is edge_cancel.cpp. Quoted in docs/answers/12.md.
#include <cstdio>
#include <exception>
#include <functional>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

using asyncio::Future;
std::string mode;

// Exercise 1: `then` runs right after the future is completed, in the resolver's own callback.
Future<std::string> lookup(const std::string& host, std::function<void(Future<std::string>)> then = nullptr) {
  std::printf("lookup %s\n", host.c_str());
  asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
  Future<std::string> fut = loop.create_future<std::string>();
  loop.call_later(0.05, [fut, host, then] {
    if (host == "example.org") fut.set_result(std::string("192.0.2.7"));
    else fut.set_exception(asyncio::LookupError("no address for " + host));
    if (then) then(fut);
  }, "resolver");
  return fut;
}

Future<std::string> fetch(const std::string& address) {
  std::printf("  GET / from %s\n", address.c_str());
  asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
  Future<std::string> fut = loop.create_future<std::string>();
  loop.call_later(0.1, [fut, address] {
    if (mode == "refused") fut.set_exception(asyncio::ConnectionRefusedError("no answer from " + address));  // exercise 2
    else fut.set_result(std::string("<h1>hello</h1>"));
  }, "server");
  return fut;
}

void failed(const std::exception_ptr& exc, Future<void> done) {
  std::printf("  failed: %s\n", asyncio::exception_repr(exc).c_str());
  done.set_result();
}

Future<void> get_page_callbacks(const std::string& host) {
  Future<void> done = asyncio::get_running_loop().create_future<void>();
  auto on_address = [done](Future<std::string> address) {
    if (address.exception()) return failed(address.exception(), done);
    std::printf("  address %s\n", address.result().c_str());
    fetch(address.result()).add_done_callback([done](Future<std::string> page) {
      if (page.exception()) return failed(page.exception(), done);
      std::printf("  page: %zu bytes\n", page.result().size());
      done.set_result();
    }, "on_page");
  };
  if (mode == "deferred") {
    lookup(host, on_address);  // exercise 1: the chain runs inside the resolver's callback
  } else {
    lookup(host).add_done_callback(on_address, "on_address");
  }
  return done;
}

void get_page_await(const std::string& host) {
  try {
    std::string address = asyncio::await(lookup(host));
    std::printf("  address %s\n", address.c_str());
    std::string page = asyncio::await(fetch(address));
    std::printf("  page: %zu bytes\n", page.size());
  } catch (const asyncio::Exception&) {
    std::printf("  failed: %s\n", asyncio::exception_repr(std::current_exception()).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  mode = argc > 1 ? argv[1] : "deferred";
  asyncio::run([] {
    std::printf("-- callbacks\n");
    for (const char* host : {"example.org", "nowhere.invalid"}) asyncio::await(get_page_callbacks(host));
    std::printf("-- await\n");
    for (const char* host : {"example.org", "nowhere.invalid"}) get_page_await(host);
  });
}
