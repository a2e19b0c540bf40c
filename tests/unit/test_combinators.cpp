// test_combinators.cpp: gather, wait, wait_for, as_completed, shield and ensure_future.
// Mirrors Lib/test/test_asyncio/test_tasks.py (gather, wait, wait_for, as_completed, shield
// tests) in spirit; behaviour and messages checked against python3 (3.11.7).
#include <doctest/doctest.h>

#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::TestLoop;

namespace {
int after_ticks(int value, int ticks) {
  for (int i = 0; i < ticks; ++i) asyncio::sleep(0);
  return value;
}
int fail_after(int ticks) {
  for (int i = 0; i < ticks; ++i) asyncio::sleep(0);
  throw ValueError("boom");
}
}  // namespace

TEST_SUITE("combinators") {
  TEST_CASE("gather of mixed types gives a tuple in argument order") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto [a, b, c] = await(gather([] { return after_ticks(1, 3); }, [] { return std::string("two"); },
                                    [] { asyncio::sleep(0); }));
      CHECK(a == 1);
      CHECK(b == "two");
      CHECK(c == std::monostate{});
    });
  }

  TEST_CASE("gather of a vector keeps the vector's order and repeats duplicates") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto t1 = create_task(after_ticks, 1, 2);
      auto t2 = create_task(after_ticks, 2, 0);
      auto results = await(gather(std::vector{t1, t2, t1}));
      CHECK(results == std::vector<int>{1, 2, 1});
    });
  }

  TEST_CASE("gather gives a future listed twice one done callback, and a later gather of it its own") {
    TestLoop loop;
    loop->run_until_complete([&] {
      BaseEventLoop& lp = get_running_loop();
      Future<int> a = lp.create_future<int>();
      Future<int> b = lp.create_future<int>();
      auto g1 = gather(std::vector{a, b, a});
      CHECK(a.repr() == "<Future pending cb=[gather.<locals>._done_callback()]>");
      // The first gather's test for repeats leaves nothing behind: the second sees a and b afresh.
      auto g2 = gather(std::vector{b, a});
      CHECK(a.repr() == "<Future pending cb=[gather.<locals>._done_callback(), gather.<locals>._done_callback()]>");
      CHECK(b.repr() == "<Future pending cb=[gather.<locals>._done_callback(), gather.<locals>._done_callback()]>");
      a.set_result(1);
      b.set_result(2);
      CHECK(await(g1) == std::vector<int>{1, 2, 1});
      CHECK(await(g2) == std::vector<int>{2, 1});
    });
  }

  TEST_CASE("gather with no arguments is already done") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto g = gather();
      CHECK(g.done());
      auto v = gather(std::vector<Task<int>>{});
      CHECK(v.done());
      CHECK(v.result().empty());
    });
  }

  TEST_CASE("gather raises the first exception and does not cancel the other children") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto slow = create_task(after_ticks, 5, 10);
      CHECK_THROWS_WITH_AS(await(gather([] { return fail_after(1); }, slow)), "boom", ValueError);
      CHECK_FALSE(slow.done());
      CHECK(await(slow) == 5);
    });
  }

  TEST_CASE("gather with return_exceptions puts failures and cancellations in their slots") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto victim = create_task(after_ticks, 0, 5);
      get_running_loop().call_soon([victim] { victim.cancel(); });
      auto results = await(gather(return_exceptions, std::vector<Task<int>>{
                                                          create_task(after_ticks, 1, 0), create_task(fail_after, 1), victim}));
      REQUIRE(results.size() == 3);
      CHECK(std::get<0>(results[0]) == 1);
      CHECK(exception_repr(std::get<1>(results[1])) == "ValueError('boom')");
      CHECK(exception_repr(std::get<1>(results[2])) == "CancelledError('')");
    });
  }

  TEST_CASE("a cancelled gather is not cancelled() but finishes with CancelledError") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto child = create_task(after_ticks, 1, 10);
      auto g = gather(child);
      asyncio::sleep(0);
      CHECK(g.cancel());
      CHECK_THROWS_AS(await(g), CancelledError);
      CHECK_FALSE(g.cancelled());
      CHECK(g.done());
      CHECK(child.cancelled());
      CHECK_FALSE(g.cancel());
    });
  }

  TEST_CASE("wait needs at least one future") {
    TestLoop loop;
    loop->run_until_complete([&] {
      CHECK_THROWS_WITH_AS(wait(std::vector<Task<int>>{}), "Set of Tasks/Futures is empty.", ValueError);
    });
  }

  TEST_CASE("wait FIRST_COMPLETED returns done and pending in the order given, cancelling nothing") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto slow = create_task(after_ticks, 1, 10);
      auto fast = create_task(after_ticks, 2, 1);
      auto [done, pending] = wait(std::vector{slow, fast, slow}, std::nullopt, FIRST_COMPLETED);
      CHECK(done == std::vector{fast});
      CHECK(pending == std::vector{slow});
      CHECK_FALSE(slow.cancelled());
      slow.cancel();
    });
  }

  TEST_CASE("wait with a timeout returns the pending futures without raising") {
    TestLoop loop;
    loop->use_virtual_clock();
    loop->run_until_complete([&] {
      Future<int> never = get_running_loop().create_future<int>();
      auto [done, pending] = wait(std::vector{never}, 0.5);
      CHECK(done.empty());
      CHECK(pending.size() == 1);
      CHECK_FALSE(never.done());
    });
  }

  TEST_CASE("wait FIRST_EXCEPTION returns at the first failure") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto bad = create_task(fail_after, 1);
      auto slow = create_task(after_ticks, 1, 10);
      auto [done, pending] = wait(std::vector{bad, slow}, std::nullopt, FIRST_EXCEPTION);
      CHECK(done == std::vector{bad});
      CHECK(pending == std::vector{slow});
      CHECK(exception_repr(bad.exception()) == "ValueError('boom')");
      slow.cancel();
    });
  }

  TEST_CASE("wait_for returns the result in time and raises TimeoutError after cancelling the inner") {
    TestLoop loop;
    loop->use_virtual_clock();
    loop->run_until_complete([&] {
      CHECK(wait_for([] { return asyncio::sleep(0.1, 7); }, 1.0) == 7);
      bool inner_cleaned_up = false;
      auto inner = create_task([&] {
        try {
          asyncio::sleep(10);
        } catch (const CancelledError&) {
          inner_cleaned_up = true;
          throw;
        }
      });
      CHECK_THROWS_AS(wait_for(inner, 0.5), TimeoutError);
      CHECK(inner_cleaned_up);  // before wait_for returned
      CHECK(inner.cancelled());
    });
  }

  TEST_CASE("wait_for with timeout 0 cancels an unstarted task whose body never runs") {
    TestLoop loop;
    loop->run_until_complete([&] {
      bool ran = false;
      CHECK_THROWS_AS(wait_for(
                          [&] {
                            ran = true;
                            return 1;
                          },
                          0.0),
                      TimeoutError);
      CHECK_FALSE(ran);
    });
  }

  TEST_CASE("wait_for without a timeout just calls the callable in the same task") {
    TestLoop loop;
    loop->run_until_complete([&] {
      Ref<TaskCore> outer = current_task();
      Ref<TaskCore> seen;
      wait_for([&] { seen = current_task(); }, std::nullopt);
      CHECK(seen == outer);
    });
  }

  TEST_CASE("as_completed gives results in completion order and TimeoutError for the rest") {
    TestLoop loop;
    loop->use_virtual_clock();
    loop->run_until_complete([&] {
      BaseEventLoop& l = get_running_loop();
      std::vector ts{l.create_task([] { return asyncio::sleep(0.3, 3); }), l.create_task([] { return asyncio::sleep(0.1, 1); }),
                     l.create_task([] { return asyncio::sleep(5.0, 9); })};
      std::vector<int> got;
      int timeouts = 0;
      auto it = as_completed(ts, 1.0);
      CHECK(it.size() == 3);
      for (auto next : it) {
        try {
          got.push_back(next());
        } catch (const TimeoutError&) {
          ++timeouts;
        }
      }
      CHECK(got == std::vector<int>{1, 3});
      CHECK(timeouts == 1);
      CHECK_FALSE(ts[2].cancelled());
      ts[2].cancel();
    });
  }

  TEST_CASE("shield keeps the inner running when the outer is cancelled") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto inner = create_task(after_ticks, 4, 3);
      auto outer = shield(inner);
      CHECK(outer.cancel());
      CHECK(outer.cancelled());
      CHECK(await(inner) == 4);
      CHECK(shield(inner) == inner);  // done: returned as is
    });
  }

  TEST_CASE("ensure_future refuses a future of another loop") {
    TestLoop a;
    TestLoop b;
    Future<int> f = a->create_future<int>();
    CHECK_THROWS_WITH_AS(ensure_future(f, *b), "The future belongs to a different loop than the one specified as the loop argument",
                         ValueError);
    CHECK(ensure_future(f, *a) == f);
  }
}
