// Rule: a leftover task that answers asyncio.run's cancellation with another exception is reported
// to the exception handler as "unhandled exception during asyncio.run() shutdown" (CPYTHON-RULES 12, 13).
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

void handler(asyncio::BaseEventLoop&, const asyncio::ExceptionContext& context) {
  std::printf("handler: %s: %s from %s\n", context.message.c_str(), asyncio::exception_repr(context.exception).c_str(),
              context.task->get_name().c_str());
}

void grumpy() {
  try {
    asyncio::sleep(10);
  } catch (const asyncio::CancelledError&) {
    std::puts("grumpy turns the cancellation into a RuntimeError");
    throw asyncio::RuntimeError("refusing to stop");
  }
}

void main_() {
  asyncio::get_running_loop().set_exception_handler(handler);
  asyncio::create_task(grumpy);
  asyncio::sleep(0);
  std::puts("main returns");
}

}  // namespace

int main() {
  asyncio::run(main_);
  std::puts("asyncio.run returned normally");
}
