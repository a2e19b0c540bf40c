// Rule: shield() lets the task awaiting it be cancelled while the inner runs on; cancelling the
// inner cancels the shield; an inner already done is returned as is (8.5).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

std::string job(std::string name, double delay) {
  asyncio::sleep(delay);
  std::cout << name << " finished anyway\n";
  return name;
}

std::string waiter(Future<std::string> fut) {
  try {
    return await(fut);
  } catch (const CancelledError&) {
    std::cout << "waiter cancelled\n";
    throw;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    auto inner = create_task(job, "inner", 0.05);
    auto outer = shield(inner);
    auto w = create_task(waiter, outer);
    asyncio::sleep(0.01);
    w.cancel();
    asyncio::sleep(0);
    asyncio::sleep(0);
    std::cout << "outer cancelled: " << py(outer.cancelled()) << " inner cancelled: " << py(inner.cancelled()) << "\n";
    const std::string result = await(inner);
    std::cout << "inner result: " << result << "\n";
    auto inner2 = create_task(job, "inner2", 10.0);
    auto outer2 = shield(inner2);
    asyncio::sleep(0);
    inner2.cancel();
    try {
      await(outer2);
    } catch (const CancelledError&) {
      std::cout << "outer2 cancelled: " << py(outer2.cancelled()) << "\n";
    }
    std::cout << "shield of a done future is it: " << py(shield(inner) == inner) << "\n";
  });
}
