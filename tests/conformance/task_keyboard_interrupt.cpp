// Rule: KeyboardInterrupt raised in a task is set as its exception and then propagates out of the
// loop (Task.__step, Handle._run); asyncio.run still cancels and finishes the main task first.
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

void child() {
  std::puts("child raises KeyboardInterrupt");
  throw asyncio::KeyboardInterrupt();
}

void on_done(asyncio::Future<void> fut) {
  std::printf("done callback sees %s\n", asyncio::exception_repr(fut.exception()).c_str());
}

void main_() {
  asyncio::Task<void> t = asyncio::create_task(child);
  t.add_done_callback(on_done, "on_done");
  try {
    asyncio::sleep(1);
  } catch (const asyncio::CancelledError&) {
    std::puts("main cancelled");
    std::puts("main finally");
    throw;
  }
  std::puts("main finally");
}

}  // namespace

int main() {
  try {
    asyncio::run(main_);
  } catch (const asyncio::KeyboardInterrupt&) {
    std::puts("KeyboardInterrupt out of asyncio.run");
  }
}
