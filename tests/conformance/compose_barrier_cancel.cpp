// Rule: a task cancelled while it waits at a Barrier leaves it: n_waiting goes down, the barrier
// is not broken, and the round needs another arrival. A task woken by the release but cancelled
// before it runs still re-takes the condition's lock, leaves with CancelledError, and the others
// pass (locks.Barrier.wait's finally, Condition.wait's re-acquire) (10).
#include <iostream>
#include <string>
#include <variant>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

void party(Barrier& barrier, std::string name) {
  std::cout << name << " arrives, n_waiting: " << barrier.n_waiting() << "\n";
  long index = 0;
  try {
    index = barrier.wait();
  } catch (const CancelledError&) {
    std::cout << name << " cancelled, n_waiting: " << barrier.n_waiting() << " broken: " << py(barrier.broken())
              << "\n";
    throw;
  }
  std::cout << name << " passes with index " << index << "\n";
}

// What Python prints for one slot of gather(..., return_exceptions=True) here: the exception's
// type name, or None for a party that passed.
std::string slot(const Outcome<void>& outcome) {
  if (outcome.index() == 0) return "None";
  const std::string repr = exception_repr(std::get<1>(outcome));
  return repr.substr(0, repr.find('('));
}
}  // namespace

int main() {
  asyncio::run([] {
    Barrier barrier(3);
    auto a = create_task(party, std::ref(barrier), "a");
    auto b = create_task(party, std::ref(barrier), "b");
    asyncio::sleep(0);
    std::cout << "two waiting: " << barrier.n_waiting() << "\n";
    a.cancel();  // cancelled while filling
    await(gather(return_exceptions, a));
    std::cout << "after cancel: n_waiting " << barrier.n_waiting() << " broken " << py(barrier.broken()) << "\n";
    auto c = create_task(party, std::ref(barrier), "c");
    asyncio::sleep(0);
    std::cout << "two waiting again: " << barrier.n_waiting() << "\n";
    auto d = create_task(party, std::ref(barrier), "d");
    asyncio::sleep(0);  // d releases the round; b and c are woken but have not run
    b.cancel();
    const auto results = await(gather(return_exceptions, b, c, d));
    std::cout << "b: " << slot(std::get<0>(results)) << " c: " << slot(std::get<1>(results))
              << " d: " << slot(std::get<2>(results)) << "\n";
    std::cout << "after the round: n_waiting " << barrier.n_waiting() << " broken " << py(barrier.broken()) << "\n";
    auto e = create_task(party, std::ref(barrier), "e");
    asyncio::sleep(0);
    std::cout << "next round waiting: " << barrier.n_waiting() << "\n";
    e.cancel();
    await(gather(return_exceptions, e));
    std::cout << "end: n_waiting " << barrier.n_waiting() << " broken " << py(barrier.broken())
              << " cancelled: " << py(a.cancelled()) << " " << py(b.cancelled()) << " " << py(e.cancelled()) << "\n";
  });
}
