// test_timeouts.cpp: timeout(), timeout_at() and the Timeout state machine.
// Mirrors Lib/test/test_asyncio/test_timeouts.py in spirit; messages checked with python3.
#include <doctest/doctest.h>

#include <string>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::TestLoop;

TEST_SUITE("timeouts") {
  TEST_CASE("a deadline passing inside the block raises TimeoutError and leaves cancelling() at 0") {
    TestLoop loop;
    loop->use_virtual_clock();
    loop->run_until_complete([&] {
      const double start = get_running_loop().time();
      CHECK_THROWS_AS(timeout(0.5, [] { asyncio::sleep(10); }), TimeoutError);
      CHECK(get_running_loop().time() - start == doctest::Approx(0.5));
      CHECK(current_task()->cancelling() == 0);
    });
  }

  TEST_CASE("a block finishing in time returns its value; no deadline never fires") {
    TestLoop loop;
    loop->use_virtual_clock();
    loop->run_until_complete([&] {
      CHECK(timeout(1.0, [] { return asyncio::sleep(0.1, 5); }) == 5);
      CHECK(timeout(std::nullopt, [] { return asyncio::sleep(100, 6); }) == 6);
    });
  }

  TEST_CASE("states and repr follow the block's life") {
    TestLoop loop;
    loop->use_virtual_clock(10.0);
    loop->run_until_complete([&] {
      Timeout cm(12.25);
      CHECK(cm.repr() == "<Timeout [created]>");
      CHECK_THROWS_WITH_AS(cm.reschedule(1), "Timeout has not been entered", RuntimeError);
      async_with(cm, [&] {
        CHECK(cm.repr() == "<Timeout [active] when=12.25>");
        cm.reschedule(std::nullopt);
        CHECK(cm.repr() == "<Timeout [active] when=None>");
      });
      CHECK(cm.repr() == "<Timeout [finished]>");
      CHECK_FALSE(cm.expired());
      CHECK_THROWS_WITH_AS(cm.reschedule(1), "Cannot change state of finished Timeout", RuntimeError);
      CHECK_THROWS_WITH_AS(cm.aenter(), "Timeout has already been entered", RuntimeError);
    });
  }

  TEST_CASE("an expired timeout reports expired() and can no longer be rescheduled") {
    TestLoop loop;
    loop->use_virtual_clock();
    loop->run_until_complete([&] {
      Timeout cm(get_running_loop().time() + 0.1);
      CHECK_THROWS_AS(async_with(cm, [] { asyncio::sleep(1); }), TimeoutError);
      CHECK(cm.expired());
      CHECK(cm.repr() == "<Timeout [expired]>");
      CHECK_THROWS_WITH_AS(cm.reschedule(1), "Cannot change state of expired Timeout", RuntimeError);
    });
  }

  TEST_CASE("a cancel from someone else stays a CancelledError") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto t = create_task([] { timeout(10, [] { asyncio::sleep(10); }); });
      asyncio::sleep(0);
      t.cancel();
      CHECK_THROWS_AS(await(t), CancelledError);
    });
  }

  TEST_CASE("nested timeouts: only the one that expired converts its cancellation") {
    TestLoop loop;
    loop->use_virtual_clock();
    loop->run_until_complete([&] {
      bool inner_timed_out = false;
      CHECK_THROWS_AS(timeout(0.1,
                              [&] {
                                try {
                                  timeout(5, [] { asyncio::sleep(10); });
                                } catch (const TimeoutError&) {
                                  inner_timed_out = true;
                                }
                              }),
                      TimeoutError);
      CHECK_FALSE(inner_timed_out);
    });
  }

  TEST_CASE("a Timeout outside a task cannot be entered") {
    TestLoop loop;
    loop->call_soon([&] {
      Timeout cm(std::nullopt);
      CHECK_THROWS_WITH_AS(cm.aenter(), "Timeout should be used inside a task", RuntimeError);
      loop->stop();
    });
    loop->run_forever();
  }
}
