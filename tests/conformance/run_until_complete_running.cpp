// Rule: run_until_complete on a running loop raises RuntimeError before it wraps its argument in a
// task (base_events.py run_until_complete: _check_closed, _check_running, then ensure_future), so
// the coroutine never runs and no task is registered; on a closed loop it raises first too.
#include <cstdio>
#include <exception>

#include "asyncio/asyncio.hpp"

namespace {

void never() { std::puts("never runs"); }

void main_task() {
  auto& loop = asyncio::get_running_loop();
  const std::size_t before = asyncio::all_tasks().size();
  try {
    loop.run_until_complete(never);
  } catch (const asyncio::RuntimeError&) {
    std::printf("%s\n", asyncio::exception_line(std::current_exception()).c_str());
  }
  std::printf("tasks before: %zu after: %zu\n", before, asyncio::all_tasks().size());
  asyncio::sleep(0);
  asyncio::sleep(0);
  std::puts("main done");
}

}  // namespace

int main() {
  asyncio::run(main_task);
  auto loop = asyncio::new_event_loop();
  loop->close();
  try {
    loop->run_until_complete(never);
  } catch (const asyncio::RuntimeError&) {
    std::printf("%s\n", asyncio::exception_line(std::current_exception()).c_str());
  }
}
