// timer_rebuild: step 1's rule: the timer heap is rebuilt only when more than 100 timers are
// scheduled and more than half are cancelled (BaseEventLoop._run_once). With an argument, one
// cancel fewer: exactly half, so no rebuild. Quoted in docs/04-handles-and-timers.md; twin: .py.
#include <cstdio>
#include <vector>

#include "asyncio/asyncio.hpp"

int main(int argc, char**) {
  auto loop = asyncio::new_event_loop();
  std::vector<asyncio::TimerHandleRef> timers;
  for (int i = 0; i < 102; ++i) timers.push_back(loop->call_later(60.0 + i, [] {}, "tick"));
  for (int i = 0; i < 102; i += 2) timers[i]->cancel();  // 51 of 102
  if (argc < 2) timers[1]->cancel();                     // 52 of 102
  std::printf("before: %zu timers, %zu cancelled\n", loop->scheduled_count(), loop->timer_cancelled_count());
  loop->call_soon([&] { loop->stop(); }, "stop");
  loop->run_forever();
  std::printf("after one pass: %zu timers, %zu cancelled\n", loop->scheduled_count(), loop->timer_cancelled_count());
  loop->close();
}
