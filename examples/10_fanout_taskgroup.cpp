// 10_fanout_taskgroup: ask every shop for a price at once; a TaskGroup ends them together, a timeout bounds them.
// Builds on 09: adds TaskGroup (a failure cancels the siblings; errors come out as one ExceptionGroup) and timeout().
// Chapter: docs/09-composing-tasks.md · Python twin: examples/10_fanout_taskgroup.py
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

constexpr double STEP = 0.02;  // one unit of shop latency is 20 ms of real time
struct Shop {
  std::string name;
  int delay;
  std::optional<int> price;  // nullopt: no stock
};

int ask(Shop shop) {
  asyncio::sleep(shop.delay * STEP);
  if (!shop.price) throw asyncio::LookupError(shop.name + " has no stock");
  std::printf("  %s answers %d\n", shop.name.c_str(), *shop.price);
  return *shop.price;
}

void best_price(const char* round_name, const std::vector<Shop>& shops, int limit) {
  std::printf("%s\n", round_name);
  std::vector<asyncio::Task<int>> tasks;
  try {
    asyncio::timeout(limit * STEP, [&] {
      asyncio::task_group([&](asyncio::TaskGroup& tg) {
        for (const Shop& shop : shops) tasks.push_back(tg.create_task(asyncio::TaskOptions{shop.name}, ask, shop));
      });
    });
    int best = tasks.front().result();
    for (const auto& t : tasks) best = std::min(best, t.result());
    std::printf("  best: %d\n", best);
  } catch (const asyncio::ExceptionGroup& eg) {
    std::printf("  failed: %s\n", asyncio::exception_str(eg.exceptions().front()).c_str());
  } catch (const asyncio::TimeoutError&) {
    std::printf("  timed out\n");
  }
  const auto cancelled = std::count_if(tasks.begin(), tasks.end(), [](const auto& t) { return t.cancelled(); });
  std::printf("  cancelled: %d of %zu\n", static_cast<int>(cancelled), tasks.size());
}

}  // namespace

int main() {
  asyncio::run([] {
    best_price("round 1: all answer", {{"north", 3, 12}, {"south", 1, 9}, {"east", 2, 11}}, 10);
    best_price("round 2: one fails", {{"north", 3, 12}, {"south", 1, std::nullopt}, {"east", 2, 11}}, 10);
    best_price("round 3: too slow", {{"north", 30, 12}, {"south", 1, 9}, {"east", 2, 11}}, 10);
  });
}
