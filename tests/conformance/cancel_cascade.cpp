// Rule: cancelling a task that awaits another task cancels the inner one at once; the inner sees
// CancelledError next pass, the outer one pass later, with the same message (CPYTHON-RULES 6.3).
#include <cstdio>
#include <exception>

#include "asyncio/asyncio.hpp"

namespace {

int passes = 0;

void ticker() {
  passes += 1;
  if (passes < 6) asyncio::get_running_loop().call_soon(ticker, "ticker");
}

void print_caught(const char* who) {
  std::printf("pass %d: %s caught %s\n", passes, who, asyncio::exception_repr(std::current_exception()).c_str());
}

void inner() {
  try {
    asyncio::sleep(10);
  } catch (const asyncio::CancelledError&) {
    print_caught("inner");
    throw;
  }
}

void outer(asyncio::Task<void> task) {
  try {
    asyncio::await(task);
  } catch (const asyncio::CancelledError&) {
    print_caught("outer");
    throw;
  }
}

void main_() {
  asyncio::get_running_loop().call_soon(ticker, "ticker");
  auto a = asyncio::create_task(inner);
  auto b = asyncio::create_task(outer, a);
  asyncio::sleep(0);
  std::printf("pass %d: main cancels outer\n", passes);
  b.cancel("from main");
  std::printf("cancelling: %d %d\n", a.cancelling(), b.cancelling());
  for (const auto& task : {a, b}) {
    try {
      asyncio::await(task);
    } catch (const asyncio::CancelledError&) {
      std::printf("pass %d: main sees %s cancelled: %s\n", passes, task.get_name().c_str(),
                  asyncio::exception_repr(std::current_exception()).c_str());
    }
  }
}

}  // namespace

int main() { asyncio::run(main_); }
