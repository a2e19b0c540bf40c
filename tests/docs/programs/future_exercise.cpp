// future_exercise: chapter 5's exercises done on future_callbacks.cpp. With the argument `early`
// (exercise 1), callback_2 is registered before the waiter task is created; with `twice`
// (exercise 2), set_it calls set_result(42) a second time (InvalidStateError, reported by the
// loop's exception handler); with `cancel` (exercise 3), set_it cancels the future instead of
// setting it. Quoted in docs/05-futures.md (Exercises) and docs/answers/05.md.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "twice";
  asyncio::run([mode] {
    asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
    asyncio::Future<int> fut = loop.create_future<int>();
    fut.add_done_callback([](asyncio::Future<int> f) { std::printf("callback_1 sees %d\n", f.result()); }, "callback_1");
    auto callback_2 = [](asyncio::Future<int> f) { std::printf("callback_2 sees %d\n", f.result()); };
    if (mode == "early") fut.add_done_callback(callback_2, "callback_2");  // exercise 1: above create_task
    asyncio::Task<void> waiter = asyncio::create_task(asyncio::TaskOptions{"waiter"}, [fut] {
      std::printf("waiter awaits\n");
      std::printf("waiter got %d\n", asyncio::await(fut));
    });
    if (mode != "early") fut.add_done_callback(callback_2, "callback_2");
    loop.call_later(0.01, [fut, mode] {
      if (mode == "cancel") {
        fut.cancel("too late");
      } else {
        fut.set_result(42);
        if (mode == "twice") fut.set_result(42);  // exercise 2: the second call raises InvalidStateError
      }
      std::printf("set_it: result set, done() is %s\n", fut.done() ? "True" : "False");
    }, "set_it");
    asyncio::await(waiter);
    std::printf("main: await on a done future returns %d at once\n", asyncio::await(fut));
  });
}
