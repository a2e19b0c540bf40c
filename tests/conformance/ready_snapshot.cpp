// Rule: step 4 runs only the callbacks that were ready when it began (CPYTHON-RULES 2.4, 18.1);
// what they queue, even ahead of callbacks still waiting in the same pass, waits for the next pass.
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;
int passes = 0;

void tick() {
  passes += 1;
  std::printf("-- pass %d begins with %zu more ready\n", passes, loop->ready_count());
  if (passes < 4) {
    loop->call_soon(tick);
  } else {
    loop->stop();
  }
}

void job(const char* name) { std::printf("%s runs in pass %d\n", name, passes); }

void spawner() {
  std::printf("spawner runs in pass %d, queues x and y\n", passes);
  loop->call_soon([] { job("x"); });
  loop->call_soon([] { job("y"); });
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  loop->call_soon(tick);
  loop->call_soon(spawner);
  loop->call_soon([] { job("a"); });
  loop->call_soon([] { job("b"); });
  loop->run_forever();
  loop->close();
  loop.reset();
}
