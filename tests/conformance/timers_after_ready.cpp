// Rule: call_later(0) and a deadline in the past are timers, not ready callbacks (CPYTHON-RULES 3.1,
// 18.5): step 3 appends them behind everything already ready, in deadline order.
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;

void say(const char* word) { std::puts(word); }

void first() {
  std::puts("first: call_later(0) and call_soon from a callback");
  loop->call_later(0, [] { say("timer queued by first"); });
  loop->call_soon([] { say("soon queued by first"); });
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  loop->call_later(0, [] { say("call_later(0)"); });
  loop->call_soon(first);
  loop->call_at(loop->time() - 10, [] { say("call_at 10 s in the past"); });
  loop->call_later(-5, [] { say("call_later(-5)"); });
  loop->call_soon([] { say("call_soon"); });
  loop->call_later(0.05, [] { loop->stop(); });
  loop->run_forever();
  loop->close();
  loop.reset();
}
