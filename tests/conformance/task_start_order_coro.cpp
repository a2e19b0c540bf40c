// Coroutine twin of task_start_order.py (issue 16): the same rule with stackless tasks.
// Rule: a new task's first step is queued with call_soon: it starts in a later pass, behind
// whatever was queued before it, in creation order.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Coro<void> worker(std::string name) {
  std::printf("%s starts\n", name.c_str());
  co_await asyncio::sleep_async(0);
  std::printf("%s resumes\n", name.c_str());
}

void plain_callback() { std::puts("callback queued between the tasks"); }

asyncio::Coro<void> main_() {
  auto& loop = asyncio::get_running_loop();
  std::puts("main creates w1");
  asyncio::create_task(worker("w1"));
  loop.call_soon(plain_callback, "plain_callback");
  std::puts("main creates w2 and w3");
  auto t2 = asyncio::create_task(worker("w2"));
  asyncio::create_task(worker("w3"));
  std::printf("main still running; w2 done: %s\n", t2.done() ? "True" : "False");
  co_await asyncio::sleep_async(0);
  std::puts("main after its first sleep(0)");
  co_await asyncio::sleep_async(0);
  std::puts("main after its second sleep(0)");
}

}  // namespace

int main() { asyncio::run(main_()); }
