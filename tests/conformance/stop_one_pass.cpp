// Rule: stop() only sets a flag checked after each pass: stop() before run_forever gives exactly one
// pass, with select timeout 0, so a timer not yet due waits (CPYTHON-RULES 2.5, 18.9).
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;

void say(const std::string& word) { std::puts(word.c_str()); }

void chain(int n) {
  std::printf("chain %d\n", n);
  if (n < 4) loop->call_soon(asyncio::named("chain", chain), n + 1);
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  loop->call_later(0.3, asyncio::named("say", say), "timer at +0.3 s");
  loop->call_soon(asyncio::named("chain", chain), 1);
  loop->stop();
  loop->run_forever();
  std::puts("run 1 ended after one pass");
  loop->stop();
  loop->run_forever();
  std::puts("run 2 ended after one pass");
  loop->call_later(0.4, [] { loop->stop(); }, "stop");
  loop->run_forever();
  std::printf("run 3 ended at the stop timer; ready left: %zu\n", loop->ready_count());
  loop->close();
  loop.reset();
}
