// Rule: remove_done_callback(fn) compares callbacks by identity (futures.py: `f != fn`), so a
// closure registered twice is removed twice and the count says so; another closure made by the
// same function is a different callback and stays. C++: asyncio::same_callback gives a lambda
// the identity a Python function object has.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

auto make(std::string label) {
  return asyncio::same_callback([label](asyncio::Future<int> fut) {
    std::printf("%s ran, result %d\n", label.c_str(), fut.result());
  });
}

}  // namespace

int main() {
  auto loop = asyncio::new_event_loop();
  auto fut = loop->create_future<int>();
  auto a = make("a");
  auto a_again = a;
  auto b = make("b");
  auto other_a = make("a'");
  fut.add_done_callback(a, "on_done");
  fut.add_done_callback(b, "on_done");
  fut.add_done_callback(a_again, "on_done");
  fut.add_done_callback(other_a, "on_done");
  std::printf("removed a: %zu\n", fut.remove_done_callback(a));
  std::printf("removed a again: %zu\n", fut.remove_done_callback(a_again));
  std::printf("removed a never added: %zu\n", fut.remove_done_callback(make("a")));
  fut.set_result(7);
  std::printf("removed b after set_result: %zu\n", fut.remove_done_callback(b));
  loop->call_soon([&] { loop->stop(); }, "stop");
  loop->run_forever();
  loop->close();
}
