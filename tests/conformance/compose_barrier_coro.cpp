// Coroutine twin of compose_barrier.py (issue 16): the same rule with stackless tasks
// (co_await barrier.wait_async() / abort_async()).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

Coro<void> party(Barrier& barrier, std::string name) {
  std::cout << name << " arrives, n_waiting: " << barrier.n_waiting() << "\n";
  const long index = co_await barrier.wait_async();
  std::cout << name << " passes with index " << index << "\n";
}

Coro<void> lonely(Barrier& barrier) {
  try {
    co_await barrier.wait_async();
  } catch (const BrokenBarrierError&) {
    std::cout << "lonely: " << exception_repr(std::current_exception()) << "\n";
  }
}

Coro<void> main_() {
  Barrier barrier(3);
  co_await gather(party(barrier, "p1"), party(barrier, "p2"), party(barrier, "p3"));
  std::cout << "after one round: n_waiting " << barrier.n_waiting() << " broken " << py(barrier.broken()) << "\n";
  auto t = create_task(lonely(barrier));
  co_await sleep_async(0);
  co_await barrier.abort_async();
  co_await t;
  try {
    co_await barrier.wait_async();
  } catch (const BrokenBarrierError&) {
    std::cout << "later wait: " << exception_repr(std::current_exception()) << " broken " << py(barrier.broken())
              << "\n";
  }
  try {
    Barrier bad(0);
  } catch (const ValueError&) {
    std::cout << exception_repr(std::current_exception()) << "\n";
  }
}
}  // namespace

int main() { asyncio::run(main_()); }
