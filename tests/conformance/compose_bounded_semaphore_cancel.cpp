// Rule: BoundedSemaphore waits like Semaphore: a waiter cancelled while queued just leaves, one
// granted the unit by release() but cancelled before it runs hands it to the next waiter, and
// at the end the value is back to its bound, so one more release() is a ValueError (10).
#include <iostream>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

void worker(BoundedSemaphore& sem, std::string name) {
  try {
    {
      auto held = async_with(sem);
      std::cout << name << " in, value " << sem.value() << "\n";
      asyncio::sleep(0);
    }
    std::cout << name << " out, value " << sem.value() << "\n";
  } catch (const CancelledError&) {
    std::cout << name << " cancelled, locked: " << py(sem.locked()) << "\n";
    throw;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    BoundedSemaphore sem(1);
    sem.acquire();
    std::vector<Task<void>> ts;
    for (const char* n : {"a", "b", "c", "d"}) ts.push_back(create_task(worker, std::ref(sem), n));
    asyncio::sleep(0);
    ts[0].cancel();  // still queued
    asyncio::sleep(0);
    sem.release();  // grants the unit to b ...
    ts[1].cancel();  // ... cancelled before it runs: c gets it
    await(gather(return_exceptions, ts));
    std::cout << "value " << sem.value() << " locked " << py(sem.locked()) << " cancelled: [";
    for (std::size_t i = 0; i < ts.size(); ++i) std::cout << (i ? ", " : "") << py(ts[i].cancelled());
    std::cout << "]\n";
    try {
      sem.release();
    } catch (const ValueError&) {
      std::cout << exception_repr(std::current_exception()) << "\n";
    }
  });
}
