// Coroutine twin of compose_queue_maxsize1.py (issue 16): the same rule with stackless tasks
// (co_await q.put_async(x) / q.get_async()).
#include <iostream>
#include <optional>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

Coro<void> producer(Queue<std::optional<int>>& q) {
  for (int i = 0; i < 4; ++i) {
    std::cout << "put " << i << " qsize " << q.qsize() << " full " << py(q.full()) << "\n";
    co_await q.put_async(i);
    std::cout << "put " << i << " done\n";
  }
  co_await q.put_async(std::nullopt);
}

Coro<void> consumer(Queue<std::optional<int>>& q) {
  while (true) {
    std::optional<int> item = co_await q.get_async();
    std::cout << "got " << (item ? std::to_string(*item) : "None") << "\n";
    q.task_done();
    if (!item) co_return;
  }
}

Coro<void> main_() {
  Queue<std::optional<int>> q(1);
  std::cout << "maxsize " << q.maxsize() << " empty " << py(q.empty()) << "\n";
  co_await gather(create_task(producer(q)), create_task(consumer(q)));
  co_await q.join_async();
  std::cout << "joined, empty " << py(q.empty()) << "\n";
}
}  // namespace

int main() { asyncio::run(main_()); }
