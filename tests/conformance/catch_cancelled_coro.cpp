// Coroutine twin of catch_cancelled.py (issue 16): the same rule with stackless tasks.
// Rule: a body may catch CancelledError and go on; cancelling() counts the request until
// uncancel() takes it back.
#include <cstdio>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

const char* py_bool(bool b) { return b ? "True" : "False"; }

asyncio::Coro<std::string> stubborn() {
  try {
    co_await asyncio::sleep_async(10);
  } catch (const asyncio::CancelledError&) {
    auto me = asyncio::current_task();
    std::printf("stubborn caught %s; cancelling() = %d\n", asyncio::exception_repr(std::current_exception()).c_str(),
                me->cancelling());
  }
  co_await asyncio::sleep_async(0);
  auto me = asyncio::current_task();
  std::printf("stubborn still running; cancelling() = %d\n", me->cancelling());
  std::printf("uncancel() returns %d\n", me->uncancel());
  std::printf("uncancel() again returns %d\n", me->uncancel());
  co_return "finished anyway";
}

asyncio::Coro<void> main_() {
  auto task = asyncio::create_task(stubborn());
  co_await asyncio::sleep_async(0);
  task.cancel();
  std::string result = co_await task;
  std::printf("result: %s\n", result.c_str());
  std::printf("cancelled: %s cancelling: %d\n", py_bool(task.cancelled()), task.cancelling());
}

}  // namespace

int main() { asyncio::run(main_()); }
