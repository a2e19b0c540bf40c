// Rule: a Lock waiter cancelled after release() woke it passes the wake-up on to the next
// waiter; a waiter cancelled while still queued just leaves (10).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

void user(Lock& lock, std::string name) {
  std::cout << name << " waits\n";
  try {
    auto held = async_with(lock);
    std::cout << name << " has the lock\n";
    asyncio::sleep(0);
  } catch (const CancelledError&) {
    std::cout << name << " cancelled\n";
    throw;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    Lock lock;
    lock.acquire();
    auto a = create_task(user, std::ref(lock), "a");
    auto b = create_task(user, std::ref(lock), "b");
    auto c = create_task(user, std::ref(lock), "c");
    asyncio::sleep(0);
    c.cancel();
    lock.release();
    a.cancel();
    await(gather(return_exceptions, a, b, c));
    std::cout << "a " << py(a.cancelled()) << " b " << py(b.cancelled()) << " c " << py(c.cancelled()) << " locked "
              << py(lock.locked()) << "\n";
  });
}
