// Rule: cancelling a gather cancels its children; the gather is not cancelled() but finishes with
// CancelledError (18.8). A child already done stays done; the awaiting task sees CancelledError.
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

std::string child(std::string name, double delay) {
  try {
    asyncio::sleep(delay);
    std::cout << name << " done\n";
  } catch (const CancelledError&) {
    std::cout << name << " cancelled\n" << name << " finally\n";
    throw;
  }
  std::cout << name << " finally\n";
  return name;
}
}  // namespace

int main() {
  asyncio::run([] {
    auto a = create_task(child, "a", 0.2);
    auto b = create_task(child, "b", 0.1);
    auto quick = create_task(child, "quick", 0.01);
    auto g = gather(a, b, quick);
    asyncio::sleep(0.05);
    std::cout << "cancel: " << py(g.cancel()) << "\n";
    std::cout << "cancel again: " << py(g.cancel()) << "\n";
    try {
      await(g);
    } catch (const CancelledError&) {
      std::cout << "gather raised " << exception_repr(std::current_exception()) << "\n";
    }
    std::cout << "g.cancelled: " << py(g.cancelled()) << " done: " << py(g.done()) << "\n";
    std::cout << "a: " << py(a.cancelled()) << " b: " << py(b.cancelled()) << " quick: " << py(quick.cancelled())
              << "\n";
    std::cout << "cancel after done: " << py(g.cancel()) << "\n";
  });
}
