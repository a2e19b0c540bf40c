// Rule: awaiting a task that raised delivers its exception at the awaiter's wakeup, one pass after
// the task finished (CPYTHON-RULES 6.2 __wakeup); once retrieved it is not logged as never retrieved.
#include <cstdio>
#include <exception>

#include "asyncio/asyncio.hpp"

namespace {

const char* py_bool(bool b) { return b ? "True" : "False"; }

void failing() {
  std::puts("failing raises");
  throw asyncio::ValueError("bad input");
}

void main_() {
  auto task = asyncio::create_task(failing);
  try {
    asyncio::await(task);
  } catch (const asyncio::ValueError&) {
    const auto e = std::current_exception();
    std::printf("main caught %s: %s / %s\n", asyncio::exception_name(e).c_str(), asyncio::exception_str(e).c_str(),
                asyncio::exception_repr(e).c_str());
  }
  std::printf("done: %s cancelled: %s\n", py_bool(task.done()), py_bool(task.cancelled()));
  std::printf("exception(): %s\n", asyncio::exception_repr(task.exception()).c_str());
  try {
    task.result();
  } catch (const asyncio::ValueError&) {
    std::printf("result() raises it again: %s\n", asyncio::exception_repr(std::current_exception()).c_str());
  }
  asyncio::sleep(0);
  std::puts("the failed task is finished; awaiting it again raises at once");
  try {
    asyncio::await(task);
  } catch (const asyncio::ValueError&) {
    std::printf("again: %s\n", asyncio::exception_repr(std::current_exception()).c_str());
  }
}

}  // namespace

int main() { asyncio::run(main_); }
