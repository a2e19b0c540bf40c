// Rule: a callback queued by a callback runs in the next pass, never the current one
// (CPYTHON-RULES 2.4, 18.1): a chain of N callbacks takes N passes; a ticker counts them.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;
int passes = 0;

void ticker(int left) {
  passes += 1;
  std::printf("pass %d\n", passes);
  if (left > 1) {
    loop->call_soon(asyncio::named("ticker", ticker), left - 1);
  } else {
    loop->stop();
  }
}

void chain(const std::string& name, int step, int length) {
  std::printf("  %s step %d runs in pass %d\n", name.c_str(), step, passes);
  if (step < length) loop->call_soon(asyncio::named("chain", chain), name, step + 1, length);
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  loop->call_soon(asyncio::named("ticker", ticker), 5);
  loop->call_soon(asyncio::named("chain", chain), "a", 1, 3);
  loop->call_soon(asyncio::named("chain", chain), "b", 1, 2);
  loop->run_forever();
  std::printf("a chain of 3 took 3 passes; the loop ran %d passes\n", passes);
  loop->close();
  loop.reset();
}
