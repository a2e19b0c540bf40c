// Rule: asyncio.timeout() cancels the task when the deadline passes inside a sleep and turns
// that CancelledError into TimeoutError at the end of the block; expired() reports it;
// reschedule() moves the deadline; a cancel from outside stays a CancelledError; the block's
// own finally runs before the TimeoutError is seen (9.2).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

void body() {
  BaseEventLoop& loop = get_running_loop();
  try {
    timeout(0.05, [&](Timeout& cm) {
      try {
        asyncio::sleep(10);
      } catch (...) {
        std::cout << "inside finally, expired: " << py(cm.expired()) << "\n";
        throw;
      }
    });
  } catch (const TimeoutError&) {
    std::cout << "TimeoutError, cancelling: " << current_task()->cancelling() << "\n";
  }
  Timeout cm(loop.time() + 10);
  async_with(cm, [&] {
    cm.reschedule(std::nullopt);
    std::cout << "when: " << (cm.when() ? "set" : "None") << "\n";
    asyncio::sleep(0.01);
  });
  std::cout << "not expired: " << py(cm.expired()) << " " << cm.repr() << "\n";
  Timeout cm2(loop.time() + 10);
  try {
    async_with(cm2, [&] {
      cm2.reschedule(loop.time() + 0.02);
      asyncio::sleep(1);
    });
  } catch (const TimeoutError&) {
    std::cout << "rescheduled deadline hit\n";
  }
  try {
    cm2.reschedule(1);
  } catch (const RuntimeError&) {
    std::cout << exception_repr(std::current_exception()) << "\n";
  }
  timeout_at(loop.time() - 1, [] {
    std::cout << "past deadline: body runs until the next await\n";
    try {
      asyncio::sleep(0);
    } catch (const CancelledError&) {
      std::cout << "cancelled at the first await\n";
      throw;
    }
  });
  std::cout << "never here\n";
}

void outer_cancel() { timeout(10, [] { asyncio::sleep(10); }); }
}  // namespace

int main() {
  asyncio::run([] {
    try {
      body();
    } catch (const TimeoutError&) {
      std::cout << "timeout_at raised TimeoutError\n";
    }
    auto t = create_task(outer_cancel);
    asyncio::sleep(0.01);
    t.cancel();
    try {
      await(t);
    } catch (const CancelledError&) {
      std::cout << "outside cancel stays CancelledError\n";
    }
  });
}
