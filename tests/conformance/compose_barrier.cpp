// Rule: Barrier(n).wait() returns when n tasks wait, each with its arrival index, all released
// together; abort() makes waiting and later wait() calls raise BrokenBarrierError (10).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

void party(Barrier& barrier, std::string name) {
  std::cout << name << " arrives, n_waiting: " << barrier.n_waiting() << "\n";
  const long index = barrier.wait();
  std::cout << name << " passes with index " << index << "\n";
}

void lonely(Barrier& barrier) {
  try {
    barrier.wait();
  } catch (const BrokenBarrierError&) {
    std::cout << "lonely: " << exception_repr(std::current_exception()) << "\n";
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    Barrier barrier(3);
    await(gather([&] { party(barrier, "p1"); }, [&] { party(barrier, "p2"); }, [&] { party(barrier, "p3"); }));
    std::cout << "after one round: n_waiting " << barrier.n_waiting() << " broken " << py(barrier.broken()) << "\n";
    auto t = create_task(lonely, std::ref(barrier));
    asyncio::sleep(0);
    barrier.abort();
    await(t);
    try {
      barrier.wait();
    } catch (const BrokenBarrierError&) {
      std::cout << "later wait: " << exception_repr(std::current_exception()) << " broken " << py(barrier.broken())
                << "\n";
    }
    try {
      Barrier bad(0);
    } catch (const ValueError&) {
      std::cout << exception_repr(std::current_exception()) << "\n";
    }
  });
}
