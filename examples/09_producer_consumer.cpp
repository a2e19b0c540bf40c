// 09_producer_consumer: a kitchen as a pipeline: one task takes orders, two cooks work a bounded queue.
// Builds on 08: adds Queue (maxsize = back-pressure), task_done()/join(), and cancelling idle workers.
// Chapter: docs/09-composing-tasks.md · Python twin: examples/09_producer_consumer.py
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

using Ticket = std::pair<std::string, int>;  // dish, minutes
const std::vector<Ticket> ORDERS = {{"soup", 3}, {"salad", 1}, {"steak", 8}, {"pie", 2}, {"tea", 1}};
constexpr double MINUTE = 0.02;  // one minute of kitchen time is 20 ms of real time

void waiter(asyncio::Queue<Ticket>& rail) {
  for (const auto& [dish, minutes] : ORDERS) {
    if (rail.full()) std::printf("waiter: rail full, waits to hang %s\n", dish.c_str());
    rail.put({dish, minutes});  // suspends while the rail holds maxsize tickets
    std::printf("waiter: hung %s\n", dish.c_str());
  }
  std::printf("waiter: all orders taken\n");
}

void cook(std::string name, asyncio::Queue<Ticket>& rail, std::vector<std::string>& served) {
  while (true) {
    auto [dish, minutes] = rail.get();  // suspends while the rail is empty
    std::printf("%s: cooks %s\n", name.c_str(), dish.c_str());
    asyncio::sleep(minutes * MINUTE);
    served.push_back(dish);
    std::printf("%s: %s served\n", name.c_str(), dish.c_str());
    rail.task_done();
  }
}

void kitchen() {
  asyncio::Queue<Ticket> rail(2);
  std::vector<std::string> served;
  std::vector<asyncio::Task<void>> cooks;
  for (const char* name : {"ana", "ben"})  // each cook's task is named after the cook: the trace shows [ana], [ben]
    cooks.push_back(asyncio::create_task(asyncio::TaskOptions{name}, cook, name, std::ref(rail), std::ref(served)));
  waiter(rail);
  rail.join();  // every ticket hung has been marked task_done()
  for (auto& c : cooks) c.cancel();  // idle cooks wait in get() forever: cancel them
  asyncio::await(asyncio::gather(asyncio::return_exceptions, cooks));
  std::string list;
  for (const auto& dish : served) list += (list.empty() ? "" : ", ") + dish;
  std::printf("served: %s\n", list.c_str());
}

}  // namespace

int main() { asyncio::run(kitchen); }
