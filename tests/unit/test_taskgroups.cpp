// test_taskgroups.cpp: TaskGroup lifetime, errors and ExceptionGroup.
// Mirrors Lib/test/test_asyncio/test_taskgroups.py in spirit; messages checked with python3.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::HandlerRecorder;
using test_support::TestLoop;

TEST_SUITE("taskgroups") {
  TEST_CASE("task_group waits for every child and returns the body's value") {
    TestLoop loop;
    loop->run_until_complete([&] {
      int done = 0;
      const int value = task_group([&](TaskGroup& tg) {
        for (int i = 0; i < 3; ++i) tg.create_task([&, i] {
          asyncio::sleep(0.001 * i);
          ++done;
        });
        return 42;
      });
      CHECK(value == 42);
      CHECK(done == 3);
    });
  }

  TEST_CASE("a failing child cancels its siblings and the body; errors come out as one ExceptionGroup") {
    TestLoop loop;
    loop->run_until_complete([&] {
      bool sibling_cancelled = false;
      bool body_cancelled = false;
      try {
        task_group([&](TaskGroup& tg) {
          tg.create_task([] {
            asyncio::sleep(0);
            throw ValueError("child");
          });
          tg.create_task([&] {
            try {
              asyncio::sleep(10);
            } catch (const CancelledError&) {
              sibling_cancelled = true;
              throw;
            }
          });
          try {
            asyncio::sleep(10);
          } catch (const CancelledError&) {
            body_cancelled = true;
            throw;
          }
        });
        FAIL("the group must raise");
      } catch (const ExceptionGroup& eg) {
        CHECK(std::string(eg.what()) == "unhandled errors in a TaskGroup (1 sub-exception)");
        CHECK(eg.group_message() == "unhandled errors in a TaskGroup");
        REQUIRE(eg.exceptions().size() == 1);
        CHECK(exception_repr(eg.exceptions()[0]) == "ValueError('child')");
        CHECK(exception_repr(std::current_exception()) ==
              "ExceptionGroup('unhandled errors in a TaskGroup', [ValueError('child')])");
      }
      CHECK(sibling_cancelled);
      CHECK(body_cancelled);
      CHECK(current_task()->cancelling() == 0);
    });
  }

  TEST_CASE("an error from the body itself cancels the children and joins the group") {
    TestLoop loop;
    loop->run_until_complete([&] {
      Task<void> child;
      try {
        task_group([&](TaskGroup& tg) {
          child = tg.create_task([] { asyncio::sleep(10); });
          asyncio::sleep(0);
          throw KeyError("body");
        });
      } catch (const ExceptionGroup& eg) {
        REQUIRE(eg.exceptions().size() == 1);
        CHECK(exception_repr(eg.exceptions()[0]) == "KeyError('body')");
      }
      CHECK(child.cancelled());
    });
  }

  TEST_CASE("cancelling the parent from outside gives CancelledError, not a group") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto parent = create_task([] { task_group([](TaskGroup& tg) {
                                       tg.create_task([] { asyncio::sleep(10); });
                                       asyncio::sleep(10);
                                     }); });
      asyncio::sleep(0);
      asyncio::sleep(0);
      parent.cancel();
      CHECK_THROWS_AS(await(parent), CancelledError);
      CHECK(parent.cancelled());
    });
  }

  TEST_CASE("create_task outside the group's life raises RuntimeError") {
    TestLoop loop;
    loop->run_until_complete([&] {
      TaskGroup tg;
      CHECK_THROWS_WITH_AS(tg.create_task([] {}), "TaskGroup <TaskGroup> has not been entered", RuntimeError);
      async_with(tg, [](TaskGroup&) {});
      CHECK_THROWS_WITH_AS(tg.create_task([] {}), "TaskGroup <TaskGroup entered> is finished", RuntimeError);
      CHECK_THROWS_WITH_AS(tg.aenter(), "TaskGroup <TaskGroup entered> has already been entered", RuntimeError);
    });
  }

  TEST_CASE("a group outside a task cannot find its parent") {
    TestLoop loop;
    loop->call_soon([&] {
      TaskGroup tg;
      CHECK_THROWS_WITH_AS(tg.aenter(), "TaskGroup <TaskGroup> cannot determine the parent task", RuntimeError);
      loop->stop();
    });
    loop->run_forever();
  }

  TEST_CASE("make_exception_group picks ExceptionGroup or BaseExceptionGroup") {
    auto eg = make_exception_group("m", {std::make_exception_ptr(ValueError("a")), std::make_exception_ptr(KeyError("b"))});
    CHECK(exception_name(eg) == "ExceptionGroup");
    CHECK(exception_str(eg) == "m (2 sub-exceptions)");
    auto beg = make_exception_group("m", {std::make_exception_ptr(CancelledError())});
    CHECK(exception_repr(beg) == "BaseExceptionGroup('m', [CancelledError()])");
    CHECK_THROWS_AS(std::rethrow_exception(eg), Exception);
    CHECK_THROWS_AS(make_exception_group("m", {}), ValueError);
  }
}

TEST_SUITE("taskgroups") {
  TEST_CASE("closing the loop under a suspended task_group, timeout and Condition.wait unwinds them safely") {
    bool unwound = false;
    Condition cond;
    {
      TestLoop loop;
      HandlerRecorder handler;
      handler.attach(*loop);
      test_support::run_one_pass(*loop);
      loop->create_task([&] {
        struct Flag {
          bool& flag;
          ~Flag() { flag = true; }
        } flag{unwound};
        timeout(100, [&] {
          task_group([&](TaskGroup& tg) {
            tg.create_task([] { asyncio::sleep(100); });
            auto held = async_with(cond);
            tg.create_task([&] {
              auto held2 = async_with(cond);
              cond.wait();
            });
            asyncio::sleep(0);
            cond.wait();  // releases the lock: the child takes it and waits too
          });
        });
      });
      for (int i = 0; i < 4; ++i) test_support::run_one_pass(*loop);
      loop->close();
    }
    CHECK(unwound);
  }
}
