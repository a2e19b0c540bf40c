// Rule: step 3 moves a timer only when its deadline is strictly before now + the clock's
// resolution (base_events.py _run_once: `if handle._when >= end_time: break`). A timer due
// exactly at the end of that window waits for the next pass; one a hair earlier runs in this pass.
// The clock here moves only when the program moves it (by one resolution, in pass 1).
#include <cstdio>
#include <functional>

#include "asyncio/asyncio.hpp"

int main() {
  auto loop = asyncio::new_event_loop();
  const double start = 100.0;
  loop->use_virtual_clock(start);
  const double res = loop->clock_resolution();
  int passes = 0;
  auto say = [&](const char* word) { std::printf("pass %d: %s\n", passes, word); };
  std::function<void()> count = [&] {
    ++passes;
    if (passes == 1) loop->use_virtual_clock(start + res);
    loop->call_soon(count, "count");
  };
  loop->call_soon(count, "count");
  loop->call_at(start + res, [&] { say("at the end of the window"); }, "say");
  loop->call_at(start + res / 2, [&] { say("inside the window"); }, "say");
  loop->call_at(start, [&] { say("at now"); }, "say");
  loop->call_at(start + res, [&] { loop->stop(); }, "stop");
  loop->run_forever();
  std::printf("resolution positive: %s passes: %d\n", res > 0 ? "True" : "False", passes);
  loop->close();
}
