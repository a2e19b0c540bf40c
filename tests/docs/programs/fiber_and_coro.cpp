// fiber_and_coro: one small program written twice, with a fiber task and with a coroutine task
// (`fiber_and_coro fiber` / `fiber_and_coro coro`). Both print the same lines and their traces
// read the same, but for the source lines they wait at. Quoted in docs/06-tasks-on-fibers.md.
#include <cstdio>
#include <cstring>

#include "asyncio/asyncio.hpp"

// As a fiber: an ordinary function; asyncio::sleep suspends it wherever it is called.
int fetch_fiber(int n) {
  asyncio::sleep(0.1);
  return n * 2;
}
void main_fiber() {
  auto task = asyncio::create_task(asyncio::TaskOptions{"fetch"}, fetch_fiber, 21);
  std::printf("fetched %d\n", asyncio::await(task));
}

// As a coroutine: the body suspends only at a co_await.
asyncio::Coro<int> fetch_coro(int n) {
  co_await asyncio::sleep_async(0.1);
  co_return n * 2;
}
asyncio::Coro<void> main_coro() {
  auto task = asyncio::create_task(asyncio::TaskOptions{"fetch"}, fetch_coro(21));
  std::printf("fetched %d\n", co_await task);
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "coro") == 0) {
    asyncio::run(main_coro());
  } else {
    asyncio::run(main_fiber);
  }
}
