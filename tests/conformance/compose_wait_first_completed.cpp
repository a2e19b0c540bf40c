// Rule: wait(FIRST_COMPLETED) wakes two passes after the first member finishes (member done in
// pass M, _on_completion in M+1, caller resumes in M+2); it never cancels the rest (8.2).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

void ticker(int n) {
  for (int i = 0; i < n; ++i) {
    std::cout << "tick " << i << "\n";
    asyncio::sleep(0);
  }
}

std::string worker(std::string name, int ticks) {
  for (int i = 0; i < ticks; ++i) asyncio::sleep(0);
  std::cout << name << " finishes\n";
  return name;
}
}  // namespace

int main() {
  asyncio::run([] {
    auto tick = create_task(ticker, 8);
    auto a = create_task(worker, "a", 1);
    auto b = create_task(worker, "b", 5);
    auto [done, pending] = wait(std::vector{a, b}, std::nullopt, FIRST_COMPLETED);
    std::cout << "woke: done [" << py(done.at(0) == a) << "] pending " << pending.size()
              << " b cancelled: " << py(b.cancelled()) << "\n";
    auto [done2, pending2] = wait(std::vector{a, b});
    std::cout << "all: done " << done2.size() << " pending " << pending2.size() << "\n";
    await(tick);
  });
}
