// Rule: Condition.notify(n) wakes up to n waiters in wait order; each re-acquires the lock before
// returning, one after the other; a waiter cancelled while waiting still re-takes the lock
// before its CancelledError goes on (10).
#include <iostream>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
void consumer(Condition& cond, std::string name, std::vector<std::string>& box) {
  auto held = async_with(cond);
  std::cout << name << " waits\n";
  cond.wait();
  std::cout << name << " woke with " << box.front() << "\n";
  box.erase(box.begin());
}

void cancelled_one(Condition& cond) {
  auto held = async_with(cond);
  try {
    cond.wait();
  } catch (const CancelledError&) {
    std::cout << "cancelled waiter holds the lock again: " << (cond.locked() ? "True" : "False") << "\n";
    throw;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    Condition cond;
    std::vector<std::string> box;
    std::vector<Task<void>> ts;
    for (const char* n : {"c1", "c2", "c3"}) ts.push_back(create_task(consumer, std::ref(cond), n, std::ref(box)));
    asyncio::sleep(0);
    {
      auto held = async_with(cond);
      box.insert(box.end(), {"x", "y"});
      cond.notify(2);
      std::cout << "notified 2\n";
    }
    asyncio::sleep(0.01);
    {
      auto held = async_with(cond);
      box.push_back("z");
      cond.notify_all();
    }
    await(gather(ts));
    try {
      cond.notify();
    } catch (const RuntimeError&) {
      std::cout << exception_repr(std::current_exception()) << "\n";
    }
    auto t = create_task(cancelled_one, std::ref(cond));
    asyncio::sleep(0);
    cond.acquire();
    t.cancel();
    asyncio::sleep(0);
    std::cout << "releasing\n";
    cond.release();
    try {
      await(t);
    } catch (const CancelledError&) {
      std::cout << "cancelled waiter finished: " << (t.cancelled() ? "True" : "False") << "\n";
    }
  });
}
