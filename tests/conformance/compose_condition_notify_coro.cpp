// Coroutine twin of compose_condition_notify.py (issue 16): the same rule with stackless tasks
// (co_await cond.acquire_async() / cond.wait_async()).
#include <iostream>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
Coro<void> consumer(Condition& cond, std::string name, std::vector<std::string>& box) {
  co_await cond.acquire_async();
  ReleaseOnExit<Condition> held(cond);
  std::cout << name << " waits\n";
  co_await cond.wait_async();
  std::cout << name << " woke with " << box.front() << "\n";
  box.erase(box.begin());
}

Coro<void> cancelled_one(Condition& cond) {
  co_await cond.acquire_async();
  ReleaseOnExit<Condition> held(cond);
  try {
    co_await cond.wait_async();
  } catch (const CancelledError&) {
    std::cout << "cancelled waiter holds the lock again: " << (cond.locked() ? "True" : "False") << "\n";
    throw;
  }
}

Coro<void> main_() {
  Condition cond;
  std::vector<std::string> box;
  std::vector<Task<void>> ts;
  for (const char* n : {"c1", "c2", "c3"}) ts.push_back(create_task(consumer(cond, n, box)));
  co_await sleep_async(0);
  {
    co_await cond.acquire_async();
    ReleaseOnExit<Condition> held(cond);
    box.insert(box.end(), {"x", "y"});
    cond.notify(2);
    std::cout << "notified 2\n";
  }
  co_await sleep_async(0.01);
  {
    co_await cond.acquire_async();
    ReleaseOnExit<Condition> held(cond);
    box.push_back("z");
    cond.notify_all();
  }
  co_await gather(ts);
  try {
    cond.notify();
  } catch (const RuntimeError&) {
    std::cout << exception_repr(std::current_exception()) << "\n";
  }
  auto t = create_task(cancelled_one(cond));
  co_await sleep_async(0);
  co_await cond.acquire_async();
  t.cancel();
  co_await sleep_async(0);
  std::cout << "releasing\n";
  cond.release();
  try {
    co_await t;
  } catch (const CancelledError&) {
    std::cout << "cancelled waiter finished: " << (t.cancelled() ? "True" : "False") << "\n";
  }
}
}  // namespace

int main() { asyncio::run(main_()); }
