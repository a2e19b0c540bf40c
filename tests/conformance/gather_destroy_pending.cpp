// Rule: gather marks the tasks it creates from coroutines "do not log destroyed-but-pending", so a
// loop closed with such a child still pending reports nothing for it; a task the user created and
// passed to gather is reported when it is dropped (tasks.py gather, _log_destroy_pending).
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

void handler(asyncio::BaseEventLoop&, const asyncio::ExceptionContext& context) {
  std::printf("handler: %s name=%s\n", context.message.c_str(), context.task->get_name().c_str());
}

void child(double delay) { asyncio::sleep(delay); }

void fail() {
  asyncio::sleep(0);
  throw asyncio::ValueError("boom");
}

}  // namespace

int main() {
  auto loop = asyncio::new_event_loop();
  asyncio::set_event_loop(loop);
  loop->set_exception_handler(handler);
  auto mine = loop->create_task(asyncio::TaskOptions{"mine"}, child, 10.0);
  try {
    loop->run_until_complete(asyncio::gather(fail, [] { child(10); }, mine));
  } catch (const asyncio::ValueError&) {
    std::printf("run_until_complete raised %s\n", asyncio::exception_repr(std::current_exception()).c_str());
  }
  mine = {};
  loop->close();
  asyncio::set_event_loop(nullptr);
  loop.reset();  // the last references go here: gc.collect()
  std::puts("end");
}
