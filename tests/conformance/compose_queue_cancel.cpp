// Rule: a getter cancelled while waiting leaves the queue; one woken and then cancelled passes
// the wake-up on; a woken getter re-checks, so a task that calls get() first takes the item (a
// wake-up is a hint, not a hand-over). put_nowait/get_nowait raise QueueFull/QueueEmpty (10).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
void getter(Queue<std::string>& q, std::string name) {
  try {
    const std::string item = q.get();
    std::cout << name << " got " << item << "\n";
  } catch (const CancelledError&) {
    std::cout << name << " cancelled\n";
    throw;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    Queue<std::string> q(2);
    auto g1 = create_task(getter, std::ref(q), "g1");
    auto g2 = create_task(getter, std::ref(q), "g2");
    asyncio::sleep(0);
    q.put_nowait("first");
    g1.cancel();
    await(gather(return_exceptions, g1, g2));
    auto g3 = create_task(getter, std::ref(q), "g3");
    asyncio::sleep(0);
    q.put_nowait("second");
    std::cout << "main took " << q.get_nowait() << "\n";
    asyncio::sleep(0);
    q.put_nowait("third");
    await(g3);
    q.put_nowait("1");
    q.put_nowait("2");
    try {
      q.put_nowait("3");
    } catch (const QueueFull&) {
      std::cout << "QueueFull " << exception_repr(std::current_exception()) << "\n";
    }
    q.get_nowait();
    q.get_nowait();
    try {
      q.get_nowait();
    } catch (const QueueEmpty&) {
      std::cout << "QueueEmpty " << exception_repr(std::current_exception()) << "\n";
    }
    for (int i = 0; i < 5; ++i) q.task_done();
    try {
      q.task_done();
    } catch (const ValueError&) {
      std::cout << exception_repr(std::current_exception()) << "\n";
    }
  });
}
