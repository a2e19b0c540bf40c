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

void say(const std::string& word) { std::puts(word.c_str()); }

void complete() {
  std::puts("complete: set_result(42)");
  fut.set_result(42);
  std::puts("complete: set_result returned, no callback has run yet");
  loop->call_soon(asyncio::named("say", say), "queued after set_result");
  fut.add_done_callback(callback("late"), "on_done");
  loop->call_soon([] { loop->stop(); }, "stop");
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  fut = loop->create_future<int>();
  fut.add_done_callback(callback("first"), "on_done");
  fut.add_done_callback(callback("second"), "on_done");
  loop->call_soon(complete, "complete");
  loop->call_soon(asyncio::named("say", say), "queued before completion");
  fut.add_done_callback(callback("third"), "on_done");
  loop->run_forever();
  fut = {};
  loop->close();
  loop.reset();
}
