// test_fidelity.cpp: the CPython 3.11 rules of issue 14 that have no module of their own:
// run_until_complete's checks, the step 3 window and the step 2 timeout boundaries, user
// selectors, remove_done_callback by identity, and Runner's options.
// Each case was checked against CPython 3.11 (the twins in tests/conformance say which).
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::run_one_pass;
using test_support::TestLoop;

namespace {

// Records each select() timeout and stops the loop instead of waiting long.
class RecordingSelector : public selectors::EpollSelector {
 public:
  std::vector<std::optional<double>> timeouts;
  BaseEventLoop* loop = nullptr;
  std::vector<selectors::ReadyEvent> select(std::optional<double> timeout) override {
    timeouts.push_back(timeout);
    if (!timeout || *timeout > 1.0) {
      loop->stop();
      timeout = 0.0;
    }
    return EpollSelector::select(timeout);
  }
};

struct TimeoutRecorder : Observer {
  std::vector<std::optional<double>> timeouts;
  void select_begin(BaseEventLoop&, const char*, std::optional<double> timeout, TimeoutReason) override {
    timeouts.push_back(timeout);
  }
};

}  // namespace

TEST_SUITE("fidelity") {
  TEST_CASE("run_until_complete on a running loop raises before it creates a task") {
    // python3 twin: run_until_complete_running.
    TestLoop loop;
    bool ran = false;
    std::size_t tasks_after = 99;
    loop->run_until_complete([&] {
      CHECK_THROWS_WITH_AS(get_running_loop().run_until_complete([&] { ran = true; }),
                           "This event loop is already running", RuntimeError);
      tasks_after = all_tasks().size();
      asyncio::sleep(0);
      asyncio::sleep(0);
    });
    CHECK_FALSE(ran);
    CHECK(tasks_after == 1);
  }

  TEST_CASE("step 3 leaves a timer due exactly at now + resolution for the next pass") {
    // python3 twin: timer_window_boundary (`if handle._when >= end_time: break`).
    TestLoop loop;
    loop->use_virtual_clock(50.0);
    const double res = loop->clock_resolution();
    REQUIRE(res > 0);
    std::vector<std::string> ran;
    loop->call_at(50.0 + res, [&] { ran.push_back("edge"); });
    loop->call_at(50.0 + res / 2, [&] { ran.push_back("inside"); });
    loop->call_soon([] {});  // keeps step 2 from moving the virtual clock
    loop->run_once();
    CHECK(ran == std::vector<std::string>{"inside"});
    CHECK(loop->scheduled_count() == 1);
  }

  TEST_CASE("a timer far in the future makes step 2 ask for exactly MAXIMUM_SELECT_TIMEOUT") {
    TestLoop loop;
    TimeoutRecorder recorder;
    loop->set_observer(&recorder);
    loop->use_virtual_clock(0.0);
    loop->call_later(1e9, [] {});
    loop->run_once();
    loop->set_observer(nullptr);
    REQUIRE(recorder.timeouts.size() == 1);
    REQUIRE(recorder.timeouts[0].has_value());
    CHECK(*recorder.timeouts[0] == 86400.0);
    CHECK(MAXIMUM_SELECT_TIMEOUT == 86400.0);
  }

  TEST_CASE("a subclassed selector sees the zero-timeout poll of every pass with work ready") {
    // python3 twin: selector_recording.
    auto owned = std::make_unique<RecordingSelector>();
    RecordingSelector* selector = owned.get();
    Ref<BaseEventLoop> loop(new SelectorEventLoop(std::move(owned)));
    selector->loop = loop.get();
    loop->call_soon([&] { loop->call_soon([] {}); });
    loop->run_forever();  // pass 1 and 2: 0; pass 3: nothing scheduled, the recorder stops it
    REQUIRE(selector->timeouts.size() == 3);
    CHECK(selector->timeouts[0] == std::optional<double>(0.0));
    CHECK(selector->timeouts[1] == std::optional<double>(0.0));
    CHECK_FALSE(selector->timeouts[2].has_value());
    loop->close();
  }

  TEST_CASE("remove_done_callback removes every registration of a same_callback and counts them") {
    // python3 twin: remove_done_callback_closures.
    TestLoop loop;
    auto fut = loop->create_future<int>();
    int calls = 0;
    auto a = same_callback([&calls](Future<int>) { ++calls; });
    auto b = same_callback([&calls](Future<int>) { calls += 10; });
    fut.add_done_callback(a);
    fut.add_done_callback(b);
    fut.add_done_callback(a);
    fut.add_done_callback([&calls](Future<int>) { calls += 100; });
    CHECK(fut.remove_done_callback(a) == 2);
    CHECK(fut.remove_done_callback(a) == 0);
    fut.set_result(1);
    CHECK(fut.remove_done_callback(b) == 0);
    run_one_pass(*loop);
    CHECK(calls == 110);
  }

  TEST_CASE("asyncio::run takes {.debug = true} and Runner takes a loop_factory") {
    // python3 twin: runner_options.
    CHECK(asyncio::run([] { return get_running_loop().get_debug(); }, {.debug = true, .loop_factory = {}}));
    CHECK_FALSE(asyncio::run([] { return get_running_loop().get_debug(); }));
    Ref<BaseEventLoop> made;
    {
      Runner runner({.debug = std::nullopt, .loop_factory = [&made] {
        made = new_event_loop("poll");
        return made;
      }});
      CHECK(runner.run([] { return std::string(get_running_loop().selector().kind()); }) == "poll");
      CHECK(&runner.get_loop() == made.get());
    }
    CHECK(made->is_closed());
    Runner bad({.debug = std::nullopt, .loop_factory = [] { return Ref<BaseEventLoop>(); }});
    CHECK_THROWS_WITH_AS(bad.run([] {}), "Runner's loop_factory returned no loop", TypeError);
  }
}

TEST_SUITE("fidelity") {
  TEST_CASE("the log record of an exception in a callback carries its exception and the same text") {
    // python3 twin: log_records.
    std::vector<LogRecord> records;
    set_log_record_sink([&records](const LogRecord& r) { records.push_back(r); });
    test_support::LogCapture capture;  // the text sink still gets the text
    {
      TestLoop loop;
      loop->call_soon([] { throw ValueError("k1"); }, "bad");
      run_one_pass(*loop);
    }
    set_log_record_sink(nullptr);
    REQUIRE(records.size() == 1);
    CHECK(records[0].level == LogLevel::error);
    CHECK(records[0].msg.rfind("Exception in callback bad()\nhandle: <Handle bad()>", 0) == 0);
    CHECK(exception_repr(records[0].exc_info) == "ValueError('k1')");
    REQUIRE(capture.lines.size() == 1);
    CHECK(capture.lines[0].second == records[0].message);
  }

  TEST_CASE("the slow-callback record has CPython's template and two arguments") {
    std::vector<LogRecord> records;
    set_log_record_sink([&records](const LogRecord& r) { records.push_back(r); });
    test_support::LogCapture capture;
    {
      TestLoop loop;
      loop->set_debug(true);
      loop->slow_callback_duration = 0.0;  // every callback is "slow": no timing in the test
      loop->call_soon([] {}, "quick");
      run_one_pass(*loop);
    }
    set_log_record_sink(nullptr);
    REQUIRE_FALSE(records.empty());
    CHECK(records[0].level == LogLevel::warning);
    CHECK(records[0].msg == "Executing %s took %.3f seconds");
    REQUIRE(records[0].args.size() == 2);
    CHECK(records[0].args[0] == "<Handle quick()>");
    CHECK(records[0].message.rfind("Executing <Handle quick()> took ", 0) == 0);
  }
}

// Callback arguments (issue 14 part 2) and exception chaining (part 1).
TEST_SUITE("fidelity") {
  TEST_CASE("call_soon(named(...), args...) runs fn(args...) and its repr shows the arguments") {
    TestLoop loop;
    std::vector<std::string> seen;
    auto record = [&seen](const std::string& key, int n) { seen.push_back(key + std::to_string(n)); };
    auto h = loop->call_soon(named("record", record), "k1", 2);
    CHECK(h->repr() == "<Handle record('k1', 2)>");
    CHECK(h->description() == "record('k1', 2)");
    auto t = loop->call_later(0.0, named("record", record), std::string("it's"), 3);
    CHECK(t->description() == "record(\"it's\", 3)");
    run_one_pass(*loop);
    run_one_pass(*loop);
    CHECK(seen == std::vector<std::string>{"k12", "it's3"});
  }

  TEST_CASE("a string after a plain callable is its name, never an argument") {
    TestLoop loop;
    int runs = 0;
    auto h = loop->call_soon([&runs] { ++runs; }, "tick");
    CHECK(h->repr() == "<Handle tick()>");
    run_one_pass(*loop);
    CHECK(runs == 1);
  }

  TEST_CASE("a handle cancelled in debug mode keeps its printed arguments, otherwise forgets them") {
    TestLoop loop;
    auto fn = [](int) {};
    auto quiet = loop->call_soon(named("fn", fn), 1);
    quiet->cancel();
    CHECK(quiet->repr() == "<Handle cancelled>");
    loop->set_debug(true);
    auto kept = loop->call_soon(named("fn", fn), 7);
    kept->cancel();
    CHECK(kept->repr() == "<Handle cancelled fn(7)>");
    run_one_pass(*loop);
  }

  TEST_CASE("an exception in a callback with arguments names them in the handler's message") {
    TestLoop loop;
    std::string message;
    loop->set_exception_handler([&message](BaseEventLoop&, const ExceptionContext& c) { message = c.message; });
    loop->call_soon(named("bad_callback", [](const std::string& key) { throw KeyError(key); }), "k1");
    run_one_pass(*loop);
    CHECK(message == "Exception in callback bad_callback('k1')");
  }

  TEST_CASE("raise_from sets cause, context and suppress_context; raise_in_except sets the context") {
    std::exception_ptr e;
    try {
      try {
        throw ValueError("first");
      } catch (const ValueError&) {
        raise_from(RuntimeError("second"), std::current_exception());
      }
    } catch (const RuntimeError&) {
      e = std::current_exception();
    }
    CHECK(exception_repr(exception_cause(e)) == "ValueError('first')");
    CHECK(exception_repr(exception_context(e)) == "ValueError('first')");
    CHECK(exception_suppress_context(e));
    CHECK(format_exception(e) ==
          "ValueError: first\n\nThe above exception was the direct cause of the following exception:\n\n"
          "RuntimeError: second");
    try {
      try {
        throw CancelledError();
      } catch (const CancelledError&) {
        raise_in_except(TimeoutError());
      }
    } catch (const TimeoutError&) {
      e = std::current_exception();
    }
    CHECK_FALSE(exception_cause(e));
    CHECK_FALSE(exception_suppress_context(e));
    CHECK(format_exception(e) ==
          "asyncio.exceptions.CancelledError\n\nDuring handling of the above exception, another exception "
          "occurred:\n\nTimeoutError");
  }

  TEST_CASE("format_exception stops at an exception it has printed (a cycle of contexts)") {
    auto a = std::make_exception_ptr(ValueError("a"));
    auto b = std::make_exception_ptr(with_cause(RuntimeError("b"), a, a));
    try {
      std::rethrow_exception(a);
    } catch (ValueError& first) {
      first.set_context(b);
    }
    CHECK(format_exception(b) ==
          "ValueError: a\n\nThe above exception was the direct cause of the following exception:\n\nRuntimeError: b");
    // The cycle is one of counted exception_ptrs (Python's collector would free it): break it.
    try {
      std::rethrow_exception(a);
    } catch (ValueError& first) {
      first.set_context(nullptr);
    }
  }

  TEST_CASE("the default exception handler prints the chain after the context lines") {
    test_support::LogCapture capture;
    {
      TestLoop loop;
      loop->call_soon(
          [] {
            try {
              throw ValueError("inner");
            } catch (const ValueError&) {
              raise_from(RuntimeError("outer"), std::current_exception());
            }
          },
          "bad");
      run_one_pass(*loop);
    }
    REQUIRE(capture.lines.size() == 1);
    CHECK(capture.lines[0].second ==
          "Exception in callback bad()\nhandle: <Handle bad()>\nValueError: inner\n\n"
          "The above exception was the direct cause of the following exception:\n\nRuntimeError: outer");
  }
}

// Async generators and StopIteration (issue 14 part 5).
TEST_SUITE("fidelity") {
  TEST_CASE("a body that yields again after GeneratorExit makes aclose raise RuntimeError") {
    std::vector<std::string> seen;
    asyncio::run([&seen] {
      AsyncGenerator<int> gen([&seen](auto& yield) {
        bool closing = false;
        try {
          yield(1);
        } catch (const GeneratorExit&) {
          closing = true;
        }
        if (closing) {
          seen.push_back("caught GeneratorExit");
          yield(2);
        }
      });
      CHECK(gen.anext() == 1);
      CHECK_THROWS_WITH_AS(gen.aclose(), "async generator ignored GeneratorExit", RuntimeError);
    });
    CHECK(seen == std::vector<std::string>{"caught GeneratorExit"});
  }

  TEST_CASE("a StopAsyncIteration leaving the body becomes RuntimeError caused by it") {
    asyncio::run([] {
      AsyncGenerator<int> gen([](auto&) { throw StopAsyncIteration("oops"); });
      std::exception_ptr e;
      try {
        gen.anext();
      } catch (const RuntimeError&) {
        e = std::current_exception();
      }
      REQUIRE(e);
      CHECK(exception_repr(e) == "RuntimeError('async generator raised StopAsyncIteration')");
      CHECK(exception_repr(exception_cause(e)) == "StopAsyncIteration('oops')");
      CHECK_THROWS_AS(gen.anext(), StopAsyncIteration);
    });
  }

  TEST_CASE("a generator body that awaits outside any task gets the await-outside-a-task error") {
    AsyncGenerator<int> gen([](auto& yield) {
      asyncio::sleep(0);
      yield(1);
    });
    CHECK_THROWS_AS(gen.anext(), RuntimeError);
    CHECK(gen.core().finished());
  }

  TEST_CASE("shutdown_asyncgens at asyncio::run's end closes a generator left suspended") {
    std::vector<std::string> seen;
    std::optional<AsyncGenerator<int>> kept;
    asyncio::run([&] {
      kept.emplace([&seen](auto& yield) {
        struct Finally {
          std::vector<std::string>& seen;
          ~Finally() { seen.push_back("finally"); }
        } finally{seen};
        for (int i = 0;; ++i) yield(i);
      });
      CHECK(kept->anext() == 0);
      seen.push_back("main ends");
    });
    CHECK(seen == std::vector<std::string>{"main ends", "finally"});
    CHECK(kept->core().finished());
  }

  TEST_CASE("set_exception refuses StopIteration itself with CPython's TypeError") {
    TestLoop loop;
    auto fut = loop->create_future<int>();
    CHECK_THROWS_WITH_AS(fut.set_exception(StopIteration()),
                         "StopIteration interacts badly with generators and cannot be raised into a Future", TypeError);
    CHECK_FALSE(fut.done());
  }
}

TEST_SUITE("fidelity") {
  TEST_CASE("create_server's bind error is raised from None: the failed bind is a suppressed context") {
    TestLoop loop;
    loop->run_until_complete([] {
      BaseEventLoop& lp = get_running_loop();
      auto protocol = []() -> std::shared_ptr<BaseProtocol> { return std::make_shared<Protocol>(); };
      Ref<Server> first = lp.create_server(protocol, "127.0.0.1", 0);
      const int port = first->sockets().at(0).getsockname().port;
      std::exception_ptr e;
      try {
        lp.create_server(protocol, "127.0.0.1", port);
      } catch (const OSError&) {
        e = std::current_exception();
      }
      REQUIRE(e);
      CHECK(exception_suppress_context(e));
      CHECK_FALSE(exception_cause(e));
      CHECK(exception_str(exception_context(e)).find("Errno 98") != std::string::npos);
      CHECK(format_exception(e).find("During handling") == std::string::npos);
      first->close();
    });
  }
}
