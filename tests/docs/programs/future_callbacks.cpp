// future_callbacks: a future's done callbacks run in registration order, in the pass after it is
// completed, never inline; a task registers its wakeup only when it awaits (Future.add_done_callback,
// __schedule_callbacks). Quoted and traced in docs/05-futures.md; its twin is future_callbacks.py.
#include <cstdio>

#include "asyncio/asyncio.hpp"

int main() {
  asyncio::run([] {
    asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
    asyncio::Future<int> fut = loop.create_future<int>();
    fut.add_done_callback([](asyncio::Future<int> f) { std::printf("callback_1 sees %d\n", f.result()); }, "callback_1");
    asyncio::Task<void> waiter = asyncio::create_task(asyncio::TaskOptions{"waiter"}, [fut] {
      std::printf("waiter awaits\n");
      std::printf("waiter got %d\n", asyncio::await(fut));
    });
    fut.add_done_callback([](asyncio::Future<int> f) { std::printf("callback_2 sees %d\n", f.result()); }, "callback_2");
    loop.call_later(0.01, [fut] {
      fut.set_result(42);
      std::printf("set_it: result set, done() is %s\n", fut.done() ? "True" : "False");
    }, "set_it");
    asyncio::await(waiter);
    std::printf("main: await on a done future returns %d at once\n", asyncio::await(fut));
  });
}
