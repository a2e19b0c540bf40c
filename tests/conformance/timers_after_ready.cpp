// Rule: call_later(0) and a deadline in the past are timers, not ready callbacks (CPYTHON-RULES 3.1,
// 18.5): step 3 appends them behind everything already ready, in deadline order.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;

void say(const std::string& word) { std::puts(word.c_str()); }

void first() {
  std::puts("first: call_later(0) and call_soon from a callback");
  loop->call_later(0, asyncio::named("say", say), "timer queued by first");
  loop->call_soon(asyncio::named("say", say), "soon queued by first");
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  loop->call_later(0, asyncio::named("say", say), "call_later(0)");
  loop->call_soon(first, "first");
  loop->call_at(loop->time() - 10, asyncio::named("say", say), "call_at 10 s in the past");
  loop->call_later(-5, asyncio::named("say", say), "call_later(-5)");
  loop->call_soon(asyncio::named("say", say), "call_soon");
  loop->call_later(0.05, [] { loop->stop(); }, "stop");
  loop->run_forever();
  loop->close();
  loop.reset();
}
