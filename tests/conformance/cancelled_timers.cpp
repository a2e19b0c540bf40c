// Rule: step 1 pops cancelled timers off the heap's head only, or rebuilds the heap when more than
// half of more than 100 are cancelled; a cancelled timer popped as due in step 3 stays counted (2.1).
#include <cstdio>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;

void report(const std::string& label) {
  std::printf("%s: %zu in the heap, %zu counted cancelled\n", label.c_str(), loop->scheduled_count(),
              loop->timer_cancelled_count());
}

void say(const std::string& word) { std::puts(word.c_str()); }

void run_one_pass() {
  loop->call_soon([] { loop->stop(); }, "stop");
  loop->run_forever();
}

void t2_runs() {
  report("t2 runs");
  loop->call_soon(asyncio::named("report", report), "the next pass popped t3");
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  const double base = loop->time();
  asyncio::TimerHandleRef t1 = loop->call_at(base + 0.1, asyncio::named("say", say), "t1 never runs");
  asyncio::TimerHandleRef t2 = loop->call_at(base + 0.2, t2_runs, "t2_runs");
  asyncio::TimerHandleRef t3 = loop->call_at(base + 0.3, asyncio::named("say", say), "t3 never runs");
  t1->cancel();
  t3->cancel();
  t3->cancel();
  report("t1 (the head) and t3 cancelled");
  run_one_pass();
  report("after one pass");
  loop->call_at(base + 0.4, [] { loop->stop(); }, "stop");
  loop->run_forever();

  // Step 3 pops a cancelled timer that is due together with a live one: the count drifts.
  const double past = loop->time() - 1;
  loop->call_at(past, asyncio::named("say", say), "live past timer runs");
  loop->call_at(past + 0.5, asyncio::named("say", say), "never printed")->cancel();
  run_one_pass();
  report("both ran in one pass");

  // 101 far timers: 49 cancelled plus the drifted one (50) keep the heap, 51 rebuild it.
  std::vector<asyncio::TimerHandleRef> far;
  for (int k = 0; k < 101; ++k) far.push_back(loop->call_at(base + 100 + k * 0.001, asyncio::named("say", say), "far"));
  for (std::size_t i = 1; i < 99; i += 2) far[i]->cancel();
  run_one_pass();
  report("101 timers, 49 cancelled + 1 drifted");
  far[2]->cancel();
  run_one_pass();
  report("one more cancelled: rebuilt");
  loop->close();
  loop.reset();
}
