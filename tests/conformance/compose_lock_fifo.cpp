// Rule: Lock is FIFO with no barging: acquire() on a free lock takes it without yielding; after
// release() the lock reads unlocked until the first waiter runs, yet a newcomer queues behind
// it (10). release() of an unlocked lock is RuntimeError('Lock is not acquired.').
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

void user(Lock& lock, std::string name, int hold) {
  std::cout << name << " wants the lock\n";
  {
    auto held = async_with(lock);
    std::cout << name << " has the lock\n";
    for (int i = 0; i < hold; ++i) asyncio::sleep(0);
  }
  std::cout << name << " released\n";
}
}  // namespace

int main() {
  asyncio::run([] {
    Lock lock;
    const bool got = lock.acquire();
    std::cout << "acquire free: " << py(got) << " locked: " << py(lock.locked()) << "\n";
    std::vector<Task<void>> ts;
    for (const char* n : {"a", "b", "c"}) ts.push_back(create_task(user, std::ref(lock), n, 1));
    asyncio::sleep(0);
    lock.release();
    std::cout << "after release locked: " << py(lock.locked()) << "\n";
    ts.push_back(create_task(user, std::ref(lock), "late", 0));
    await(gather(ts));
    try {
      lock.release();
    } catch (const RuntimeError&) {
      std::cout << exception_repr(std::current_exception()) << "\n";
    }
  });
}
