// Coroutine twin of cancel_while_awaiting.py (issue 16): the same rule with stackless tasks.
// Rule: cancelling a task that awaits a future cancels that future at once; the CancelledError,
// with the message, reaches the body at its next step (CPYTHON-RULES 6.3, 18.6).
#include <cstdio>
#include <exception>

#include "asyncio/asyncio.hpp"

namespace {

const char* py_bool(bool b) { return b ? "True" : "False"; }

void print_caught(const char* who) {
  const auto e = std::current_exception();
  std::printf("%s caught %s: %s\n", who, asyncio::exception_name(e).c_str(), asyncio::exception_repr(e).c_str());
}

asyncio::Coro<void> waiter(asyncio::Future<void> fut) {
  struct Finally {
    ~Finally() { std::puts("waiter finally"); }
  } finally;
  try {
    co_await fut;
  } catch (const asyncio::CancelledError&) {
    print_caught("waiter");
    throw;
  }
}

asyncio::Coro<void> main_() {
  auto& loop = asyncio::get_running_loop();
  auto fut = loop.create_future<void>();
  auto task = asyncio::create_task(waiter(fut));
  co_await asyncio::sleep_async(0);
  std::printf("cancel: %s\n", py_bool(task.cancel("stop now")));
  std::printf("the awaited future is cancelled at once: %s\n", py_bool(fut.cancelled()));
  std::printf("the task is not done yet: %s\n", py_bool(task.done()));
  try {
    co_await task;
  } catch (const asyncio::CancelledError&) {
    print_caught("main");
  }
  std::printf("task cancelled: %s\n", py_bool(task.cancelled()));
}

}  // namespace

int main() { asyncio::run(main_()); }
