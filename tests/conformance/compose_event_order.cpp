// Rule: Event.set() wakes every waiter in wait order, all in the next pass; wait() on a set event
// returns at once without yielding; clear() does not un-wake waiters already woken (10).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
void waiter(Event& ev, std::string name) {
  std::cout << name << " waits\n";
  ev.wait();
  std::cout << name << " woke, is_set: " << (ev.is_set() ? "True" : "False") << "\n";
}
}  // namespace

int main() {
  asyncio::run([] {
    Event ev;
    std::vector<Task<void>> ts;
    for (const char* n : {"w1", "w2", "w3"}) ts.push_back(create_task(waiter, std::ref(ev), n));
    asyncio::sleep(0);
    ev.set();
    ev.clear();
    std::cout << "set then cleared\n";
    await(gather(ts));
    ev.set();
    const bool got = ev.wait();
    std::cout << "wait on set event: " << (got ? "True" : "False") << " (no yield)\n";
  });
}
