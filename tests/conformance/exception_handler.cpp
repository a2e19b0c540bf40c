// Rule: an exception in a callback goes to the loop's exception handler and the loop goes on; a future or
// task whose exception nobody retrieved is reported when it is destroyed (CPYTHON-RULES 3.2, 5, 13).
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;

void handler(asyncio::BaseEventLoop&, const asyncio::ExceptionContext& context) {
  // CPython appends " at FILE:LINE" to a callback's description; that location is Python-only.
  const std::string message = context.message.substr(0, context.message.find(" at "));
  std::printf("handler: %s: %s\n", message.c_str(), asyncio::exception_repr(context.exception).c_str());
}

void bad() {
  std::puts("bad raises");
  throw asyncio::ZeroDivisionError("division by zero");
}

void good() { std::puts("good runs after bad"); }

void make_and_drop() {
  {
    auto fut = loop->create_future<void>();
    fut.set_exception(asyncio::KeyError("nobody reads this"));
    std::puts("dropping a future with an exception");
  }  // the last reference goes here: del fut
  std::puts("dropped");
}

void raiser() {
  std::puts("raiser raises; nobody keeps its task");
  throw asyncio::LookupError("task error");
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  loop->set_exception_handler(handler);
  loop->call_soon(bad, "bad");
  loop->call_soon(good, "good");
  loop->call_soon(make_and_drop, "make_and_drop");
  loop->create_task(raiser);
  loop->call_soon(good, "good");
  loop->call_soon([] { loop->stop(); }, "stop");
  loop->run_forever();
  loop->close();
  loop.reset();
}
