// Coroutine twin of compose_event_order.py (issue 16): the same rule with stackless tasks
// (co_await ev.wait_async()).
#include <iostream>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
Coro<void> waiter(Event& ev, std::string name) {
  std::cout << name << " waits\n";
  co_await ev.wait_async();
  std::cout << name << " woke, is_set: " << (ev.is_set() ? "True" : "False") << "\n";
}

Coro<void> main_() {
  Event ev;
  std::vector<Task<void>> ts;
  for (const char* n : {"w1", "w2", "w3"}) ts.push_back(create_task(waiter(ev, n)));
  co_await sleep_async(0);
  ev.set();
  ev.clear();
  std::cout << "set then cleared\n";
  co_await gather(ts);
  ev.set();
  const bool got = co_await ev.wait_async();
  std::cout << "wait on set event: " << (got ? "True" : "False") << " (no yield)\n";
}
}  // namespace

int main() { asyncio::run(main_()); }
