// Rule: when wait_for times out it cancels the inner task and waits for it to finish, so the
// inner's except/finally output comes before the caller sees TimeoutError; an inner that
// swallows the cancellation gives its result instead (8.3).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
std::string inner(std::string name, double delay) {
  try {
    asyncio::sleep(delay);
  } catch (const CancelledError&) {
    std::cout << name << " cancelled\n" << name << " finally\n";
    throw;
  }
  std::cout << name << " finally\n";
  return name;
}

std::string stubborn() {
  try {
    asyncio::sleep(10);
  } catch (const CancelledError&) {
    std::cout << "stubborn swallows the cancel\n";
  }
  asyncio::sleep(0);
  return "stubborn result";
}
}  // namespace

int main() {
  asyncio::run([] {
    std::cout << wait_for([] { return inner("quick", 0.01); }, 1.0) << "\n";
    try {
      wait_for([] { return inner("slow", 10); }, 0.05);
    } catch (const TimeoutError&) {
      std::cout << "caller got " << exception_repr(std::current_exception()) << " is asyncio.TimeoutError: True\n";
    }
    std::cout << wait_for(stubborn, 0.05) << "\n";
    std::cout << wait_for([] { return inner("no timeout", 0.01); }, std::nullopt) << "\n";
  });
}
