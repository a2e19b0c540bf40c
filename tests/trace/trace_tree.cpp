// trace_tree.cpp: a gather and a TaskGroup, for asyncio-trace --tasks and --tree: children under
// their parent, each waiting on its own timer. Deterministic on the virtual clock.
// `gather` (default) or `taskgroup`. Course: docs/trace.md ("Who waits on what")
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

int fetch(double delay, int value) {
  asyncio::sleep(delay);
  return value;
}

void with_gather() {
  auto a = asyncio::create_task(asyncio::TaskOptions{"fetch_a"}, fetch, 0.2, 1);
  auto b = asyncio::create_task(asyncio::TaskOptions{"fetch_b"}, fetch, 0.1, 2);
  auto [x, y] = asyncio::await(asyncio::gather(a, b));
  std::printf("gathered %d %d\n", x, y);
}

void with_taskgroup() {
  asyncio::task_group([](asyncio::TaskGroup& tg) {
    tg.create_task(asyncio::TaskOptions{"shop_1"}, fetch, 0.2, 1);
    tg.create_task(asyncio::TaskOptions{"shop_2"}, fetch, 0.1, 2);
  });
  std::puts("group done");
}

}  // namespace

int main(int argc, char** argv) {
  const bool group = argc > 1 && std::string(argv[1]) == "taskgroup";
  asyncio::run(group ? with_taskgroup : with_gather);
}
