// timer_ties: five timers with one deadline run in heapq's order (A C B D E), not in the order
// they were scheduled. Mirrors the tie order of Lib/heapq.py under BaseEventLoop._run_once.
// Quoted and traced in docs/04-handles-and-timers.md; its twin is timer_ties.py.
#include <cstdio>

#include "asyncio/asyncio.hpp"

int main() {
  auto loop = asyncio::new_event_loop();
  const double when = loop->time() + 0.01;
  for (const char* name : {"A", "B", "C", "D", "E"})
    loop->call_at(when, [name] { std::printf("timer %s\n", name); }, name);
  loop->call_at(when + 0.01, [&] { loop->stop(); }, "stop");
  loop->run_forever();
  loop->close();
}
