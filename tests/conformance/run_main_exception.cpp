// Rule: an exception raised by asyncio.run's main task propagates out of asyncio.run, after the
// shutdown has cancelled the leftover tasks and closed the loop (CPYTHON-RULES 12, 2.5).
#include <cstdio>
#include <exception>

#include "asyncio/asyncio.hpp"

namespace {

void helper() {
  struct Finally {
    ~Finally() { std::puts("helper finally (cancelled during shutdown)"); }
  } finally;
  asyncio::sleep(10);
}

void main_() {
  asyncio::create_task(helper);
  asyncio::sleep(0);
  std::puts("main raises");
  throw asyncio::ValueError("main failed");
}

}  // namespace

int main() {
  try {
    asyncio::run(main_);
  } catch (const asyncio::ValueError&) {
    const auto e = std::current_exception();
    std::printf("asyncio.run raised %s: %s / %s\n", asyncio::exception_name(e).c_str(),
                asyncio::exception_str(e).c_str(), asyncio::exception_repr(e).c_str());
  }
  try {
    asyncio::run(main_);
  } catch (const asyncio::Exception&) {
    std::printf("again: %s\n", asyncio::exception_repr(std::current_exception()).c_str());
  }
}
