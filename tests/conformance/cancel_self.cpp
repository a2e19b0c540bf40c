// Rule: a task that cancels itself and then returns ends cancelled: its return value is discarded
// and the stored message is used (CPYTHON-RULES 6.2 step 5, 18.6).
#include <cstdio>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

const char* py_bool(bool b) { return b ? "True" : "False"; }

std::string quitter() {
  auto me = asyncio::current_task();
  std::printf("quitter cancels itself: %s\n", py_bool(me->cancel("changed my mind")));
  std::puts("quitter goes on and returns a value");
  return "discarded";
}

void main_() {
  auto task = asyncio::create_task(quitter);
  try {
    std::printf("await returned %s\n", asyncio::await(task).c_str());
  } catch (const asyncio::CancelledError&) {
    const auto e = std::current_exception();
    std::printf("main caught %s: %s\n", asyncio::exception_name(e).c_str(), asyncio::exception_repr(e).c_str());
  }
  std::printf("cancelled: %s cancelling: %d\n", py_bool(task.cancelled()), task.cancelling());
}

}  // namespace

int main() { asyncio::run(main_); }
