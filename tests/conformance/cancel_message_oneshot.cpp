// Rule: a cancelled task hands its saved CancelledError (with the message) to the first consumer
// only; a cancelled plain future rebuilds CancelledError(msg) every time (CPYTHON-RULES 5, 18.7).
#include <cstdio>
#include <exception>
#include <functional>

#include "asyncio/asyncio.hpp"

namespace {

const char* py_bool(bool b) { return b ? "True" : "False"; }

void show(const char* label, const std::function<void()>& call) {
  try {
    call();
  } catch (const asyncio::CancelledError&) {
    const auto e = std::current_exception();
    std::printf("%s: %s %s\n", label, asyncio::exception_name(e).c_str(), asyncio::exception_repr(e).c_str());
  }
}

void sleeper() { asyncio::sleep(10); }

void main_() {
  auto& loop = asyncio::get_running_loop();
  auto fut = loop.create_future<void>();
  fut.cancel("future message");
  show("future result() 1", [&] { fut.result(); });
  show("future result() 2", [&] { fut.result(); });
  show("future exception()", [&] { fut.exception(); });

  auto task = asyncio::create_task(sleeper);
  asyncio::sleep(0);
  task.cancel("task message");
  asyncio::sleep(0);
  asyncio::sleep(0);
  std::printf("task done: %s cancelled: %s\n", py_bool(task.done()), py_bool(task.cancelled()));
  show("task result() 1", [&] { task.result(); });
  show("task result() 2", [&] { task.result(); });
  show("task exception()", [&] { task.exception(); });
}

}  // namespace

int main() { asyncio::run(main_); }
