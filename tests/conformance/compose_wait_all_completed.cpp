// Rule: wait(ALL_COMPLETED), the default, returns only when every future is done: a failure does
// not end it early and a cancelled member counts as done; the failure stays in its future
// (nothing is raised), and done lists them all (8.2).
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

std::string worker(std::string name, double delay, bool fail = false) {
  asyncio::sleep(delay);
  if (fail) throw ValueError(name);
  std::cout << name << " finished\n";
  return name;
}

template <class V, class T>
bool in(const V& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

int main() {
  asyncio::run([] {
    auto bad = create_task(worker, "bad", 0.01, true);
    auto slow = create_task(worker, "slow", 0.03, false);
    auto [done, pending] = wait(std::vector{bad, slow}, std::nullopt, ALL_COMPLETED);
    std::cout << "done " << done.size() << " pending " << pending.size() << " bad done " << py(in(done, bad))
              << " slow done " << py(in(done, slow)) << "\n";
    std::cout << "bad exception: " << exception_repr(bad.exception()) << " slow result: " << slow.result() << "\n";
    auto victim = create_task(worker, "victim", 10.0, false);
    auto quick = create_task(worker, "quick", 0.01, false);
    auto canceller = create_task([victim]() mutable {
      asyncio::sleep(0.02);
      victim.cancel();
    });
    auto [done2, pending2] = wait(std::vector{victim, quick});  // the default return_when
    std::cout << "done " << done2.size() << " pending " << pending2.size() << " victim cancelled "
              << py(victim.cancelled()) << " in done " << py(in(done2, victim)) << "\n";
    await(canceller);
  });
}
