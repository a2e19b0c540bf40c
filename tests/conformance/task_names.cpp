// Rule: every unnamed task takes the next Task-N; asyncio.create_task(name=) still consumes a number,
// loop.create_task(name=) does not (CPYTHON-RULES 6.1); asyncio.run's shutdown takes two numbers.
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

void noop() {}

void main_() {
  auto& loop = asyncio::get_running_loop();
  std::printf("main is %s\n", asyncio::current_task()->get_name().c_str());
  auto a = asyncio::create_task(noop);
  auto b = asyncio::create_task(asyncio::TaskOptions{"named-by-asyncio"}, noop);
  auto c = loop.create_task(asyncio::TaskOptions{"named-by-loop"}, noop);
  auto d = loop.create_task(noop);
  auto e = asyncio::create_task(noop);
  for (const auto& task : {a, b, c, d, e}) std::puts(task.get_name().c_str());
  e.set_name("renamed");
  std::printf("after set_name: %s\n", e.get_name().c_str());
  asyncio::sleep(0);
}

void second_main() {
  // asyncio.run's shutdown ran two more tasks (shutdown_asyncgens, shutdown_default_executor).
  std::printf("second run's main is %s\n", asyncio::current_task()->get_name().c_str());
}

}  // namespace

int main() {
  asyncio::run(main_);
  asyncio::run(second_main);
}
