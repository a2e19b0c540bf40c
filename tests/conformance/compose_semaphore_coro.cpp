// Coroutine twin of compose_semaphore.py (issue 16): the same rule with stackless tasks
// (co_await sem.acquire_async(), the release at the end of the scope).
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

Coro<void> worker(Semaphore& sem, std::string name) {
  std::cout << name << " waits, locked: " << py(sem.locked()) << "\n";
  try {
    co_await sem.acquire_async();
    ReleaseOnExit<Semaphore> held(sem);
    std::cout << name << " in\n";
    co_await sleep_async(0);
    std::cout << name << " out\n";
  } catch (const CancelledError&) {
    std::cout << name << " cancelled\n";
    throw;
  }
}

Coro<void> main_() {
  Semaphore sem(2);
  std::map<std::string, Task<void>> ts;
  std::vector<Task<void>> all;
  for (const char* n : {"a", "b", "c", "d", "e"}) all.push_back(ts[n] = create_task(worker(sem, n)));
  co_await sleep_async(0);
  ts["d"].cancel();
  co_await sleep_async(0);
  ts["c"].cancel();
  co_await gather(return_exceptions, all);
  std::cout << "value after: " << sem.value() << " locked: " << py(sem.locked()) << "\n";
  BoundedSemaphore b(1);
  co_await b.acquire_async();
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
}
}  // namespace

int main() { asyncio::run(main_()); }
