// Rule: step 4 runs only the callbacks that were ready when it began (CPYTHON-RULES 2.4, 18.1);
// what they queue, even ahead of callbacks still waiting in the same pass, waits for the next pass.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;
int passes = 0;

void tick() {
  passes += 1;
  std::printf("-- pass %d begins with %zu more ready\n", passes, loop->ready_count());
  if (passes < 4) {
    loop->call_soon(tick, "tick");
  } else {
    loop->stop();
  }
}

void job(const std::string& name) { std::printf("%s runs in pass %d\n", name.c_str(), passes); }

void spawner() {
  std::printf("spawner runs in pass %d, queues x and y\n", passes);
  loop->call_soon(asyncio::named("job", job), "x");
  loop->call_soon(asyncio::named("job", job), "y");
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  loop->call_soon(tick, "tick");
  loop->call_soon(spawner, "spawner");
  loop->call_soon(asyncio::named("job", job), "a");
  loop->call_soon(asyncio::named("job", job), "b");
  loop->run_forever();
  loop->close();
  loop.reset();
}
