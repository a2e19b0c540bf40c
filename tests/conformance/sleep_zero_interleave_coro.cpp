// Coroutine twin of sleep_zero_interleave.py (issue 16): the same rule with stackless tasks.
// Rule: sleep(0) yields exactly one pass, with no timer (CPYTHON-RULES 7, 18.3): two tasks that
// sleep(0) between prints interleave line by line; a callback chain shows one pass per step.
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

int passes = 0;

void ticker() {
  passes += 1;
  if (passes < 6) asyncio::get_running_loop().call_soon(ticker, "ticker");
}

asyncio::Coro<void> counter(const char* name, int n) {
  for (int i = 0; i < n; ++i) {
    std::printf("%s %d in pass %d\n", name, i, passes);
    co_await asyncio::sleep_async(0);
  }
}

asyncio::Coro<void> main_() {
  asyncio::get_running_loop().call_soon(ticker, "ticker");
  auto a = asyncio::create_task(counter("a", 3));
  auto b = asyncio::create_task(counter("b", 3));
  co_await a;
  co_await b;
  std::printf("timers in the heap: %zu\n", asyncio::get_running_loop().scheduled_count());
}

}  // namespace

int main() { asyncio::run(main_()); }
