// Rule: Semaphore hands released units to waiters in FIFO order; a waiter granted a unit but
// cancelled before it runs gives the unit back to the next one; BoundedSemaphore refuses to go
// above its initial value; a negative initial value is a ValueError (10).
#include <iostream>
#include <map>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

void worker(Semaphore& sem, std::string name) {
  std::cout << name << " waits, locked: " << py(sem.locked()) << "\n";
  try {
    auto held = async_with(sem);
    std::cout << name << " in\n";
    asyncio::sleep(0);
    std::cout << name << " out\n";
  } catch (const CancelledError&) {
    std::cout << name << " cancelled\n";
    throw;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    Semaphore sem(2);
    std::map<std::string, Task<void>> ts;
    std::vector<Task<void>> all;
    for (const char* n : {"a", "b", "c", "d", "e"}) all.push_back(ts[n] = create_task(worker, std::ref(sem), n));
    asyncio::sleep(0);
    ts["d"].cancel();
    asyncio::sleep(0);
    ts["c"].cancel();
    await(gather(return_exceptions, all));
    std::cout << "value after: " << sem.value() << " locked: " << py(sem.locked()) << "\n";
    BoundedSemaphore b(1);
    b.acquire();
    b.release();
    try {
      b.release();
    } catch (const ValueError&) {
      std::cout << exception_repr(std::current_exception()) << "\n";
    }
    try {
      Semaphore bad(-1);
    } catch (const ValueError&) {
      std::cout << exception_repr(std::current_exception()) << "\n";
    }
  });
}
