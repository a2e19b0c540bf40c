// Rule: a task may catch CancelledError and go on: it ends normally, cancelled() is False, and
// cancelling() stays 1 until uncancel() (CPYTHON-RULES 6.3, 18.6).
#include <cstdio>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

const char* py_bool(bool b) { return b ? "True" : "False"; }

std::string stubborn() {
  try {
    asyncio::sleep(10);
  } catch (const asyncio::CancelledError&) {
    auto me = asyncio::current_task();
    std::printf("stubborn caught %s; cancelling() = %d\n", asyncio::exception_repr(std::current_exception()).c_str(),
                me->cancelling());
  }
  asyncio::sleep(0);
  auto me = asyncio::current_task();
  std::printf("stubborn still running; cancelling() = %d\n", me->cancelling());
  std::printf("uncancel() returns %d\n", me->uncancel());
  std::printf("uncancel() again returns %d\n", me->uncancel());
  return "finished anyway";
}

void main_() {
  auto task = asyncio::create_task(stubborn);
  asyncio::sleep(0);
  task.cancel();
  std::string result = asyncio::await(task);
  std::printf("result: %s\n", result.c_str());
  std::printf("cancelled: %s cancelling: %d\n", py_bool(task.cancelled()), task.cancelling());
}

}  // namespace

int main() { asyncio::run(main_); }
