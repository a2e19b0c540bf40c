// Rule: cancel() on a task queued after a bare yield (sleep(0)) raises at its next step; uncancel()
// does not withdraw a pending request; a cancelled awaited future passes its message (CPYTHON-RULES 6.3).
#include <cstdio>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

const char* py_bool(bool b) { return b ? "True" : "False"; }

std::string caught() { return asyncio::exception_repr(std::current_exception()); }

std::string yielder(std::string name) {
  try {
    asyncio::sleep(0);
    std::printf("%s after sleep(0) (never printed)\n", name.c_str());
  } catch (const asyncio::CancelledError&) {
    std::printf("%s caught %s at its next step\n", name.c_str(), caught().c_str());
    throw;
  }
  return "None";
}

std::string future_waiter(asyncio::Future<void> fut) {
  try {
    asyncio::await(fut);
  } catch (const asyncio::CancelledError&) {
    std::printf("future_waiter caught %s\n", caught().c_str());
  }
  return "swallowed";
}

void main_() {
  auto& loop = asyncio::get_running_loop();
  auto a = asyncio::create_task(yielder, "a");
  auto b = asyncio::create_task(yielder, "b");
  asyncio::sleep(0);
  std::printf("cancel a: %s\n", py_bool(a.cancel("at the yield")));
  const bool cancelled = b.cancel();
  const int left = b.uncancel();
  std::printf("cancel b then uncancel: %s %d cancelling: %d\n", py_bool(cancelled), left, b.cancelling());
  auto fut = loop.create_future<void>();
  auto c = asyncio::create_task(future_waiter, fut);
  asyncio::sleep(0);
  fut.cancel("the future's own message");
  for (const auto& task : {a, b, c}) {
    try {
      const std::string value = asyncio::await(task);
      std::printf("%s returned %s\n", task.get_name().c_str(), value.c_str());
    } catch (const asyncio::CancelledError&) {
      std::printf("%s cancelled: %s %s\n", task.get_name().c_str(), py_bool(task.cancelled()), caught().c_str());
    }
  }
}

}  // namespace

int main() { asyncio::run(main_); }
