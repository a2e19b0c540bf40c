// timer_answers: chapter 4's exercises, one per argument. `ties`: timer_ties.cpp without the stop
// timer; timer E stops the loop with call_soon. `rebuild N M`: N timers, M of them cancelled,
// one pass: is the heap rebuilt? `late`: a timer cancelled after it has run. Quoted in
// docs/answers/04.md; twin: timer_answers.py.
#include <cstdio>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "ties";
  auto loop = asyncio::new_event_loop();
  if (what == "ties") {
    const double when = loop->time() + 0.01;
    for (const char* name : {"A", "B", "C", "D"})
      loop->call_at(when, [name] { std::printf("timer %s\n", name); }, name);
    loop->call_at(when, [&] {
      std::printf("timer E\n");
      loop->call_soon([&] { loop->stop(); }, "stop");
    }, "E");
    loop->run_forever();
  } else if (what == "rebuild" && argc == 4) {
    const int n = std::stoi(argv[2]), m = std::stoi(argv[3]);
    std::vector<asyncio::TimerHandleRef> timers;
    for (int i = 0; i < n; ++i) timers.push_back(loop->call_later(60.0 + i, [] {}, "tick"));
    for (int i = 0; i < m; ++i) timers[static_cast<std::size_t>(2 * i % n + (2 * i >= n))]->cancel();
    std::printf("before: %zu timers, %zu cancelled\n", loop->scheduled_count(), loop->timer_cancelled_count());
    loop->call_soon([&] { loop->stop(); }, "stop");
    loop->run_forever();
    std::printf("after one pass: %zu timers, %zu cancelled\n", loop->scheduled_count(), loop->timer_cancelled_count());
  } else if (what == "late") {
    asyncio::TimerHandleRef timer = loop->call_later(0.01, [] { std::printf("timer ran\n"); }, "once");
    loop->call_later(0.02, [&] { loop->stop(); }, "stop");
    loop->run_forever();
    timer->cancel();
    std::printf("cancelled() is %s, timer_cancelled_count() is %zu\n", timer->cancelled() ? "True" : "False",
                loop->timer_cancelled_count());
    loop->call_soon([&] { loop->stop(); }, "stop");
    loop->run_forever();
    std::printf("after one more pass: %zu timers\n", loop->scheduled_count());
  }
  loop->close();
}
