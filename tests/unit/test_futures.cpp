// test_futures.cpp: Future's state machine, its errors, done callbacks and repr.
// Mirrors Lib/test/test_asyncio/test_futures.py (BaseFutureTests) in spirit; the messages are
// those of CPython 3.11's C Future (_asyncio.Future), checked with python3.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::HandlerRecorder;
using test_support::TestLoop;

namespace {
std::vector<int>* g_calls = nullptr;  // what the plain-function callbacks below append to
void plain_callback(Future<int>) {
  if (g_calls) g_calls->push_back(1);
}
void other_callback(Future<int>) {
  if (g_calls) g_calls->push_back(2);
}
}  // namespace

TEST_SUITE("futures") {
  TEST_CASE("a new future is pending: result() and exception() raise InvalidStateError") {
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    CHECK_FALSE(f.done());
    CHECK_FALSE(f.cancelled());
    CHECK(f.core().state() == FutureState::PENDING);
    CHECK_THROWS_WITH_AS(f.result(), "Result is not set.", InvalidStateError);
    CHECK_THROWS_WITH_AS(f.exception(), "Exception is not set.", InvalidStateError);
    CHECK(&f.get_loop() == loop.loop.get());
  }

  TEST_CASE("set_result finishes the future; setting it again raises InvalidStateError") {
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    f.set_result(42);
    CHECK(f.done());
    CHECK(f.result() == 42);
    CHECK(f.exception() == nullptr);
    CHECK_THROWS_WITH_AS(f.set_result(43), "invalid state", InvalidStateError);
    CHECK_THROWS_WITH_AS(f.set_exception(ValueError("x")), "invalid state", InvalidStateError);
    CHECK(f.result() == 42);
    CHECK_FALSE(f.cancel());
  }

  TEST_CASE("set_exception makes result() raise it and exception() return it") {
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    f.set_exception(ValueError("boom"));
    CHECK(f.done());
    CHECK_FALSE(f.cancelled());
    CHECK_THROWS_WITH_AS(f.result(), "boom", ValueError);
    CHECK(exception_repr(f.exception()) == "ValueError('boom')");
  }

  TEST_CASE("cancel returns true once, then false") {
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    CHECK(f.cancel());
    CHECK(f.cancelled());
    CHECK(f.done());
    CHECK(f.core().state() == FutureState::CANCELLED);
    CHECK_FALSE(f.cancel());
    CHECK_THROWS_WITH_AS(f.set_result(1), "invalid state", InvalidStateError);
  }

  TEST_CASE("a cancelled future raises CancelledError with its message every time") {
    // python3: f.cancel("m"); f.result() twice -> CancelledError('m') both times (a plain
    // future builds a new error each time; only tasks save theirs).
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    CHECK(f.cancel("m"));
    CHECK_THROWS_WITH_AS(f.result(), "m", CancelledError);
    CHECK_THROWS_WITH_AS(f.result(), "m", CancelledError);
    CHECK_THROWS_WITH_AS(f.exception(), "m", CancelledError);
  }

  TEST_CASE("done callbacks are scheduled with call_soon in registration order, never inline") {
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    std::vector<std::string> order;
    f.add_done_callback([&](Future<int> g) { order.push_back("first " + std::to_string(g.result())); });
    f.add_done_callback([&](Future<int>) { order.push_back("second"); });
    f.add_done_callback([&](Future<int>) { order.push_back("third"); });
    const std::size_t ready = loop->ready_count();
    f.set_result(5);
    CHECK(order.empty());
    CHECK(loop->ready_count() == ready + 3);
    loop->run_once();
    CHECK(order == std::vector<std::string>{"first 5", "second", "third"});
  }

  TEST_CASE("SystemExit or KeyboardInterrupt from a done callback leaves the pass; the rest stay queued") {
    TestLoop loop;
    HandlerRecorder handler;
    handler.attach(*loop);
    Future<int> f = loop->create_future<int>();
    std::vector<std::string> order;
    f.add_done_callback([&](Future<int>) { order.push_back("first"); });
    f.add_done_callback([&](Future<int>) { throw SystemExit("bye"); });
    f.add_done_callback([&](Future<int>) { order.push_back("third"); });
    f.set_result(1);
    CHECK_THROWS_WITH_AS(loop->run_once(), "bye", SystemExit);
    CHECK(order == std::vector<std::string>{"first"});
    CHECK(handler.messages.empty());  // not swallowed into the exception handler
    loop->run_once();
    CHECK(order == std::vector<std::string>{"first", "third"});

    Future<int> g = loop->create_future<int>();
    g.add_done_callback([&](Future<int>) { throw KeyboardInterrupt(); });
    g.set_result(2);
    CHECK_THROWS_AS(loop->run_once(), KeyboardInterrupt);
    CHECK(handler.messages.empty());
  }

  TEST_CASE("done callbacks run after the callbacks already queued") {
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    std::vector<std::string> order;
    loop->call_soon([&] { order.push_back("before"); });
    f.add_done_callback([&](Future<int>) { order.push_back("done"); });
    f.set_result(1);
    loop->call_soon([&] { order.push_back("after"); });
    loop->run_once();
    CHECK(order == std::vector<std::string>{"before", "done", "after"});
  }

  TEST_CASE("add_done_callback on a done future schedules the callback, it does not call it") {
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    f.set_result(1);
    int called = 0;
    f.add_done_callback([&](Future<int>) { ++called; });
    CHECK(called == 0);
    CHECK(loop->ready_count() == 1);
    loop->run_once();
    CHECK(called == 1);
  }

  TEST_CASE("cancel schedules the done callbacks too") {
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    bool saw_cancelled = false;
    f.add_done_callback([&](Future<int> g) { saw_cancelled = g.cancelled(); });
    f.cancel();
    loop->run_once();
    CHECK(saw_cancelled);
  }

  TEST_CASE("remove_done_callback removes every registration of a function and counts them") {
    // python3: f.add_done_callback(cb) twice; f.remove_done_callback(cb) -> 2; after the
    // future is done, remove_done_callback(cb) -> 0.
    TestLoop loop;
    std::vector<int> calls;
    g_calls = &calls;
    Future<int> f = loop->create_future<int>();
    f.add_done_callback(plain_callback);
    f.add_done_callback(other_callback);
    f.add_done_callback(plain_callback);
    CHECK(f.remove_done_callback(plain_callback) == 2);
    CHECK(f.remove_done_callback(plain_callback) == 0);

    f.add_done_callback(plain_callback);
    f.set_result(1);
    // Its callbacks are already scheduled: nothing is left to remove.
    CHECK(f.remove_done_callback(plain_callback) == 0);
    loop->run_once();
    CHECK(calls == std::vector<int>{2, 1});
    g_calls = nullptr;
  }

  TEST_CASE("remove_done_callback by key removes only that lambda's registration") {
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    std::vector<int> calls;
    const CallbackKey k1 = f.add_done_callback([&](Future<int>) { calls.push_back(1); });
    const CallbackKey k2 = f.add_done_callback([&](Future<int>) { calls.push_back(2); });
    CHECK(k1 != k2);
    CHECK(f.remove_done_callback(k1) == 1);
    CHECK(f.remove_done_callback(k1) == 0);
    f.set_result(0);
    loop->run_once();
    CHECK(calls == std::vector<int>{2});
  }

  TEST_CASE("an exception never retrieved is reported when the last handle goes") {
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    {
      Future<int> f = loop->create_future<int>();
      f.set_exception(ValueError("lost"));
    }
    REQUIRE(recorder.messages.size() == 1);
    CHECK(recorder.messages[0] == "Future exception was never retrieved");
    CHECK(recorder.exceptions[0] == "ValueError('lost')");
  }

  TEST_CASE("an exception retrieved by result() or exception() is not reported") {
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    {
      Future<int> f = loop->create_future<int>();
      f.set_exception(ValueError("seen"));
      CHECK(f.exception() != nullptr);
    }
    {
      Future<int> f = loop->create_future<int>();
      f.set_exception(ValueError("seen"));
      CHECK_THROWS_AS(f.result(), ValueError);
    }
    CHECK(recorder.messages.empty());
  }

  TEST_CASE("Future<void> finishes with no value and prints result=None") {
    TestLoop loop;
    Future<void> f = loop->create_future<void>();
    CHECK(f.repr() == "<Future pending>");
    bool called = false;
    f.add_done_callback([&](Future<void> g) {
      g.result();
      called = true;
    });
    f.set_result();
    CHECK_NOTHROW(f.result());
    CHECK(f.repr() == "<Future finished result=None>");
    CHECK_THROWS_WITH_AS(f.set_result(), "invalid state", InvalidStateError);
    loop->run_once();
    CHECK(called);
    CHECK_NOTHROW(loop->run_until_complete(f));
  }

  TEST_CASE("repr shows the state, the result or exception, and pending callbacks") {
    // python3: repr(f) -> '<Future pending>', '<Future finished result=1>', '<Future cancelled>',
    // "<Future finished exception=ValueError('x')>", "<Future finished result='hi'>"
    TestLoop loop;
    Future<int> f = loop->create_future<int>();
    CHECK(f.repr() == "<Future pending>");
    f.add_done_callback([](Future<int>) {}, "cb");
    f.add_done_callback([](Future<int>) {}, "cb");
    CHECK(f.repr() == "<Future pending cb=[cb(), cb()]>");
    f.set_result(1);
    CHECK(f.repr() == "<Future finished result=1>");

    Future<int> c = loop->create_future<int>();
    c.cancel();
    CHECK(c.repr() == "<Future cancelled>");

    Future<int> e = loop->create_future<int>();
    e.set_exception(ValueError("x"));
    CHECK(e.repr() == "<Future finished exception=ValueError('x')>");
    (void)e.exception();

    Future<std::string> s = loop->create_future<std::string>();
    s.set_result(std::string("hi"));
    CHECK(s.repr() == "<Future finished result='hi'>");
  }

  TEST_CASE("futures are handles compared by identity") {
    TestLoop loop;
    Future<int> a = loop->create_future<int>();
    Future<int> b = a;
    Future<int> c = loop->create_future<int>();
    CHECK(a == b);
    CHECK_FALSE(a == c);
    b.set_result(3);
    CHECK(a.result() == 3);
    CHECK_FALSE(Future<int>().valid());
  }
}
