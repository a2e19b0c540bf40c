// test_runners.cpp: asyncio::run and Runner: the result, the main task's exception, the
// shutdown of leftover tasks, the nesting error, reuse and close.
// Mirrors Lib/test/test_asyncio/test_runners.py (RunTests, RunnerTests) in spirit; messages
// checked against CPython 3.11.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::LogCapture;

TEST_SUITE("runners") {
  TEST_CASE("run returns what the main function returns") {
    CHECK(asyncio::run([] { return 42; }) == 42);
    CHECK(asyncio::run([](int a, int b) { return a * b; }, 6, 7) == 42);
    CHECK(get_running_loop_or_null() == nullptr);
  }

  TEST_CASE("run raises the main task's exception") {
    CHECK_THROWS_WITH_AS(asyncio::run([]() -> int { throw ValueError("boom"); }), "boom", ValueError);
    CHECK(get_running_loop_or_null() == nullptr);
  }

  TEST_CASE("run cancels leftover tasks and waits for their handlers before returning") {
    // python3: a task left sleeping when main returns sees CancelledError before run returns.
    std::vector<std::string> log;
    const int v = asyncio::run([&log] {
      asyncio::create_task([&log] {
        try {
          asyncio::sleep(100);
        } catch (const CancelledError&) {
          log.push_back("leftover cancelled");
          throw;
        }
      });
      asyncio::sleep(0);  // let the leftover start and suspend
      log.push_back("main returns");
      return 1;
    });
    CHECK(v == 1);
    CHECK(log == std::vector<std::string>{"main returns", "leftover cancelled"});
  }

  TEST_CASE("a leftover that raises while being cancelled is reported") {
    // python3: "unhandled exception during asyncio.run() shutdown" with the task and its
    // ValueError, logged by the default exception handler.
    LogCapture log;
    asyncio::run([] {
      asyncio::create_task([] {
        try {
          asyncio::sleep(100);
        } catch (const CancelledError&) {
          throw ValueError("late");
        }
      });
      asyncio::sleep(0);
    });
    REQUIRE(log.lines.size() == 1);
    CHECK(log.lines[0].first == LogLevel::error);
    const std::string& line = log.lines[0].second;
    CHECK(line.rfind("unhandled exception during asyncio.run() shutdown\n", 0) == 0);
    CHECK(line.find("task: <Task finished name='Task-") != std::string::npos);
    CHECK(line.find("ValueError: late") != std::string::npos);
  }

  TEST_CASE("run inside a running loop raises RuntimeError") {
    bool checked = false;
    asyncio::run([&] {
      CHECK_THROWS_WITH_AS(asyncio::run([] { return 0; }), "asyncio.run() cannot be called from a running event loop",
                           RuntimeError);
      checked = true;
    });
    CHECK(checked);
  }

  TEST_CASE("a Runner runs several mains on one loop until closed") {
    Runner runner;
    BaseEventLoop* first_loop = nullptr;
    CHECK(runner.run([&] {
      first_loop = &get_running_loop();
      return 1;
    }) == 1);
    CHECK(runner.run([&] { return &get_running_loop() == first_loop ? 2 : -2; }) == 2);
    CHECK(&runner.get_loop() == first_loop);
    CHECK_FALSE(runner.get_loop().is_closed());
    runner.close();
    runner.close();  // idempotent
    CHECK_THROWS_WITH_AS(runner.run([] { return 3; }), "Runner is closed", RuntimeError);
    CHECK_THROWS_WITH_AS(runner.get_loop(), "Runner is closed", RuntimeError);
  }

  TEST_CASE("closing a Runner closes its loop and cancels what is left") {
    bool cancelled = false;
    Ref<BaseEventLoop> loop;
    {
      Runner runner;
      runner.run([&] {
        loop = Ref<BaseEventLoop>(&get_running_loop());
        asyncio::create_task([&] {
          try {
            asyncio::sleep(100);
          } catch (const CancelledError&) {
            cancelled = true;
            throw;
          }
        });
        asyncio::sleep(0);
      });
      CHECK_FALSE(cancelled);
      CHECK_FALSE(loop->is_closed());
      runner.close();
      CHECK(cancelled);
    }
    CHECK(loop->is_closed());
  }

  TEST_CASE("a Runner closed without running anything creates no loop") {
    Runner runner;
    runner.close();
    CHECK_THROWS_WITH_AS(runner.run([] {}), "Runner is closed", RuntimeError);
  }
}
