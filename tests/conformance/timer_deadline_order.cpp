// Rule: timers fire in deadline order whatever the API (call_later, call_at) or the scheduling order;
// a timer added by a timer callback with an earlier deadline fires before later ones (CPYTHON-RULES 4.1).
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;
double base = 0;

void say(const std::string& word) { std::puts(word.c_str()); }

void early() {
  std::puts("early (+0.1) adds a timer at +0.2");
  loop->call_at(base + 0.2, asyncio::named("say", say), "added by early (+0.2)");
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  base = loop->time();
  loop->call_at(base + 0.3, asyncio::named("say", say), "call_at +0.3");
  loop->call_at(base + 0.1, early, "early");
  loop->call_later(0.3 + 0.05, asyncio::named("say", say), "call_later 0.35");
  loop->call_at(base + 0.05, asyncio::named("say", say), "call_at +0.05");
  loop->call_at(base + 0.4, [] { loop->stop(); }, "stop");
  loop->run_forever();
  loop->close();
  loop.reset();
}
