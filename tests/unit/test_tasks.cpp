// test_tasks.cpp: Task's names, its step/wakeup cycle and the passes it takes, cancellation
// (request, message, cancelling/uncancel), exceptions, await/sleep rules and the registry.
// Mirrors Lib/test/test_asyncio/test_tasks.py (BaseTaskTests) in spirit; every rule below was
// checked against CPython 3.11 with python3.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::HandlerRecorder;
using test_support::run_one_pass;
using test_support::TestLoop;

namespace {

// "Task-17" -> 17.
long task_number(const std::string& name) {
  REQUIRE(name.rfind("Task-", 0) == 0);
  return std::stol(name.substr(5));
}

// Sets *flag when destroyed: proves a task's fiber was unwound.
struct SetOnDestroy {
  bool* flag;
  ~SetOnDestroy() { *flag = true; }
};

}  // namespace

TEST_SUITE("tasks") {
  // ------------------------------------------------------------------ names

  TEST_CASE("unnamed tasks are called Task-N from one process-wide counter") {
    TestLoop loop;
    auto a = loop->create_task([] {});
    auto b = loop->create_task([] {});
    TestLoop other;
    auto c = other->create_task([] {});
    CHECK(task_number(b.get_name()) == task_number(a.get_name()) + 1);
    CHECK(task_number(c.get_name()) == task_number(a.get_name()) + 2);
    b.set_name("renamed");
    CHECK(b.get_name() == "renamed");
    run_one_pass(*loop);
    run_one_pass(*other);
  }

  TEST_CASE("loop.create_task with a name takes no number; asyncio::create_task with one does") {
    // python3: inside a task, asyncio.create_task(x), (x, name="x"), (x) -> Task-7, x, Task-9;
    // loop.create_task(x), (x, name="x"), (x) -> Task-10, x, Task-11.
    TestLoop loop;
    std::vector<std::string> names;
    loop->run_until_complete([&] {
      auto a = asyncio::create_task([] {});
      auto b = asyncio::create_task(TaskOptions{"x"}, [] {});
      auto c = asyncio::create_task([] {});
      auto d = get_running_loop().create_task([] {});
      auto e = get_running_loop().create_task(TaskOptions{"y"}, [] {});
      auto f = get_running_loop().create_task([] {});
      for (const auto& t : {a, b, c, d, e, f}) names.push_back(t.get_name());
      asyncio::sleep(0);
    });
    REQUIRE(names.size() == 6);
    const long first = task_number(names[0]);
    CHECK(names[1] == "x");
    CHECK(task_number(names[2]) == first + 2);
    CHECK(task_number(names[3]) == first + 3);
    CHECK(names[4] == "y");
    CHECK(task_number(names[5]) == first + 4);
  }

  // ------------------------------------------------------------------ steps and passes

  TEST_CASE("a task's first step runs in the next pass, in creation order") {
    TestLoop loop;
    std::vector<int> order;
    auto t1 = loop->create_task([&] { order.push_back(1); });
    auto t2 = loop->create_task([&] { order.push_back(2); });
    auto t3 = loop->create_task([&] { order.push_back(3); });
    CHECK(order.empty());
    CHECK_FALSE(t1.done());
    run_one_pass(*loop);
    CHECK(order == std::vector<int>{1, 2, 3});
    CHECK(t1.done());
    CHECK(t3.done());
  }

  TEST_CASE("awaiting a done future returns at once, without yielding") {
    TestLoop loop;
    std::size_t before = 0;
    std::size_t after = 0;
    auto t = loop->create_task([&] {
      Future<int> done = get_running_loop().create_future<int>();
      done.set_result(3);
      before = get_running_loop().pass_count();
      const int v = asyncio::await(done);
      after = get_running_loop().pass_count();
      return v;
    });
    CHECK(loop->run_until_complete(static_cast<Future<int>>(t)) == 3);
    CHECK(after == before);
  }

  TEST_CASE("sleep(0) yields for exactly one pass") {
    TestLoop loop;
    std::vector<std::size_t> passes;
    loop->run_until_complete([&] {
      passes.push_back(get_running_loop().pass_count());
      asyncio::sleep(0);
      passes.push_back(get_running_loop().pass_count());
      asyncio::sleep(0);
      passes.push_back(get_running_loop().pass_count());
    });
    REQUIRE(passes.size() == 3);
    CHECK(passes[1] == passes[0] + 1);
    CHECK(passes[2] == passes[1] + 1);
  }

  TEST_CASE("a future resolved by a callback wakes its task two passes after the await") {
    // python3: the task awaits in pass P; call_soon(fut.set_result) runs in P+1 and queues the
    // wakeup; the task resumes in P+2.
    TestLoop loop;
    std::size_t awaited = 0;
    std::size_t resumed = 0;
    loop->run_until_complete([&] {
      BaseEventLoop& l = get_running_loop();
      Future<int> fut = l.create_future<int>();
      l.call_soon([fut] { fut.set_result(1); });
      awaited = l.pass_count();
      asyncio::await(fut);
      resumed = l.pass_count();
    });
    CHECK(resumed == awaited + 2);
  }

  TEST_CASE("a task can await another task and gets its result") {
    TestLoop loop;
    const int v = loop->run_until_complete([] {
      auto inner = asyncio::create_task([] {
        asyncio::sleep(0);
        return 20;
      });
      return asyncio::await(inner) + 1;
    });
    CHECK(v == 21);
  }

  // ------------------------------------------------------------------ cancellation

  TEST_CASE("a task cancelled before its first step never runs its body") {
    TestLoop loop;
    bool ran = false;
    auto t = loop->create_task([&] { ran = true; });
    CHECK(t.cancel());
    CHECK_FALSE(t.done());  // cancel is a request; the step delivers it
    run_one_pass(*loop);
    CHECK_FALSE(ran);
    CHECK(t.cancelled());
    CHECK_THROWS_AS(t.result(), CancelledError);
    CHECK_FALSE(t.cancel());
  }

  TEST_CASE("cancel while awaiting throws CancelledError with the message at the await") {
    // python3: the task catches CancelledError('stop') and returns 5 -> result 5,
    // cancelled() False, cancelling() 1.
    TestLoop loop;
    Future<int> fut = loop->create_future<int>();
    std::string caught = "<nothing>";
    auto t = loop->create_task([&caught, fut] {
      try {
        asyncio::await(fut);
      } catch (const CancelledError& e) {
        caught = e.message();
      }
      return 5;
    });
    run_one_pass(*loop);
    CHECK(t.task_core().fut_waiter() == &fut.core());
    CHECK(t.cancel("stop"));
    CHECK(fut.cancelled());  // the awaited future is cancelled at once
    run_one_pass(*loop);
    CHECK(caught == "stop");
    CHECK(t.done());
    CHECK_FALSE(t.cancelled());
    CHECK(t.result() == 5);
    CHECK(t.cancelling() == 1);
  }

  TEST_CASE("a cancelled task gives its message to the first result() only") {
    // python3: t.cancel("m") on a task awaiting a future; the first retrieval raises
    // CancelledError('m'), later ones CancelledError() (Task._make_cancelled_error).
    TestLoop loop;
    Future<int> fut = loop->create_future<int>();
    auto t = loop->create_task([fut] { return asyncio::await(fut); });
    run_one_pass(*loop);
    t.cancel("m");
    run_one_pass(*loop);
    REQUIRE(t.cancelled());
    CHECK_THROWS_WITH_AS(t.result(), "m", CancelledError);
    // No message (str() is ''): what() says the class name.
    CHECK_THROWS_WITH_AS(t.result(), "CancelledError", CancelledError);
    CHECK_THROWS_WITH_AS(t.exception(), "CancelledError", CancelledError);
  }

  TEST_CASE("a task that cancels itself and then returns ends cancelled") {
    TestLoop loop;
    bool returned = false;
    auto t = loop->create_task([&] {
      current_task()->cancel();
      returned = true;
      return 3;
    });
    run_one_pass(*loop);
    CHECK(returned);
    CHECK(t.cancelled());
  }

  TEST_CASE("cancelling() counts cancel requests and uncancel() takes one back") {
    // python3: t.cancel(), t.cancel(), t.cancelling(), t.uncancel(), t.cancelling()
    // -> True True 2 1 1
    TestLoop loop;
    Future<int> fut = loop->create_future<int>();
    auto t = loop->create_task([fut] { asyncio::await(fut); });
    run_one_pass(*loop);
    CHECK(t.cancelling() == 0);
    CHECK(t.cancel());
    CHECK(t.cancel());
    CHECK(t.cancelling() == 2);
    CHECK(t.uncancel() == 1);
    CHECK(t.cancelling() == 1);
    run_one_pass(*loop);
    CHECK(t.cancelled());
    CHECK_FALSE(t.cancel());
    CHECK(t.cancelling() == 1);
  }

  TEST_CASE("uncancel never goes below zero") {
    TestLoop loop;
    auto t = loop->create_task([] {});
    CHECK(t.uncancel() == 0);
    run_one_pass(*loop);
  }

  // ------------------------------------------------------------------ exceptions

  TEST_CASE("an exception in the body finishes the task with it") {
    TestLoop loop;
    auto t = loop->create_task([]() -> int { throw ValueError("boom"); });
    run_one_pass(*loop);
    CHECK(t.done());
    CHECK_FALSE(t.cancelled());
    CHECK(exception_repr(t.exception()) == "ValueError('boom')");
    CHECK_THROWS_WITH_AS(t.result(), "boom", ValueError);
  }

  TEST_CASE("a task refuses set_result and set_exception, pending or done, and keeps its own result") {
    // CPython: RuntimeError('Task does not support set_result operation'), checked before the
    // state, so a done task says the same.
    TestLoop loop;
    auto t = loop->create_task([] { return 7; });
    CHECK_THROWS_WITH_AS(t.set_result(1), "Task does not support set_result operation", RuntimeError);
    CHECK_THROWS_WITH_AS(t.set_exception(ValueError("x")), "Task does not support set_exception operation",
                         RuntimeError);
    CHECK_FALSE(t.done());
    run_one_pass(*loop);
    REQUIRE(t.done());
    CHECK_THROWS_WITH_AS(t.set_result(2), "Task does not support set_result operation", RuntimeError);
    CHECK(t.result() == 7);
  }

  TEST_CASE("a task's exception never retrieved is reported when the task goes") {
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    {
      auto t = loop->create_task([] { throw ValueError("lost"); });
      run_one_pass(*loop);
      CHECK(t.done());
    }
    REQUIRE(recorder.messages.size() == 1);
    CHECK(recorder.messages[0] == "Task exception was never retrieved");
    CHECK(recorder.exceptions[0] == "ValueError('lost')");
  }

  TEST_CASE("await outside a task raises RuntimeError saying so") {
    TestLoop loop;
    Future<int> fut = loop->create_future<int>();
    CHECK_THROWS_WITH_AS(asyncio::await(fut), doctest::Contains("outside a task"), RuntimeError);
    CHECK_THROWS_WITH_AS(asyncio::sleep(0), doctest::Contains("outside a task"), RuntimeError);
    // Also from a plain callback of a running loop.
    bool checked = false;
    loop->call_soon([&] {
      CHECK_THROWS_WITH_AS(asyncio::await(fut), doctest::Contains("outside a task"), RuntimeError);
      checked = true;
    });
    run_one_pass(*loop);
    CHECK(checked);
    // A done future needs no task: await returns its result at once.
    fut.set_result(4);
    CHECK(asyncio::await(fut) == 4);
  }

  // ------------------------------------------------------------------ the registry

  TEST_CASE("current_task is the task whose step runs, and null elsewhere") {
    TestLoop loop;
    TaskCore* inside = nullptr;
    TaskCore* in_callback = reinterpret_cast<TaskCore*>(1);
    auto t = loop->create_task([&] { inside = current_task().get(); });
    loop->call_soon([&] { in_callback = current_task().get(); });
    run_one_pass(*loop);
    CHECK(inside == &t.task_core());
    CHECK(in_callback == nullptr);
    CHECK(current_task(*loop).get() == nullptr);
    CHECK_THROWS_WITH_AS(current_task(), "no running event loop", RuntimeError);
  }

  TEST_CASE("all_tasks lists the tasks that are not done") {
    TestLoop loop;
    Future<int> fut = loop->create_future<int>();
    auto quick = loop->create_task([] {});
    auto w1 = loop->create_task([fut] { asyncio::await(fut); });
    auto w2 = loop->create_task([fut] { asyncio::await(fut); });
    CHECK(all_tasks(*loop).size() == 3);
    run_one_pass(*loop);
    std::vector<Ref<TaskCore>> pending = all_tasks(*loop);
    CHECK(pending.size() == 2);
    auto has = [&](const TaskCore& t) {
      return std::any_of(pending.begin(), pending.end(), [&](const Ref<TaskCore>& r) { return r.get() == &t; });
    };
    CHECK(has(w1.task_core()));
    CHECK(has(w2.task_core()));
    CHECK_FALSE(has(quick.task_core()));
    fut.set_result(0);
    run_one_pass(*loop);
    CHECK(all_tasks(*loop).empty());
  }

  TEST_CASE("all_tasks lists tasks in creation order, before and after one in the middle ends") {
    // CPython's WeakSet follows addresses, in practice creation order: asyncio.run cancels the
    // tasks left in that order (twintrace.example.02_superloop_async checks it against CPython).
    TestLoop loop;
    Future<int> fut = loop->create_future<int>();
    auto a = loop->create_task([fut] { asyncio::await(fut); });
    auto b = loop->create_task([] {});
    auto c = loop->create_task([fut] { asyncio::await(fut); });
    auto order = [&] {
      std::vector<const TaskCore*> out;
      for (const Ref<TaskCore>& t : all_tasks(*loop)) out.push_back(t.get());
      return out;
    };
    CHECK(order() == std::vector<const TaskCore*>{&a.task_core(), &b.task_core(), &c.task_core()});
    run_one_pass(*loop);  // b is done
    auto d = loop->create_task([fut] { asyncio::await(fut); });
    CHECK(order() == std::vector<const TaskCore*>{&a.task_core(), &c.task_core(), &d.task_core()});
    fut.set_result(0);
    run_one_pass(*loop);
    run_one_pass(*loop);
    CHECK(all_tasks(*loop).empty());
  }

  TEST_CASE("a task left pending when its loop closes is unwound and reported") {
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    bool local_destroyed = false;
    {
      Future<int> never = loop->create_future<int>();
      auto t = loop->create_task([&local_destroyed, never] {
        SetOnDestroy local{&local_destroyed};
        asyncio::await(never);
      });
      run_one_pass(*loop);
      CHECK_FALSE(t.done());
    }
    CHECK_FALSE(local_destroyed);  // the task's stack keeps it alive, waiting
    loop->close();
    CHECK(local_destroyed);
    REQUIRE(recorder.messages.size() == 1);
    CHECK(recorder.messages[0] == "Task was destroyed but it is pending!");
  }

  TEST_CASE("throw; after an await inside a catch block rethrows the task's own exception") {
    // Two tasks suspend inside their catch blocks; each must rethrow its own error, as the
    // Python twin (`except: await asyncio.sleep(0); raise`) does.
    TestLoop loop;
    std::vector<std::string> seen;
    auto body = [&seen](std::string me) {
      try {
        try {
          throw asyncio::ValueError(me);
        } catch (...) {
          asyncio::sleep(0);
          throw;
        }
      } catch (const asyncio::ValueError& e) {
        seen.push_back(me + " rethrew " + e.what());
      }
    };
    loop->run_until_complete([&] {
      auto a = loop->create_task(body, std::string("A"));
      auto b = loop->create_task(body, std::string("B"));
      asyncio::await(a);
      asyncio::await(b);
    });
    CHECK(seen == std::vector<std::string>{"A rethrew A", "B rethrew B"});
    CHECK(std::uncaught_exceptions() == 0);
  }
  TEST_CASE("a task stepped by run_once() alone can await, but no loop is running") {
    // python3 (loop._run_once() called by hand, no run_forever): the body runs and awaits
    // sleep(0) and a future; inside it get_running_loop() raises 'no running event loop',
    // current_task(loop) is the task, and sleep(0.01) raises the same RuntimeError (it asks
    // for the running loop). Passes: ['start'], ['start', 'after sleep0'], no change (the
    // set_result callback runs), then the rest and the task is done with 42.
    TestLoop loop;
    Future<int> fut = loop->create_future<int>();
    std::vector<std::string> log;
    Task<int> task;
    task = loop->create_task([&]() -> int {
      log.push_back("start");
      asyncio::sleep(0);
      log.push_back("after sleep0");
      const int v = asyncio::await(fut);
      log.push_back("got " + std::to_string(v));
      try {
        get_running_loop();
      } catch (const RuntimeError& e) {
        log.push_back(std::string("get_running_loop: ") + e.what());
      }
      log.push_back(current_task(*loop).get() == &task.task_core() ? "current_task(loop) is task" : "other");
      try {
        asyncio::sleep(0.01);
      } catch (const RuntimeError& e) {
        log.push_back(std::string("sleep(0.01): ") + e.what());
      }
      return 42;
    });
    loop->run_once();
    CHECK(log == std::vector<std::string>{"start"});
    loop->run_once();
    CHECK(log.size() == 2);
    loop->call_soon([fut] { fut.set_result(7); });
    loop->run_once();
    CHECK(log.size() == 2);
    CHECK_FALSE(task.done());
    loop->run_once();
    CHECK(log == std::vector<std::string>{"start", "after sleep0", "got 7", "get_running_loop: no running event loop",
                                          "current_task(loop) is task", "sleep(0.01): no running event loop"});
    REQUIRE(task.done());
    CHECK(task.result() == 42);
  }
}
