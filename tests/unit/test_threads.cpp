// test_threads.cpp: threads meeting the loop: run_in_executor, to_thread, wrap_future,
// run_coroutine_threadsafe, call_soon_threadsafe and the default executor's shutdown.
// Mirrors Lib/test/test_asyncio/test_threads.py and the executor tests of test_base_events.py;
// no test depends on timing: workers are held with latches, not sleeps.
#include <doctest/doctest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>

#include "asyncio/asyncio.hpp"
#include "io_support.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::TestLoop;

TEST_SUITE("threads") {
  TEST_CASE("run_in_executor completes its future in a later pass, never synchronously") {
    TestLoop loop;
    auto result = loop->run_until_complete([] {
      auto fut = get_running_loop().run_in_executor(nullptr, [](int a, int b) { return a + b; }, 2, 3);
      // Even a worker that is already done reports through call_soon_threadsafe.
      CHECK_FALSE(fut.done());
      return await(fut);
    });
    CHECK(result == 5);
    loop->run_until_complete([] { get_running_loop().shutdown_default_executor(); });
  }

  TEST_CASE("to_thread returns the function's value and raises its exception") {
    TestLoop loop;
    CHECK(loop->run_until_complete([] { return to_thread([] { return std::string("done"); }); }) == "done");
    CHECK_THROWS_WITH_AS(loop->run_until_complete([] { to_thread([] { throw ValueError("boom"); }); }), "boom",
                         ValueError);
    loop->run_until_complete([] { get_running_loop().shutdown_default_executor(); });
  }

  TEST_CASE("cancelling the asyncio future cancels the queued concurrent future") {
    TestLoop loop;
    auto pool = std::make_shared<ThreadPoolExecutor>(1);
    std::latch release(1);
    std::atomic<bool> second_ran{false};
    loop->run_until_complete([&] {
      auto first = get_running_loop().run_in_executor(pool, [&] { release.wait(); });
      auto second = get_running_loop().run_in_executor(pool, [&] { second_ran = true; });
      second.cancel();
      release.count_down();
      await(first);
    });
    pool->shutdown(true);
    CHECK_FALSE(second_ran.load());
  }

  TEST_CASE("run_coroutine_threadsafe runs a task on the loop and hands back its outcome") {
    TestLoop loop;
    BaseEventLoop& target = *loop;
    std::string from_thread;
    std::string error;
    loop->run_until_complete([&] {
      std::thread other([&] {
        auto ok = run_coroutine_threadsafe(
            [] {
              asyncio::sleep(0);
              return current_task()->get_name().substr(0, 5);
            },
            target);
        from_thread = ok.result();
        auto bad = run_coroutine_threadsafe([]() -> int { throw ValueError("bad"); }, target);
        try {
          bad.result();
        } catch (const ValueError& e) {
          error = e.what();
        }
      });
      // Keep the loop turning until the thread is done with it.
      while (from_thread.empty() || error.empty()) asyncio::sleep(0.001);
      other.join();
    });
    CHECK(from_thread == "Task-");
    CHECK(error == "bad");
  }

  TEST_CASE("cancelling run_coroutine_threadsafe's future cancels the task") {
    TestLoop loop;
    BaseEventLoop& target = *loop;
    std::atomic<bool> started{false};
    std::atomic<bool> cancelled_inside{false};
    std::atomic<bool> cancel_returned{false};
    loop->run_until_complete([&] {
      std::thread other([&] {
        auto fut = run_coroutine_threadsafe(
            [&] {
              started = true;
              try {
                await(get_running_loop().create_future<void>());
              } catch (const CancelledError&) {
                cancelled_inside = true;
                throw;
              }
            },
            target);
        while (!started) std::this_thread::yield();
        cancel_returned = fut.cancel();
      });
      while (!cancelled_inside) asyncio::sleep(0.001);
      other.join();
    });
    CHECK(cancel_returned.load());
    CHECK(cancelled_inside.load());
  }

  TEST_CASE("call_soon_threadsafe from another thread wakes a loop blocked in select") {
    TestLoop loop;
    BaseEventLoop& target = *loop;
    std::string order;
    std::thread other;
    loop->call_soon([&] {
      other = std::thread([&] { target.call_soon_threadsafe([&] { order += "woken"; target.stop(); }); });
    });
    loop->run_forever();  // no timers, no fds: only the self-pipe can end the wait
    other.join();
    CHECK(order == "woken");
  }

  TEST_CASE("after shutdown_default_executor the default executor is refused") {
    TestLoop loop;
    loop->run_until_complete([] {
      await(get_running_loop().run_in_executor(nullptr, [] {}));
      get_running_loop().shutdown_default_executor();
    });
    CHECK_THROWS_WITH_AS(loop->run_until_complete([] { to_thread([] {}); }), "Executor shutdown has been called",
                         RuntimeError);
  }

  TEST_CASE("a shut-down executor refuses new work") {
    ThreadPoolExecutor pool(2);
    CHECK(pool.submit([] { return 7; }).result() == 7);
    pool.shutdown();
    CHECK_THROWS_WITH_AS(pool.submit([] { return 1; }), "cannot schedule new futures after shutdown", RuntimeError);
  }

  TEST_CASE("a concurrent future's result waits with a timeout") {
    ConcurrentFuture<int> fut;
    CHECK_THROWS_AS(fut.result(0.0), TimeoutError);
    CHECK(fut.cancel());
    CHECK_THROWS_AS(fut.result(), CancelledError);
    CHECK_FALSE(fut.set_running_or_notify_cancel());
  }

  TEST_CASE("asyncio::run shuts the default executor down and keeps the Task-N numbering") {
    std::string first;
    std::string second;
    asyncio::run([&] {
      first = current_task()->get_name();
      CHECK(to_thread([] { return 1; }) == 1);
    });
    asyncio::run([&] { second = current_task()->get_name(); });
    // main, shutdown_asyncgens, shutdown_default_executor: three numbers per run.
    CHECK(std::stoi(second.substr(5)) == std::stoi(first.substr(5)) + 3);
  }
}
