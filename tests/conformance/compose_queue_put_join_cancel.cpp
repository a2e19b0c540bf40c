// Rule: a putter cancelled while it waits on a full queue just leaves; one woken by get_nowait()
// and then cancelled before it runs passes the wake-up on to the next putter; a task cancelled
// in join() leaves while the other joiners still wake when the last task_done() comes (10).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

void putter(Queue<std::string>& q, std::string item) {
  try {
    q.put(item);
    std::cout << "put " << item << "\n";
  } catch (const CancelledError&) {
    std::cout << "putter " << item << " cancelled, qsize " << q.qsize() << "\n";
    throw;
  }
}

void joiner(Queue<std::string>& q, std::string name) {
  try {
    q.join();
    std::cout << name << " joined\n";
  } catch (const CancelledError&) {
    std::cout << name << " cancelled in join\n";
    throw;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    Queue<std::string> q(1);
    q.put_nowait("x");
    auto p1 = create_task(putter, std::ref(q), "p1");
    auto p2 = create_task(putter, std::ref(q), "p2");
    auto p3 = create_task(putter, std::ref(q), "p3");
    asyncio::sleep(0);
    p1.cancel();  // still queued: it just leaves
    asyncio::sleep(0);
    std::cout << "took " << q.get_nowait() << "\n";  // wakes p2 ...
    p2.cancel();  // ... cancelled before it runs: p3 is woken instead
    await(gather(return_exceptions, p1, p2, p3));
    std::cout << "qsize " << q.qsize() << " cancelled: " << py(p1.cancelled()) << " " << py(p2.cancelled()) << " "
              << py(p3.cancelled()) << "\n";
    auto j1 = create_task(joiner, std::ref(q), "j1");
    auto j2 = create_task(joiner, std::ref(q), "j2");
    asyncio::sleep(0);
    j1.cancel();
    await(gather(return_exceptions, j1));
    std::cout << "took " << q.get_nowait() << "\n";
    q.task_done();
    asyncio::sleep(0);
    std::cout << "j2 done after one task_done: " << py(j2.done()) << "\n";
    q.task_done();
    await(j2);
    std::cout << "j1 cancelled: " << py(j1.cancelled()) << " j2 cancelled: " << py(j2.cancelled()) << "\n";
  });
}
