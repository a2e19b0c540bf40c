// Rule: the ready queue is FIFO: call_soon callbacks run in the order they were queued
// (CPYTHON-RULES 2.4, 3.1); a callback queued from a callback runs after those already queued.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;

void say(const std::string& word) { std::puts(word.c_str()); }

void queue_more() {
  std::puts("queue_more");
  loop->call_soon(asyncio::named("say", say), "late-1");
  loop->call_soon(asyncio::named("say", say), "late-2");
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  for (const char* word : {"one", "two", "three"}) loop->call_soon(asyncio::named("say", say), word);
  loop->call_soon(queue_more, "queue_more");
  loop->call_soon(asyncio::named("say", say), "four");
  loop->call_soon([] { loop->stop(); }, "stop");
  loop->run_forever();
  std::puts("after the first run");
  loop->call_soon([] { loop->stop(); }, "stop");
  loop->run_forever();
  loop->close();
  loop.reset();
}
