// Rule: wait() with a timeout returns (done, pending) when the time is up: no TimeoutError,
// nothing cancelled; FIRST_EXCEPTION returns at the first failure, not at a cancellation; an
// empty set is a ValueError (8.2).
#include <algorithm>
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

std::string worker(std::string name, double delay, bool fail = false) {
  asyncio::sleep(delay);
  if (fail) throw ValueError(name);
  return name;
}

template <class V, class T>
bool in(const V& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

int main() {
  asyncio::run([] {
    auto fast = create_task(worker, "fast", 0.01, false);
    auto slow = create_task(worker, "slow", 10.0, false);
    auto [done, pending] = wait(std::vector{fast, slow}, 0.1);
    std::cout << "timeout: fast done " << py(in(done, fast)) << " slow pending " << py(in(pending, slow))
              << " slow cancelled " << py(slow.cancelled()) << "\n";
    slow.cancel();
    auto bad = create_task(worker, "bad", 0.05, true);
    auto other = create_task(worker, "other", 5.0, false);
    auto [done2, pending2] = wait(std::vector{slow, bad, other}, std::nullopt, FIRST_EXCEPTION);
    std::cout << "first exception: bad done " << py(in(done2, bad)) << " slow done " << py(in(done2, slow))
              << " other pending " << py(in(pending2, other)) << "\n";
    std::cout << "bad exception: " << exception_repr(bad.exception()) << "\n";
    other.cancel();
    try {
      wait(std::vector<Task<std::string>>{});
    } catch (const ValueError&) {
      std::cout << "empty: " << exception_repr(std::current_exception()) << "\n";
    }
  });
}
