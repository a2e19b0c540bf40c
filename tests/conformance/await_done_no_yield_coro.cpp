// Coroutine twin of await_done_no_yield.py (issue 16): the same rule with stackless tasks.
// Rule: co_await on a done future returns its result at once, without yielding; on a pending
// one it suspends until the future's callbacks have run.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

void other(const std::string& word) { std::printf("  callback %s\n", word.c_str()); }

asyncio::Coro<void> main_() {
  auto& loop = asyncio::get_running_loop();
  auto done = loop.create_future<std::string>();
  done.set_result("ready");
  loop.call_soon(asyncio::named("other", other), "queued before the awaits");
  std::puts("await a done future");
  std::string value = co_await done;
  std::printf("got %s without yielding\n", value.c_str());
  value = co_await done;
  std::printf("got %s again, still in the same step\n", value.c_str());
  auto pending = loop.create_future<std::string>();
  loop.call_soon([pending] { pending.set_result("later"); }, "set_result");
  std::puts("await a pending future");
  value = co_await pending;
  std::printf("got %s after the callbacks ran\n", value.c_str());
}

}  // namespace

int main() { asyncio::run(main_()); }
