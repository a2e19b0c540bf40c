// composing_answers: chapter 9's exercises. The argument picks one: `south-succeeds` (1: round 2 of
// examples/10_fanout_taskgroup.cpp with a price for "south"), `rail-1` (2: the kitchen of
// examples/09_producer_consumer.cpp with a rail of maxsize 1) or `gather` (3: round 2 with gather
// instead of the TaskGroup). Quoted in docs/answers/09.md.
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

constexpr double STEP = 0.02;
struct Shop {
  std::string name;
  int delay;
  std::optional<int> price;
};

int ask(Shop shop) {
  asyncio::sleep(shop.delay * STEP);
  if (!shop.price) throw asyncio::LookupError(shop.name + " has no stock");
  std::printf("  %s answers %d\n", shop.name.c_str(), *shop.price);
  return *shop.price;
}

// Exercises 1 and 3: round 2, with a TaskGroup or with gather.
void round_2(bool south_has_stock, bool use_gather) {
  const std::vector<Shop> shops = {
      {"north", 3, 12}, {"south", 1, south_has_stock ? std::optional<int>(9) : std::nullopt}, {"east", 2, 11}};
  std::printf("round 2\n");
  std::vector<asyncio::Task<int>> tasks;
  try {
    if (use_gather) {
      for (const Shop& shop : shops) tasks.push_back(asyncio::create_task(asyncio::TaskOptions{shop.name}, ask, shop));
      asyncio::await(asyncio::gather(tasks));  // exercise 3: the first exception comes out, the others run on
    } else {
      asyncio::task_group([&](asyncio::TaskGroup& tg) {
        for (const Shop& shop : shops) tasks.push_back(tg.create_task(asyncio::TaskOptions{shop.name}, ask, shop));
      });
    }
    std::printf("  all answered\n");
  } catch (const asyncio::ExceptionGroup& eg) {
    std::printf("  failed: %s\n", asyncio::exception_str(eg.exceptions().front()).c_str());
  } catch (const asyncio::LookupError& e) {
    std::printf("  failed: %s\n", e.what());
  }
  asyncio::await(asyncio::gather(asyncio::return_exceptions, tasks));  // let every shop end first
  for (auto& t : tasks) {
    std::printf("  %s: %s\n", t.get_name().c_str(), t.cancelled() ? "cancelled" : t.exception() ? "raised" : "answered");
  }
}

// Exercise 2: the kitchen, with room for one ticket on the rail.
using Ticket = std::pair<std::string, int>;
void cook(std::string name, asyncio::Queue<Ticket>& rail) {
  while (true) {
    auto [dish, minutes] = rail.get();
    std::printf("%s: cooks %s\n", name.c_str(), dish.c_str());
    asyncio::sleep(minutes * STEP);
    std::printf("%s: %s served\n", name.c_str(), dish.c_str());
    rail.task_done();
  }
}

void kitchen() {
  asyncio::Queue<Ticket> rail(1);  // exercise 2: maxsize 1
  std::vector<asyncio::Task<void>> cooks;
  for (const char* name : {"ana", "ben"})
    cooks.push_back(asyncio::create_task(asyncio::TaskOptions{name}, cook, name, std::ref(rail)));
  for (const Ticket& t : std::vector<Ticket>{{"soup", 3}, {"salad", 1}, {"steak", 8}, {"pie", 2}, {"tea", 1}}) {
    if (rail.full()) std::printf("waiter: rail full, waits to hang %s\n", t.first.c_str());
    rail.put(t);
    std::printf("waiter: hung %s\n", t.first.c_str());
  }
  rail.join();
  for (auto& c : cooks) c.cancel();
  asyncio::await(asyncio::gather(asyncio::return_exceptions, cooks));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "gather";
  asyncio::run([mode] {
    if (mode == "rail-1") {
      kitchen();
    } else {
      round_2(mode == "south-succeeds", mode == "gather");
    }
  });
}
