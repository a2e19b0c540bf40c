// Coroutine twin of cancel_before_start.py (issue 16): the same rule with stackless tasks.
// Rule: a coroutine task cancelled before its first step never runs its body (no destructor of
// its locals runs either: they were never constructed); cancel() counts requests.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

const char* py_bool(bool b) { return b ? "True" : "False"; }

asyncio::Coro<void> body(std::string name) {
  struct Finally {
    std::string name;
    ~Finally() { std::printf("%s finally (never printed)\n", name.c_str()); }
  } finally{name};
  std::printf("%s body runs (never printed)\n", name.c_str());
  co_return;
}

asyncio::Coro<void> main_() {
  auto once = asyncio::create_task(body("once"));
  auto twice = asyncio::create_task(body("twice"));
  std::printf("cancel once: %s\n", py_bool(once.cancel()));
  const bool first = twice.cancel();
  const bool second = twice.cancel();
  std::printf("cancel twice: %s %s\n", py_bool(first), py_bool(second));
  std::printf("cancelling: %d %d\n", once.cancelling(), twice.cancelling());
  std::printf("cancelled before any step: %s\n", py_bool(once.cancelled()));
  for (const auto& task : std::vector<asyncio::Task<void>>{once, twice}) {
    std::exception_ptr e;
    try {
      co_await task;
    } catch (const asyncio::CancelledError&) {
      e = std::current_exception();
    }
    if (e)
      std::printf("await %s: %s %s\n", task.get_name().c_str(), asyncio::exception_name(e).c_str(),
                  asyncio::exception_repr(e).c_str());
  }
  std::printf("cancelled: %s %s\n", py_bool(once.cancelled()), py_bool(twice.cancelled()));
  std::printf("cancelling after: %d %d\n", once.cancelling(), twice.cancelling());
  const bool again = once.cancel();
  std::printf("cancel a done task: %s %d\n", py_bool(again), once.cancelling());
}

}  // namespace

int main() { asyncio::run(main_()); }
