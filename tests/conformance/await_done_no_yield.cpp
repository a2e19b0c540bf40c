// Rule: awaiting a future that is already done does not yield: the task goes on in the same step
// (CPYTHON-RULES 5 __await__, 18.3); awaiting a pending one suspends it until a later pass.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

void other(const std::string& word) { std::printf("  callback %s\n", word.c_str()); }

void main_() {
  auto& loop = asyncio::get_running_loop();
  auto done = loop.create_future<std::string>();
  done.set_result("ready");
  loop.call_soon(asyncio::named("other", other), "queued before the awaits");
  std::puts("await a done future");
  std::string value = asyncio::await(done);
  std::printf("got %s without yielding\n", value.c_str());
  value = asyncio::await(done);
  std::printf("got %s again, still in the same step\n", value.c_str());
  auto pending = loop.create_future<std::string>();
  loop.call_soon([pending] { pending.set_result("later"); }, "set_result");
  std::puts("await a pending future");
  value = asyncio::await(pending);
  std::printf("got %s after the callbacks ran\n", value.c_str());
}

}  // namespace

int main() { asyncio::run(main_); }
