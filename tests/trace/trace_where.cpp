// trace_where.cpp: every kind of suspending call, each on its own line, for asyncio-trace's
// `awaited ... at FILE:LINE` (issue 12 part 1): the line shown is this file's (for an async
// generator, its body's line), never the runtime's, and a helper that forwards its caller's
// location shows the caller's line. Deterministic on the virtual clock.
// Course: docs/trace.md ("Where a task waits")
#include <cstdio>
#include <optional>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

// Waits for the next reading; a trace shows the line that called next_reading().
int next_reading(asyncio::Queue<int>& readings,
                 asyncio::source_location where = asyncio::source_location::current()) {
  asyncio::sleep(0.01, where);  // sleep's own `where`, forwarded
  return readings.get(where);   // and the queue's
}

void producer(asyncio::Queue<int>& readings, asyncio::Event& ready) {
  ready.wait();
  for (int i = 1; i <= 3; ++i) {
    asyncio::sleep(0.05);
    readings.put(i);
  }
}

int slow(double delay) {
  asyncio::sleep(delay);
  return 7;
}

void main_task() {
  asyncio::Queue<int> readings(1);
  asyncio::Event ready;
  auto prod = asyncio::create_task(asyncio::TaskOptions{"producer"}, producer, std::ref(readings), std::ref(ready));
  asyncio::sleep(0);
  ready.set();
  const int first = next_reading(readings);
  const int second = next_reading(readings);
  std::printf("readings %d %d\n", first, second);

  asyncio::Lock lock;
  auto holder = asyncio::create_task(asyncio::TaskOptions{"holder"}, [&lock] {
    auto held = asyncio::async_with(lock);
    asyncio::sleep(0.05);
  });
  asyncio::sleep(0);
  {
    auto held = asyncio::async_with(lock);
    std::puts("lock taken");
  }

  const int value = asyncio::wait_for(asyncio::create_task(slow, 0.02), 1.0);
  std::printf("wait_for %d\n", value);
  auto [done, pending] = asyncio::wait(std::vector{asyncio::create_task(slow, 0.03)});
  std::printf("wait %zu done\n", done.size());
  for (auto next : asyncio::as_completed(std::vector{asyncio::create_task(slow, 0.04)})) next();
  asyncio::task_group([](asyncio::TaskGroup& tg) { tg.create_task(slow, 0.05); });
  asyncio::AsyncGenerator<int> ticks([](auto& yield) { asyncio::sleep(0.01); yield(1); });
  std::printf("tick %d\n", ticks.anext());  // the wait shows at the body's line, the one above
  asyncio::await(prod);
  asyncio::await(holder);
  std::puts("done");
}

}  // namespace

int main() { asyncio::run(main_task); }
