// Rule: cancelling a task inside wait_for cancels the inner and waits for it before the
// CancelledError goes on (8.3); timeout <= 0 cancels an unstarted inner, whose body never runs,
// and raises TimeoutError; an inner already done gives its result.
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
std::string inner(std::string name, double delay) {
  std::cout << name << " starts\n";
  try {
    asyncio::sleep(delay);
  } catch (...) {
    std::cout << name << " finally\n";
    throw;
  }
  std::cout << name << " finally\n";
  return name;
}

std::string outer() {
  try {
    return wait_for([] { return inner("inner", 10); }, 5.0);
  } catch (const CancelledError&) {
    std::cout << "outer sees CancelledError\n";
    throw;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    auto t = create_task(outer);
    asyncio::sleep(0.01);
    t.cancel();
    try {
      await(t);
    } catch (const CancelledError&) {
      std::cout << "outer cancelled: " << (t.cancelled() ? "True" : "False") << "\n";
    }
    try {
      wait_for([] { return inner("never", 1); }, 0.0);
    } catch (const TimeoutError&) {
      std::cout << "timeout 0: TimeoutError\n";
    }
    auto done = get_running_loop().create_future<std::string>();
    done.set_result("ready");
    std::cout << wait_for(done, 0.0) << "\n";
  });
}
