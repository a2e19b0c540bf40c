// Rule: remove_done_callback(fn) removes every pending registration of fn and returns how many
// (CPYTHON-RULES 5); after completion the callbacks are already scheduled: it returns 0 and they run.
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

void on_done_a(asyncio::Future<void>) { std::puts("a ran"); }

void on_done_b(asyncio::Future<void>) { std::puts("b ran"); }

}  // namespace

int main() {
  auto loop = asyncio::new_event_loop();
  auto fut = loop->create_future<void>();
  fut.add_done_callback(on_done_a, "on_done_a");
  fut.add_done_callback(on_done_b, "on_done_b");
  fut.add_done_callback(on_done_a, "on_done_a");
  std::printf("removed a: %zu\n", fut.remove_done_callback(on_done_a));
  std::printf("removed a again: %zu\n", fut.remove_done_callback(on_done_a));
  fut.add_done_callback(on_done_a, "on_done_a");
  fut.set_result();
  std::printf("removed b after set_result: %zu\n", fut.remove_done_callback(on_done_b));
  loop->call_soon([&] { loop->stop(); }, "stop");
  loop->run_forever();

  auto fut2 = loop->create_future<void>();
  fut2.add_done_callback(on_done_b, "on_done_b");
  fut2.add_done_callback(on_done_b, "on_done_b");
  fut2.add_done_callback(on_done_a, "on_done_a");
  std::printf("removed b from fut2: %zu\n", fut2.remove_done_callback(on_done_b));
  fut2.cancel();
  loop->call_soon([&] { loop->stop(); }, "stop");
  loop->run_forever();
  loop->close();
}
