// Rule: asyncio.run's shutdown cancels the leftover tasks first, then shutdown_asyncgens() closes
// each generator still suspended, in a task of its own (aclose() under gather), and an exception
// its cleanup raises goes to the exception handler as "an error occurred during closing of
// asynchronous generator ..." with the keys exception and asyncgen (base_events.py
// shutdown_asyncgens, runners.py Runner.close).
#include <cstdio>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

std::vector<asyncio::AsyncGenerator<int>> held;

void handler(asyncio::BaseEventLoop&, const asyncio::ExceptionContext& context) {
  bool has_asyncgen = false;
  for (const auto& [key, value] : context.extra) has_asyncgen = has_asyncgen || key == "asyncgen";
  std::printf("handler: %s: %s asyncgen key: %s\n", context.message.substr(0, context.message.find(" <")).c_str(),
              asyncio::exception_repr(context.exception).c_str(), has_asyncgen ? "True" : "False");
}

asyncio::AsyncGenerator<int> bad_cleanup() {
  return asyncio::AsyncGenerator<int>(
      [](auto& yield) {
        bool closing = false;
        try {
          yield(1);
          yield(2);
        } catch (const asyncio::GeneratorExit&) {
          closing = true;  // the finally block, below: C++ cannot throw from a destructor
        }
        if (closing) {
          std::printf("bad_cleanup finally in %s\n", asyncio::current_task()->get_name().c_str());
          throw asyncio::ValueError("cleanup failed");
        }
      },
      "bad_cleanup");
}

void leftover() {
  try {
    asyncio::sleep(10);
  } catch (const asyncio::CancelledError&) {
    std::printf("leftover cancelled\n");
    throw;
  }
}

void body() {
  auto& loop = asyncio::get_running_loop();
  loop.set_exception_handler(handler);
  loop.create_task(leftover);
  held.push_back(bad_cleanup());
  std::printf("anext -> %d\n", held.back().anext());
  asyncio::sleep(0);
  std::printf("main ends in %s\n", asyncio::current_task()->get_name().c_str());
}

}  // namespace

int main() {
  asyncio::run(body);
  std::printf("after run\n");
  held.clear();
}
