// Coroutine twin of compose_lock_fifo.py (issue 16): the same rule with stackless tasks, which
// take the lock with co_await lock.acquire_async() (no async_with in a coroutine).
#include <iostream>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

Coro<void> user(Lock& lock, std::string name, int hold) {
  std::cout << name << " wants the lock\n";
  co_await lock.acquire_async();
  std::cout << name << " has the lock\n";
  for (int i = 0; i < hold; ++i) co_await sleep_async(0);
  lock.release();
  std::cout << name << " released\n";
}

Coro<void> main_() {
  Lock lock;
  const bool got = co_await lock.acquire_async();
  std::cout << "acquire free: " << py(got) << " locked: " << py(lock.locked()) << "\n";
  std::vector<Task<void>> ts;
  for (const char* n : {"a", "b", "c"}) ts.push_back(create_task(user(lock, n, 1)));
  co_await sleep_async(0);
  lock.release();
  std::cout << "after release locked: " << py(lock.locked()) << "\n";
  ts.push_back(create_task(user(lock, "late", 0)));
  co_await gather(ts);
  try {
    lock.release();
  } catch (const RuntimeError&) {
    std::cout << exception_repr(std::current_exception()) << "\n";
  }
}
}  // namespace

int main() { asyncio::run(main_()); }
