// Coroutine twin of compose_wait_for_timeout.py (issue 16): the same rules with stackless tasks
// and co_await wait_for_async(coro, timeout).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
Coro<std::string> inner(std::string name, double delay) {
  try {
    co_await sleep_async(delay);
  } catch (const CancelledError&) {
    std::cout << name << " cancelled\n" << name << " finally\n";
    throw;
  }
  std::cout << name << " finally\n";
  co_return name;
}

Coro<std::string> stubborn() {
  try {
    co_await sleep_async(10);
  } catch (const CancelledError&) {
    std::cout << "stubborn swallows the cancel\n";
  }
  co_await sleep_async(0);
  co_return "stubborn result";
}

Coro<void> main_() {
  std::cout << co_await wait_for_async(inner("quick", 0.01), 1.0) << "\n";
  std::exception_ptr timed_out;
  try {
    co_await wait_for_async(inner("slow", 10), 0.05);
  } catch (const TimeoutError&) {
    timed_out = std::current_exception();
  }
  if (timed_out) std::cout << "caller got " << exception_repr(timed_out) << " is asyncio.TimeoutError: True\n";
  std::cout << co_await wait_for_async(stubborn(), 0.05) << "\n";
  std::cout << co_await wait_for_async(inner("no timeout", 0.01), std::nullopt) << "\n";
}
}  // namespace

int main() { asyncio::run(main_()); }
