// Rule: cancel() after the awaited future resolved but before the task's wakeup ran discards the
// result: the wakeup throws CancelledError instead (CPYTHON-RULES 6.3, 18.6).
#include <cstdio>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

const char* py_bool(bool b) { return b ? "True" : "False"; }

void print_caught(const char* who) {
  const auto e = std::current_exception();
  std::printf("%s caught %s: %s\n", who, asyncio::exception_name(e).c_str(), asyncio::exception_repr(e).c_str());
}

void waiter(asyncio::Future<std::string> fut) {
  try {
    std::string value = asyncio::await(fut);
    std::printf("waiter got %s (never printed)\n", value.c_str());
  } catch (const asyncio::CancelledError&) {
    print_caught("waiter");
    throw;
  }
}

void main_() {
  auto& loop = asyncio::get_running_loop();
  auto fut = loop.create_future<std::string>();
  auto task = asyncio::create_task(waiter, fut);
  asyncio::sleep(0);
  fut.set_result("lost result");
  std::puts("future resolved; the wakeup is queued");
  std::printf("cancel: %s\n", py_bool(task.cancel("too late for the result")));
  std::printf("the future keeps its result: %s\n", fut.result().c_str());
  try {
    asyncio::await(task);
  } catch (const asyncio::CancelledError&) {
    print_caught("main");
  }
  std::printf("task cancelled: %s\n", py_bool(task.cancelled()));
}

}  // namespace

int main() { asyncio::run(main_); }
