// Rule: with maxsize=1 a producer and a consumer interleave: put() waits while full, get() while
// empty, each woken by the other's get_nowait/put_nowait one pass later (10, rule 25's pattern).
#include <iostream>
#include <optional>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

void producer(Queue<std::optional<int>>& q) {
  for (int i = 0; i < 4; ++i) {
    std::cout << "put " << i << " qsize " << q.qsize() << " full " << py(q.full()) << "\n";
    q.put(i);
    std::cout << "put " << i << " done\n";
  }
  q.put(std::nullopt);
}

void consumer(Queue<std::optional<int>>& q) {
  while (true) {
    std::optional<int> item = q.get();
    std::cout << "got " << (item ? std::to_string(*item) : "None") << "\n";
    q.task_done();
    if (!item) return;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    Queue<std::optional<int>> q(1);
    std::cout << "maxsize " << q.maxsize() << " empty " << py(q.empty()) << "\n";
    await(gather([&] { producer(q); }, [&] { consumer(q); }));
    q.join();
    std::cout << "joined, empty " << py(q.empty()) << "\n";
  });
}
