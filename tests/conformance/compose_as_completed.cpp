// Rule: as_completed yields len(fs) awaitables that give results in completion order, each
// raising its future's exception; on timeout every remaining one raises TimeoutError and
// nothing is cancelled (8.4). Tasks are passed, so the start order is fixed.
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
std::string worker(std::string name, double delay, bool fail = false) {
  asyncio::sleep(delay);
  if (fail) throw ValueError(name);
  return name;
}
}  // namespace

int main() {
  asyncio::run([] {
    BaseEventLoop& loop = get_running_loop();
    std::vector ts{loop.create_task(worker, "c", 0.03, false), loop.create_task(worker, "a", 0.01, false),
                   loop.create_task(worker, "b", 0.02, true)};
    for (auto next_one : as_completed(ts)) {
      try {
        const std::string result = next_one();  // await first, then print
        std::cout << "got " << result << "\n";
      } catch (const ValueError&) {
        std::cout << "raised " << exception_repr(std::current_exception()) << "\n";
      }
    }
    auto slow = loop.create_task(worker, "slow", 10.0, false);
    auto quick = loop.create_task(worker, "quick", 0.01, false);
    for (auto next_one : as_completed(std::vector{slow, quick}, 0.05)) {
      try {
        const std::string result = next_one();  // await first, then print
        std::cout << "got " << result << "\n";
      } catch (const TimeoutError&) {
        std::cout << "TimeoutError; slow cancelled: " << (slow.cancelled() ? "True" : "False") << "\n";
      }
    }
    slow.cancel();
  });
}
