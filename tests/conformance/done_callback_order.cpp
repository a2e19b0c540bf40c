// Rule: done callbacks run in registration order, each scheduled with call_soon when the future
// completes, never inline (CPYTHON-RULES 5, 18.2); on a done future add_done_callback queues at once.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;
asyncio::Future<int> fut;

auto callback(std::string name) {
  return [name](asyncio::Future<int> f) { std::printf("%s sees result %d\n", name.c_str(), f.result()); };
}

void say(const char* word) { std::puts(word); }

void complete() {
  std::puts("complete: set_result(42)");
  fut.set_result(42);
  std::puts("complete: set_result returned, no callback has run yet");
  loop->call_soon([] { say("queued after set_result"); });
  fut.add_done_callback(callback("late"));
  loop->call_soon([] { loop->stop(); });
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  fut = loop->create_future<int>();
  fut.add_done_callback(callback("first"));
  fut.add_done_callback(callback("second"));
  loop->call_soon([] { complete(); });
  loop->call_soon([] { say("queued before completion"); });
  fut.add_done_callback(callback("third"));
  loop->run_forever();
  fut = {};
  loop->close();
  loop.reset();
}
