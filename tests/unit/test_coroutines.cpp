// test_coroutines.cpp: stackless tasks (coroutines.hpp): a Coro<T> runs nothing until scheduled
// or awaited; create_task(coro) gives the same Task<T> as the function form (named, in all_tasks,
// awaitable from fibers and coroutines, cancellable); co_await on futures, tasks and coroutines;
// the _async forms; cancellation as CPython's; misuse is a RuntimeError or a RuntimeWarning.
// Every rule was checked against CPython 3.11 with python3 (the async def equivalent).
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "asyncio/warnings.hpp"
#include "io_support.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::run_one_pass;
using test_support::TestLoop;

namespace {

struct SetOnDestroy {
  bool* flag;
  ~SetOnDestroy() { *flag = true; }
};

// A coroutine echo handler (start_server_async runs it as a coroutine task per connection).
std::vector<std::string> echo_server_log;
Coro<void> echo_handler(std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
  echo_server_log.push_back(current_task()->stack_size() == 0 ? "coroutine task" : "fiber task");
  for (;;) {
    std::string line = co_await reader->readline_async();
    if (line.empty()) break;
    writer->write("echo: " + line);
    co_await writer->drain_async();
  }
  writer->close();
  co_await writer->wait_closed_async();
  echo_server_log.push_back("handler done");
}

// A whole client and server in one coroutine task: no fiber anywhere.
Coro<std::vector<std::string>> echo_client_and_server() {
  std::vector<std::string> got;
  Ref<Server> server = co_await start_server_async(echo_handler, "127.0.0.1", 0);
  got.push_back(server->is_serving() ? "serving" : "not serving");
  const int port = server->sockets().at(0).getsockname().port;
  Task<void> forever = get_running_loop().create_task(server->serve_forever_async());
  auto [reader, writer] = co_await open_connection_async("127.0.0.1", port);
  for (const char* line : {"one\n", "two\n"}) {
    writer->write(line);
    co_await writer->drain_async();
    got.push_back(co_await reader->readline_async());
  }
  writer->write_eof();
  got.push_back("eof read: [" + co_await reader->read_async() + "]");
  writer->close();
  co_await writer->wait_closed_async();
  forever.cancel();  // serve_forever_async closes the server and waits for it
  try {
    co_await forever;
  } catch (const CancelledError&) {
    got.push_back("serve_forever cancelled");
  }
  got.push_back(server->is_serving() ? "serving" : "not serving");
  co_await server->wait_closed_async();
  co_return got;
}

Coro<int> answer(std::vector<std::string>* log) {
  log->push_back("answer runs");
  co_return 42;
}

Coro<int> add_later(Future<int> a, Future<int> b) {
  const int x = co_await a;
  const int y = co_await b;
  co_return x + y;
}

Coro<void> fail_with(std::string what) {
  co_await sleep_async(0);
  throw ValueError(what);
}

Coro<std::string> outer_catches() {
  try {
    co_await fail_with("inner");
  } catch (const ValueError& e) {
    co_return std::string("caught ") + e.what();
  }
  co_return "not reached";
}

Coro<void> sleeper(std::vector<std::string>* log, bool* destroyed) {
  SetOnDestroy guard{destroyed};
  log->push_back("start");
  try {
    co_await sleep_async(10);
  } catch (const CancelledError&) {
    log->push_back("cancelled at the co_await");
    throw;
  }
  log->push_back("not reached");
}

// Records RuntimeWarnings while it lives (on by default, as in Python; other tests may have
// turned every category off with simplefilter("ignore")).
struct WarningCapture {
  std::vector<std::string> lines;
  bool was_on = warnings::enabled("RuntimeWarning");
  WarningCapture() {
    warnings::filterwarnings("default", "RuntimeWarning");
    warnings::set_sink([this](const std::string& category, const std::string& message) {
      lines.push_back(category + ": " + message);
    });
  }
  ~WarningCapture() {
    warnings::set_sink(nullptr);
    warnings::filterwarnings(was_on ? "default" : "ignore", "RuntimeWarning");
  }
};

Coro<void> never_run() { co_return; }

// The order in which tasks are created and timers scheduled (call_at/call_later), as the loop
// reports them to its observer.
struct ScheduleOrder : Observer {
  std::vector<std::string> events;
  void task_created(BaseEventLoop&, const TaskCore&) override { events.push_back("task"); }
  void handle_scheduled(BaseEventLoop&, const Handle&, ScheduleHow how, const FutureCore*, double delay) override {
    if (how == ScheduleHow::call_at) events.push_back("timer " + std::to_string(static_cast<int>(delay)));
  }
};

}  // namespace

TEST_SUITE("coroutines") {
  TEST_CASE("a coroutine object runs nothing until its task's first step, one pass later") {
    TestLoop loop;
    std::vector<std::string> log;
    Coro<int> coro = answer(&log);
    CHECK(log.empty());
    Task<int> task = loop->create_task(std::move(coro));
    CHECK(log.empty());
    CHECK_FALSE(task.done());
    run_one_pass(*loop);
    CHECK(log == std::vector<std::string>{"answer runs"});
    REQUIRE(task.done());
    CHECK(task.result() == 42);
    CHECK(task.repr().find("<Task finished name='Task-") == 0);
  }

  TEST_CASE("a coroutine task is named, in all_tasks while pending, and current_task in its body") {
    TestLoop loop;
    Ref<TaskCore> seen;
    auto body = [](Ref<TaskCore>* out) -> Coro<void> {
      *out = current_task();
      co_await sleep_async(0);
    };
    Task<void> task = loop->create_task(TaskOptions{"coro-task"}, body(&seen));
    CHECK(task.get_name() == "coro-task");
    bool listed = false;
    for (const Ref<TaskCore>& t : all_tasks(*loop)) listed = listed || t.get() == &task.task_core();
    CHECK(listed);
    loop->run_until_complete(Future<void>(task));
    CHECK(seen.get() == &task.task_core());
    CHECK(all_tasks(*loop).empty());
  }

  TEST_CASE("co_await on pending futures suspends; on a done one it does not") {
    TestLoop loop;
    Future<int> a = loop->create_future<int>();
    Future<int> b = loop->create_future<int>();
    b.set_result(2);
    Task<int> task = loop->create_task(add_later(a, b));
    run_one_pass(*loop);
    CHECK(task.task_core().fut_waiter() == &a.core());
    a.set_result(40);
    run_one_pass(*loop);  // the wakeup; b is done: no further suspension
    REQUIRE(task.done());
    CHECK(task.result() == 42);
  }

  TEST_CASE("co_await on a coroutine runs it inline; its exception reaches the awaiter") {
    TestLoop loop;
    Task<std::string> task = loop->create_task(outer_catches());
    CHECK(loop->run_until_complete(Future<std::string>(task)) == "caught inner");
  }

  TEST_CASE("a fiber awaits a coroutine task and a coroutine awaits a fiber task") {
    TestLoop loop;
    std::vector<std::string> log;
    auto coro_awaits_fiber = [](std::vector<std::string>* lg) -> Coro<int> {
      Task<int> fiber = create_task([lg] {
        asyncio::sleep(0);
        lg->push_back("fiber body");
        return 20;
      });
      const int v = co_await fiber;
      lg->push_back("coroutine got " + std::to_string(v));
      co_return v + 1;
    };
    const int result = loop->run_until_complete([&] {
      Task<int> coro_task = create_task(coro_awaits_fiber(&log));
      const int v = await(coro_task);
      log.push_back("fiber got " + std::to_string(v));
      return v * 2;
    });
    CHECK(result == 42);
    CHECK(log == std::vector<std::string>{"fiber body", "coroutine got 20", "fiber got 21"});
  }

  TEST_CASE("sleep_async(0) yields exactly one pass, as sleep(0)") {
    TestLoop loop;
    std::vector<std::string> log;
    auto yielder = [](std::vector<std::string>* lg, std::string name) -> Coro<void> {
      lg->push_back(name + "1");
      co_await sleep_async(0);
      lg->push_back(name + "2");
    };
    Task<void> a = loop->create_task(yielder(&log, "a"));
    Task<void> b = loop->create_task([&log] {
      log.push_back("f1");
      asyncio::sleep(0);
      log.push_back("f2");
    });
    run_one_pass(*loop);
    CHECK(log == std::vector<std::string>{"a1", "f1"});
    run_one_pass(*loop);
    CHECK(log == std::vector<std::string>{"a1", "f1", "a2", "f2"});
  }

  TEST_CASE("cancel: CancelledError is thrown in at the co_await, destructors run") {
    TestLoop loop;
    std::vector<std::string> log;
    bool destroyed = false;
    Task<void> task = loop->create_task(sleeper(&log, &destroyed));
    run_one_pass(*loop);
    CHECK(task.cancel("stop"));
    CHECK(task.cancelling() == 1);
    run_one_pass(*loop);  // the sleep's future is cancelled: the wakeup throws in
    REQUIRE(task.cancelled());
    CHECK(log == std::vector<std::string>{"start", "cancelled at the co_await"});
    CHECK(destroyed);
    CHECK_THROWS_AS(task.result(), CancelledError);
  }

  TEST_CASE("a coroutine task cancelled before its first step never runs its body") {
    TestLoop loop;
    WarningCapture warnings;
    std::vector<std::string> log;
    bool destroyed = false;
    Task<void> task = loop->create_task(sleeper(&log, &destroyed));
    task.cancel();
    run_one_pass(*loop);
    CHECK(task.cancelled());
    CHECK(log.empty());
    CHECK(warnings.lines.empty());  // thrown into before starting: closed, not "never awaited"
  }

  TEST_CASE("uncancel: a coroutine that swallows the CancelledError goes on") {
    TestLoop loop;
    auto body = []() -> Coro<int> {
      int left = -1;
      try {
        co_await sleep_async(10);
      } catch (const CancelledError&) {
        left = current_task()->uncancel();
      }
      co_await sleep_async(0);  // (no co_await inside a handler: C++ forbids it)
      co_return 100 + left;
    };
    Task<int> task = loop->create_task(body());
    run_one_pass(*loop);
    task.cancel();
    CHECK(loop->run_until_complete(Future<int>(task)) == 100);
    CHECK(task.cancelling() == 0);
  }

  TEST_CASE("combinators take coroutine tasks as they are: gather, wait_for, shield") {
    TestLoop loop;
    auto value_after = [](double delay, int v) -> Coro<int> { co_return co_await sleep_async(delay, v); };
    const auto [x, y] = loop->run_until_complete([&] {
      auto g = gather(create_task(value_after(0.01, 1)), create_task(value_after(0, 2)));
      return await(g);
    });
    CHECK(x == 1);
    CHECK(y == 2);
    CHECK_THROWS_AS(loop->run_until_complete([&] { return wait_for(create_task(value_after(10, 3)), 0.01); }),
                    TimeoutError);
    CHECK(loop->run_until_complete([&] { return await(shield(create_task(value_after(0, 4)))); }) == 4);
  }

  TEST_CASE("wait_for_async: the result in time, TimeoutError (inner cancelled) when late") {
    TestLoop loop;
    auto value_after = [](double delay, int v) -> Coro<int> { co_return co_await sleep_async(delay, v); };
    auto main = [&]() -> Coro<std::string> {
      const int v = co_await wait_for_async(value_after(0, 5), 10.0);
      Task<int> slow = create_task(value_after(10, 6));
      try {
        co_await wait_for_async(slow, 0.01);
      } catch (const TimeoutError&) {
        co_return "got " + std::to_string(v) + ", then timeout; slow cancelled=" + (slow.cancelled() ? "yes" : "no");
      }
      co_return "no timeout";
    };
    CHECK(loop->run_until_complete(Future<std::string>(loop->create_task(main()))) ==
          "got 5, then timeout; slow cancelled=yes");
  }

  TEST_CASE("wait_for_async schedules its timeout before the inner task's first step, as wait_for does") {
    // CPython 3.11's wait_for: `timeout_handle = loop.call_later(...)` comes before
    // `fut = ensure_future(fut)`; twin compose_wait_for_timeout_coro traces it.
    TestLoop loop;
    auto value_after = [](double delay, int v) -> Coro<int> { co_return co_await sleep_async(delay, v); };
    ScheduleOrder coro_order;
    loop->set_observer(&coro_order);
    auto main = [&]() -> Coro<int> { co_return co_await wait_for_async(value_after(0, 7), 5.0); };
    CHECK(loop->run_until_complete(Future<int>(loop->create_task(main()))) == 7);
    loop->set_observer(nullptr);
    // main's task, wait_for's timer, then the task running the coroutine object.
    CHECK(coro_order.events == std::vector<std::string>{"task", "timer 5", "task"});

    ScheduleOrder fiber_order;
    loop->set_observer(&fiber_order);
    CHECK(loop->run_until_complete([&] { return wait_for(value_after(0, 8), 5.0); }) == 8);
    loop->set_observer(nullptr);
    CHECK(fiber_order.events == coro_order.events);

    // No timeout: the coroutine object runs inline, no task and no timer.
    ScheduleOrder no_timeout;
    loop->set_observer(&no_timeout);
    auto inline_main = [&]() -> Coro<int> { co_return co_await wait_for_async(value_after(0, 9), std::nullopt); };
    CHECK(loop->run_until_complete(Future<int>(loop->create_task(inline_main()))) == 9);
    loop->set_observer(nullptr);
    CHECK(no_timeout.events == std::vector<std::string>{"task"});
  }

  TEST_CASE("Lock, Event and Queue have _async forms, FIFO like the fiber forms") {
    TestLoop loop;
    std::vector<std::string> log;
    Lock lock;
    Event event;
    Queue<int> queue(1);
    auto locker = [](Lock* lk, std::vector<std::string>* lg, std::string name) -> Coro<void> {
      co_await lk->acquire_async();
      lg->push_back(name + " has the lock");
      co_await sleep_async(0);
      lk->release();
    };
    auto waiter = [](Event* ev, std::vector<std::string>* lg) -> Coro<void> {
      co_await ev->wait_async();
      lg->push_back("event seen");
    };
    auto producer = [](Queue<int>* q) -> Coro<void> {
      for (int i = 0; i < 3; ++i) co_await q->put_async(i);
    };
    auto consumer = [](Queue<int>* q, std::vector<std::string>* lg) -> Coro<void> {
      for (int i = 0; i < 3; ++i) lg->push_back("got " + std::to_string(co_await q->get_async()));
    };
    loop->run_until_complete([&] {
      auto t1 = create_task(locker(&lock, &log, "a"));
      auto t2 = create_task(locker(&lock, &log, "b"));
      auto t3 = create_task(waiter(&event, &log));
      auto t4 = create_task(producer(&queue));
      auto t5 = create_task(consumer(&queue, &log));
      asyncio::sleep(0);
      event.set();
      await(gather(t1, t2, t3, t4, t5));
    });
    // python3 (the same program with async def): this exact order.
    CHECK(log == std::vector<std::string>{"a has the lock", "got 0", "event seen", "b has the lock", "got 1", "got 2"});
  }

  TEST_CASE("a fiber-only suspending call in a coroutine task is a RuntimeError naming the _async form") {
    TestLoop loop;
    auto body = []() -> Coro<std::string> {
      std::string out;
      try {
        sleep(0.1);
      } catch (const RuntimeError& e) {
        out += e.what();
      }
      out += " | ";
      try {
        Future<int> done = get_running_loop().create_future<int>();
        done.set_result(1);
        await(done);
      } catch (const RuntimeError& e) {
        out += e.what();
      }
      co_return out;
    };
    const std::string out = loop->run_until_complete(Future<std::string>(loop->create_task(body())));
    CHECK(out.find("asyncio::sleep() suspends a fiber; in a coroutine task use co_await asyncio::sleep_async") == 0);
    CHECK(out.find("| asyncio::await() suspends a fiber; in a coroutine task use co_await") != std::string::npos);
  }

  TEST_CASE("a coroutine object never awaited nor scheduled is a RuntimeWarning naming it") {
    WarningCapture warnings;
    { Coro<void> coro = never_run(); }
    REQUIRE(warnings.lines.size() == 1);
    CHECK(warnings.lines[0] == "RuntimeWarning: coroutine 'never_run' was never awaited");
  }

  TEST_CASE("a coroutine task dropped before its first step: pending report and never-awaited warning") {
    WarningCapture warnings;
    test_support::HandlerRecorder handler;
    {
      TestLoop loop;
      handler.attach(*loop);
      { Task<void> task = loop->create_task(never_run()); }
      loop->close();
    }
    CHECK(warnings.lines == std::vector<std::string>{"RuntimeWarning: coroutine 'never_run' was never awaited"});
  }

  TEST_CASE("a coroutine object runs once: a second use is RuntimeError") {
    TestLoop loop;
    auto body = []() -> Coro<std::string> {
      Coro<void> inner = never_run();
      co_await inner;
      try {
        co_await inner;
      } catch (const RuntimeError& e) {
        co_return e.what();
      }
      co_return "";
    };
    CHECK(loop->run_until_complete(Future<std::string>(loop->create_task(body()))) ==
          "cannot reuse already awaited coroutine");
  }

  TEST_CASE("cancel reaches the innermost co_await; every frame's destructors run, inner first") {
    TestLoop loop;
    std::vector<std::string> log;
    struct Note {
      std::vector<std::string>* log;
      const char* what;
      ~Note() { log->push_back(what); }
    };
    auto inner = [](std::vector<std::string>* lg) -> Coro<void> {
      Note note{lg, "inner frame unwound"};
      co_await sleep_async(10);
    };
    auto outer = [&inner](std::vector<std::string>* lg) -> Coro<void> {
      Note note{lg, "outer frame unwound"};
      co_await inner(lg);
    };
    Task<void> task = loop->create_task(outer(&log));
    run_one_pass(*loop);
    task.cancel();
    run_one_pass(*loop);
    CHECK(task.cancelled());
    CHECK(log == std::vector<std::string>{"inner frame unwound", "outer frame unwound"});
  }

  TEST_CASE("a pending coroutine task on a closing loop is unwound: its destructors run") {
    std::vector<std::string> log;
    bool destroyed = false;
    test_support::HandlerRecorder handler;
    {
      TestLoop loop;
      handler.attach(*loop);
      Task<void> task = loop->create_task(sleeper(&log, &destroyed));
      run_one_pass(*loop);
      loop->close();
    }
    CHECK(log == std::vector<std::string>{"start"});
    CHECK(destroyed);
  }

  TEST_CASE("a coroutine task awaiting itself gets RuntimeError at its co_await, as a fiber task does") {
    TestLoop loop;
    auto body = []() -> Coro<std::string> {
      Ref<TaskCore> me = current_task();
      std::string out;
      try {
        co_await Task<std::string>(Ref<FutureCore>(me.get()));
      } catch (const RuntimeError& e) {
        out = e.what();
      }
      co_return out;
    };
    const std::string out = loop->run_until_complete(Future<std::string>(loop->create_task(body())));
    CHECK(out.find("Task cannot await on itself") == 0);
  }

  TEST_CASE("an exception leaving a coroutine task reaches the fiber that awaits it") {
    TestLoop loop;
    CHECK_THROWS_WITH_AS(loop->run_until_complete([] { await(create_task(fail_with("boom"))); }), "boom", ValueError);
  }

  TEST_CASE("a fiber-form lock acquire that would suspend is a RuntimeError in a coroutine task") {
    TestLoop loop;
    Lock lock;
    auto body = [](Lock* lk) -> Coro<std::string> {
      co_await lk->acquire_async();
      std::string out;
      try {
        lk->acquire();  // held: the fiber form would suspend
      } catch (const RuntimeError& e) {
        out = e.what();
      }
      lk->release();
      co_return out;
    };
    const std::string out = loop->run_until_complete(Future<std::string>(loop->create_task(body(&lock))));
    CHECK(out.find("asyncio::await() suspends a fiber; in a coroutine task use co_await") == 0);
    CHECK_FALSE(lock.locked());
  }

  TEST_CASE("TaskGroup, wait, as_completed and timeout take coroutine tasks as they are") {
    TestLoop loop;
    auto value_after = [](double delay, int v) -> Coro<int> { co_return co_await sleep_async(delay, v); };
    const int total = loop->run_until_complete([&] {
      int sum = 0;
      TaskGroup tg;
      async_with(tg, [&] {
        auto a = tg.create_task(value_after(0.01, 1));
        auto b = tg.create_task(TaskOptions{"b"}, value_after(0, 2));
        CHECK(b.get_name() == "b");
        sleep(0.05);
        sum += a.result() + b.result();
      });
      auto [done, pending] = wait(std::vector<Task<int>>{create_task(value_after(0, 10))});
      CHECK(pending.empty());
      sum += done.at(0).result();
      for (auto next : as_completed(std::vector<Task<int>>{create_task(value_after(0.02, 100)), create_task(value_after(0, 200))}))
        sum += next();
      CHECK_THROWS_AS(timeout(0.01, [&] { await(create_task(value_after(10, 0))); }), TimeoutError);
      return sum;
    });
    CHECK(total == 313);
  }

  TEST_CASE("timeout_async: TimeoutError when the body is late, its value in time") {
    TestLoop loop;
    auto value_after = [](double delay, int v) -> Coro<int> { co_return co_await sleep_async(delay, v); };
    auto main = [&]() -> Coro<std::string> {
      const int v = co_await timeout_async(10.0, value_after(0, 7));
      bool timed_out = false;
      try {
        co_await timeout_async(0.01, value_after(10, 8));
      } catch (const TimeoutError&) {
        timed_out = true;
      }
      co_return std::to_string(v) + (timed_out ? " timeout" : " none") + " cancelling=" +
          std::to_string(current_task()->cancelling());
    };
    CHECK(loop->run_until_complete(Future<std::string>(loop->create_task(main()))) == "7 timeout cancelling=0");
  }

#if !defined(__SANITIZE_ADDRESS__)
  TEST_CASE("coroutine frames come from the block arena, not the heap") {
    // The arena carves 2 MiB-aligned chunks: a frame's local lives in the chunk the arena's own
    // blocks come from (a heap frame would not).
    TestLoop loop;
    std::uintptr_t local_at = 0;
    auto body = [](std::uintptr_t* out) -> Coro<void> {
      int local = 0;
      *out = reinterpret_cast<std::uintptr_t>(&local);
      co_await sleep_async(0);
      local += 1;
    };
    void* before = asyncio::detail::arena_allocate(64);
    Task<void> task = loop->create_task(body(&local_at));
    void* after = asyncio::detail::arena_allocate(64);
    run_one_pass(*loop);
    REQUIRE(local_at != 0);
    const auto chunk = [](std::uintptr_t p) { return p >> 21; };
    CHECK((chunk(local_at) == chunk(reinterpret_cast<std::uintptr_t>(before)) ||
           chunk(local_at) == chunk(reinterpret_cast<std::uintptr_t>(after))));
    asyncio::detail::arena_free(before, 64);
    asyncio::detail::arena_free(after, 64);
    run_one_pass(*loop);
    CHECK(task.done());
  }
#endif

  TEST_CASE("gather, shield and wait_for take coroutine objects, as they take coroutines in Python") {
    TestLoop loop;
    auto value_after = [](double delay, int v) -> Coro<int> { co_return co_await sleep_async(delay, v); };
    const auto [a, b] = loop->run_until_complete([&] { return await(gather(value_after(0.01, 1), value_after(0, 2))); });
    CHECK(a + b == 3);
    CHECK(loop->run_until_complete([&] { return await(shield(value_after(0, 4))); }) == 4);
    CHECK(loop->run_until_complete([&] { return wait_for(value_after(0, 5), std::nullopt); }) == 5);
    auto main = [&]() -> Coro<int> {
      const auto [x, y] = co_await gather(value_after(0, 10), value_after(0.01, 20));
      co_return x + y;
    };
    CHECK(loop->run_until_complete(Future<int>(loop->create_task(main()))) == 30);
  }

  // ---- the _async forms of the second increment. Each expected log is what python3 printed for
  // the same program with async def (Condition, Semaphore, Barrier, TaskGroup, wait, as_completed).

  TEST_CASE("Condition: wait_async and wait_for_async, the lock held on waking; without it RuntimeError") {
    TestLoop loop;
    std::vector<std::string> log;
    Condition cond;
    bool ready = false;
    auto waiter = [](Condition* c, bool* rd, std::vector<std::string>* lg, std::string name) -> Coro<void> {
      co_await c->acquire_async();
      ReleaseOnExit<Condition> held(*c);
      co_await c->wait_for_async([rd] { return *rd; });
      lg->push_back(name + " woke, locked=" + (c->locked() ? "True" : "False"));
    };
    auto plain = [](Condition* c, std::vector<std::string>* lg, std::string name) -> Coro<void> {
      co_await c->acquire_async();
      ReleaseOnExit<Condition> held(*c);
      co_await c->wait_async();
      lg->push_back(name + " notified");
    };
    auto main = [&]() -> Coro<void> {
      std::vector<Task<void>> ts{create_task(waiter(&cond, &ready, &log, "a")), create_task(plain(&cond, &log, "p")),
                                 create_task(waiter(&cond, &ready, &log, "b"))};
      co_await sleep_async(0);
      co_await cond.acquire_async();
      cond.notify_all();  // everyone wakes; the predicate waiters see ready == false and wait again
      cond.release();
      co_await sleep_async(0);
      co_await sleep_async(0);
      log.push_back("set ready");
      co_await cond.acquire_async();
      ready = true;
      cond.notify_all();
      cond.release();
      co_await gather(ts);
      try {
        co_await cond.wait_async();
      } catch (const RuntimeError& e) {
        log.push_back(std::string("RuntimeError: ") + e.what());
      }
    };
    loop->run_until_complete(Future<void>(loop->create_task(main())));
    CHECK(log == std::vector<std::string>{"p notified", "set ready", "a woke, locked=True", "b woke, locked=True",
                                          "RuntimeError: cannot wait on un-acquired lock"});
  }

  TEST_CASE("Condition: a cancelled wait_async takes the lock back before CancelledError leaves it") {
    TestLoop loop;
    std::vector<std::string> log;
    Condition cond;
    auto w = [](Condition* c, std::vector<std::string>* lg) -> Coro<void> {
      co_await c->acquire_async();
      ReleaseOnExit<Condition> held(*c);
      try {
        co_await c->wait_async();
      } catch (const CancelledError&) {
        lg->push_back(std::string("cancelled, locked=") + (c->locked() ? "True" : "False"));
        throw;
      }
    };
    auto main = [&]() -> Coro<void> {
      Task<void> t = create_task(w(&cond, &log));
      co_await sleep_async(0);
      co_await cond.acquire_async();
      t.cancel();
      co_await sleep_async(0);
      log.push_back("main releases");
      cond.release();
      try {
        co_await t;
      } catch (const CancelledError&) {
        log.push_back("task cancelled");
      }
    };
    loop->run_until_complete(Future<void>(loop->create_task(main())));
    CHECK(log == std::vector<std::string>{"main releases", "cancelled, locked=True", "task cancelled"});
  }

  TEST_CASE("Semaphore and BoundedSemaphore: acquire_async is FIFO; a bounded one released too often raises") {
    TestLoop loop;
    std::vector<std::string> log;
    Semaphore sem(2);
    auto worker = [](Semaphore* s, std::vector<std::string>* lg, int n) -> Coro<void> {
      co_await s->acquire_async();
      lg->push_back(std::to_string(n) + " in");
      co_await sleep_async(0);
      lg->push_back(std::to_string(n) + " out");
      s->release();
    };
    auto main = [&]() -> Coro<void> {
      std::vector<Coro<void>> workers;
      for (int i = 0; i < 4; ++i) workers.push_back(worker(&sem, &log, i));
      co_await gather(std::move(workers));
      BoundedSemaphore b(1);
      co_await b.acquire_async();
      b.release();
      try {
        b.release();
      } catch (const ValueError& e) {
        log.push_back(std::string("ValueError: ") + e.what());
      }
    };
    loop->run_until_complete(Future<void>(loop->create_task(main())));
    CHECK(log == std::vector<std::string>{"0 in", "1 in", "0 out", "1 out", "2 in", "3 in", "2 out", "3 out",
                                          "ValueError: BoundedSemaphore released too many times"});
  }

  TEST_CASE("Barrier: wait_async gives each party its arrival index; abort_async breaks a waiting one") {
    TestLoop loop;
    std::vector<std::string> log;
    Barrier bar(3);
    Barrier bar2(2);
    auto party = [](Barrier* b, std::vector<std::string>* lg, std::string name) -> Coro<void> {
      const long i = co_await b->wait_async();
      lg->push_back(name + " " + std::to_string(i));
    };
    auto broken = [](Barrier* b, std::vector<std::string>* lg) -> Coro<void> {
      try {
        co_await b->wait_async();
      } catch (const BrokenBarrierError&) {
        lg->push_back("broken");
      }
    };
    auto main = [&]() -> Coro<void> {
      co_await gather(party(&bar, &log, "a"), party(&bar, &log, "b"), party(&bar, &log, "c"));
      Task<void> t = create_task(broken(&bar2, &log));
      co_await sleep_async(0);
      co_await bar2.abort_async();
      co_await t;
      log.push_back(bar2.broken() ? "True" : "False");
    };
    loop->run_until_complete(Future<void>(loop->create_task(main())));
    CHECK(log == std::vector<std::string>{"c 2", "a 0", "b 1", "broken", "True"});
  }

  TEST_CASE("task_group_async: the block ends with its children; a failing child cancels the rest") {
    TestLoop loop;
    std::vector<std::string> log;
    auto child = [](std::vector<std::string>* lg, int n, double d) -> Coro<int> {
      co_await sleep_async(d);
      lg->push_back("child " + std::to_string(n));
      co_return n;
    };
    auto bad = []() -> Coro<void> {
      co_await sleep_async(0);
      throw ValueError("bad");
    };
    auto slow = [](std::vector<std::string>* lg) -> Coro<void> {
      try {
        co_await sleep_async(10);
      } catch (const CancelledError&) {
        lg->push_back("slow cancelled");
        throw;
      }
    };
    auto main = [&]() -> Coro<void> {
      Task<int> t1, t2;
      co_await task_group_async([&](TaskGroup& tg) -> Coro<void> {
        t1 = tg.create_task(child(&log, 1, 0.02));
        t2 = tg.create_task(child(&log, 2, 0));
        log.push_back("body done");
        co_return;
      });
      log.push_back("results " + std::to_string(t1.result()) + " " + std::to_string(t2.result()));
      try {
        co_await task_group_async([&](TaskGroup& tg) -> Coro<void> {
          tg.create_task(slow(&log));
          tg.create_task(bad());
          co_return;
        });
      } catch (const ExceptionGroupBase& eg) {
        log.push_back("group of " + std::to_string(eg.exceptions().size()));
      }
    };
    loop->run_until_complete(Future<void>(loop->create_task(main())));
    CHECK(log == std::vector<std::string>{"body done", "child 2", "child 1", "results 1 2", "slow cancelled",
                                          "group of 1"});
  }

  TEST_CASE("wait_async, as_completed of coroutine objects (co_await item) and gather of a vector of them") {
    TestLoop loop;
    std::vector<std::string> log;
    auto v = [](double d, int x) -> Coro<int> { co_return co_await sleep_async(d, x); };
    auto main = [&]() -> Coro<void> {
      std::vector<Task<int>> ts{create_task(v(0.05, 1)), create_task(v(0, 2))};
      auto [done, pending] = co_await wait_async(ts, std::nullopt, FIRST_COMPLETED);
      log.push_back("done " + std::to_string(done.at(0).result()) + " pending " + std::to_string(pending.size()));
      auto [done2, pending2] = co_await wait_async(ts);
      log.push_back("done " + std::to_string(done2.size()) + " pending " + std::to_string(pending2.size()));
      std::vector<Coro<int>> coros;
      coros.push_back(v(0.05, 30));
      coros.push_back(v(0, 10));
      coros.push_back(v(0.02, 20));
      std::string order;
      for (auto item : as_completed(std::move(coros))) order += std::to_string(co_await item) + " ";
      log.push_back(order);
      std::vector<Coro<int>> more;
      for (int i = 0; i < 3; ++i) more.push_back(v(0, i));
      std::string all;
      for (int x : co_await gather(std::move(more))) all += std::to_string(x);
      log.push_back(all);
      try {
        co_await wait_async(std::vector<Task<int>>{});
      } catch (const ValueError& e) {
        log.push_back(e.what());
      }
    };
    loop->run_until_complete(Future<void>(loop->create_task(main())));
    CHECK(log == std::vector<std::string>{"done 2 pending 1", "done 2 pending 0", "10 20 30 ", "012",
                                          "Set of Tasks/Futures is empty."});
  }

  TEST_CASE("StreamReader's _async reads wait for data fed later; IncompleteReadError at EOF") {
    TestLoop loop;
    StreamReader reader(DEFAULT_LIMIT, loop.loop.get());
    std::vector<std::string> log;
    auto body = [](StreamReader* r, std::vector<std::string>* lg) -> Coro<void> {
      lg->push_back("line " + co_await r->readline_async());
      lg->push_back("exactly " + co_await r->readexactly_async(3));
      lg->push_back("until " + co_await r->readuntil_async("--"));
      lg->push_back("read " + co_await r->read_async(2));
      try {
        co_await r->readexactly_async(10);
      } catch (const IncompleteReadError& e) {
        lg->push_back("incomplete " + e.partial);
      }
      lg->push_back("rest [" + co_await r->read_async() + "]");
    };
    Task<void> task = loop->create_task(body(&reader, &log));
    run_one_pass(*loop);
    CHECK(task.task_core().fut_waiter() != nullptr);  // waiting for data
    reader.feed_data("hel");
    run_one_pass(*loop);
    run_one_pass(*loop);
    CHECK(log.empty());  // no newline yet
    reader.feed_data("lo\nabcde");
    reader.feed_data("f--xyz");
    loop->call_soon([&reader] { reader.feed_eof(); });
    loop->run_until_complete(Future<void>(task));
    CHECK(log == std::vector<std::string>{"line hello\n", "exactly abc", "until def--", "read xy", "incomplete z",
                                          "rest []"});
  }

  TEST_CASE("StreamWriter drain_async and StreamReader reads over a real connection, from a coroutine") {
    TestLoop loop;
    std::vector<std::string> got;
    auto client = [](std::shared_ptr<StreamReader> r, std::shared_ptr<StreamWriter> w,
                     std::vector<std::string>* out) -> Coro<void> {
      for (const char* line : {"one\n", "two\n"}) {
        w->write(line);
        co_await w->drain_async();
        out->push_back(co_await r->readline_async());
      }
      w->write_eof();
      out->push_back("eof read: [" + co_await r->read_async() + "]");
      w->close();
      co_await w->wait_closed_async();
    };
    loop->run_until_complete([&] {
      Ref<Server> server = start_server(
          [](std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
            for (;;) {
              std::string line = reader->readline();
              if (line.empty()) break;
              writer->write("echo: " + line);
              writer->drain();
            }
            writer->close();
          },
          "127.0.0.1", 0);
      const int port = server->sockets().at(0).getsockname().port;
      auto [reader, writer] = open_connection("127.0.0.1", port);
      await(create_task(client(reader, writer, &got)));
      server->close();
      server->wait_closed();
    });
    CHECK(got == std::vector<std::string>{"echo: one\n", "echo: two\n", "eof read: []"});
  }

  TEST_CASE("co_await event.wait_async() is shown waiting at the co_await's own line, with no frame of its own") {
    TestLoop loop;
    Event event;
    unsigned line = 0;
    auto body = [](Event* ev, unsigned* ln) -> Coro<bool> {
      *ln = __LINE__ + 1;
      co_return co_await ev->wait_async();
    };
    Task<bool> task = loop->create_task(body(&event, &line));
    run_one_pass(*loop);
    CHECK(task.task_core().suspended_at().line() == line);
    CHECK(std::string(task.task_core().suspended_at().file_name()).find("test_coroutines.cpp") != std::string::npos);
    event.set();
    CHECK(loop->run_until_complete(Future<bool>(task)));
    // Set already: no wait, no waiter left behind.
    Task<bool> again = loop->create_task(body(&event, &line));
    CHECK(loop->run_until_complete(Future<bool>(again)));
    CHECK(event.repr().find("waiters") == std::string::npos);
  }

  TEST_CASE("a finished task releases its function and bound arguments while its handle lives") {
    // CPython clears a finished coroutine's frame at once: what its arguments hold goes with it.
    TestLoop loop;
    auto held = std::make_shared<int>(7);
    auto coro_body = [](std::shared_ptr<int> p) -> Coro<int> {
      co_await sleep_async(0);
      co_return *p;
    };
    Task<int> coro_task = loop->create_task(coro_body(held));
    Task<int> fiber_task = loop->create_task([](std::shared_ptr<int> p) { asyncio::sleep(0); return *p + 1; }, held);
    CHECK(held.use_count() == 3);
    loop->run_until_complete(Future<int>(coro_task));
    loop->run_until_complete(Future<int>(fiber_task));
    CHECK(coro_task.result() == 7);
    CHECK(fiber_task.result() == 8);
    CHECK(held.use_count() == 1);  // both handles still live; neither task holds the argument

    // The same when the body raises, and when the task is cancelled before its first step.
    auto coro_raises = [](std::shared_ptr<int>) -> Coro<void> {
      co_await sleep_async(0);
      throw ValueError("boom");
    };
    Task<void> raised = loop->create_task(coro_raises(held));
    Task<void> fiber_raised = loop->create_task([](std::shared_ptr<int>) { throw ValueError("boom"); }, held);
    Task<void> early_coro = loop->create_task(coro_raises(held));
    Task<void> early_fiber = loop->create_task([](std::shared_ptr<int>) {}, held);
    early_coro.cancel();
    early_fiber.cancel();
    CHECK(held.use_count() == 5);
    loop->run_until_complete(Future<void>(loop->create_task([] { asyncio::sleep(0); asyncio::sleep(0); })));
    CHECK(raised.done());
    CHECK(fiber_raised.done());
    CHECK(early_coro.cancelled());
    CHECK(early_fiber.cancelled());
    CHECK(held.use_count() == 1);
    CHECK_THROWS_AS(raised.result(), ValueError);
    CHECK_THROWS_AS(fiber_raised.result(), ValueError);
  }

  TEST_CASE("start_server runs a handler returning Coro<void> as a coroutine task per connection") {
    // CPython: connection_made calls client_connected_cb; the coroutine it returns becomes a task.
    TestLoop loop;
    static std::vector<std::string> server_log;
    server_log.clear();
    std::vector<std::string> got;
    loop->run_until_complete([&] {
      Ref<Server> server = start_server(
          [](std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) -> Coro<void> {
            server_log.push_back(current_task()->stack_size() == 0 ? "coroutine task" : "fiber task");
            for (;;) {
              std::string line = co_await reader->readline_async();
              if (line.empty()) break;
              writer->write("echo: " + line);
              co_await writer->drain_async();
            }
            writer->close();
            server_log.push_back("handler done");
          },
          "127.0.0.1", 0);
      const int port = server->sockets().at(0).getsockname().port;
      for (const char* word : {"one\n", "two\n"}) {
        auto [reader, writer] = open_connection("127.0.0.1", port);
        writer->write(word);
        writer->write_eof();
        got.push_back(reader->readline());
        got.push_back("eof read: [" + reader->read() + "]");
        writer->close();
        writer->wait_closed();
      }
      server->close();
      server->wait_closed();
    });
    CHECK(got == std::vector<std::string>{"echo: one\n", "eof read: []", "echo: two\n", "eof read: []"});
    CHECK(server_log ==
          std::vector<std::string>{"coroutine task", "handler done", "coroutine task", "handler done"});
  }

  TEST_CASE("open_connection_async and start_server_async: a coroutine echo client and server over a real socket") {
    TestLoop loop;
    echo_server_log.clear();
    const std::vector<std::string> got =
        loop->run_until_complete(Future<std::vector<std::string>>(loop->create_task(echo_client_and_server())));
    CHECK(got == std::vector<std::string>{"serving", "echo: one\n", "echo: two\n", "eof read: []",
                                          "serve_forever cancelled", "not serving"});
    CHECK(echo_server_log == std::vector<std::string>{"coroutine task", "handler done"});
  }

  TEST_CASE("the loop's sock_*_async calls: accept, connect, sendall and recv between two coroutine tasks") {
    TestLoop loop;
    Socket listener(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    listener.bind(Address{"127.0.0.1", 0});
    listener.listen(8);
    auto server = [](int lfd) -> Coro<std::string> {
      BaseEventLoop& lp = get_running_loop();
      auto [conn, peer] = co_await lp.sock_accept_async(lfd);
      std::string got;
      while (got.size() < 5) {
        std::string data = co_await lp.sock_recv_async(conn.fileno(), 16);
        if (data.empty()) break;
        got += data;
      }
      co_await lp.sock_sendall_async(conn.fileno(), "got " + got);
      co_return got + " from " + peer.host;
    };
    auto client = [](Address to) -> Coro<std::string> {
      BaseEventLoop& lp = get_running_loop();
      Socket sock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
      co_await lp.sock_connect_async(sock.fileno(), to);
      co_await lp.sock_sendall_async(sock.fileno(), std::string("hello"));
      std::string reply;
      for (;;) {
        std::string data = co_await lp.sock_recv_async(sock.fileno(), 16);
        if (data.empty()) break;  // the server's socket closed with its frame
        reply += data;
      }
      co_return reply;
    };
    Task<std::string> server_task = loop->create_task(server(listener.fileno()));
    Task<std::string> client_task = loop->create_task(client(listener.getsockname()));
    CHECK(loop->run_until_complete(Future<std::string>(client_task)) == "got hello");
    CHECK(loop->run_until_complete(Future<std::string>(server_task)) == "hello from 127.0.0.1");
  }

  TEST_CASE("open_connection_async to a port nobody listens on: ConnectionRefusedError thrown at the co_await") {
    TestLoop loop;
    Socket bound(AF_INET, SOCK_STREAM);
    bound.bind(Address{"127.0.0.1", 0});  // bound but not listening: a connect to it is refused
    auto body = [](int port) -> Coro<std::string> {
      try {
        StreamPair pair = co_await open_connection_async("127.0.0.1", port);
        co_return "connected";
      } catch (const ConnectionRefusedError& e) {
        co_return std::string("ConnectionRefusedError: ") + e.what();
      }
    };
    const std::string out =
        loop->run_until_complete(Future<std::string>(loop->create_task(body(bound.getsockname().port))));
    CHECK(out.find("ConnectionRefusedError: [Errno 111]") == 0);
  }

  TEST_CASE("a coroutine task cancelled while it connects gets CancelledError at the co_await; the socket is closed") {
    TestLoop loop;
    Socket listener(AF_INET, SOCK_STREAM);
    listener.bind(Address{"127.0.0.1", 0});
    listener.listen(8);  // never accepted: the connection waits in the backlog
    const std::size_t fds_before = io_support::open_fd_count();
    std::vector<std::string> log;
    auto body = [](int port, std::vector<std::string>* out) -> Coro<void> {
      try {
        StreamPair pair = co_await open_connection_async("127.0.0.1", port);
        out->push_back("connected");
      } catch (const CancelledError&) {
        out->push_back("CancelledError at the co_await");
        throw;
      }
    };
    Task<void> task = loop->create_task(body(listener.getsockname().port, &log));
    run_one_pass(*loop);  // the first step: the socket exists and the task waits
    CHECK(io_support::open_fd_count() == fds_before + 1);
    task.cancel();
    CHECK_THROWS_AS(loop->run_until_complete(Future<void>(task)), CancelledError);
    for (int i = 0; i < 3; ++i) run_one_pass(*loop);  // a transport's close ends a pass later
    CHECK(log == std::vector<std::string>{"CancelledError at the co_await"});
    CHECK(io_support::open_fd_count() == fds_before);
  }

  TEST_CASE("the fiber forms of the connection calls in a coroutine task are RuntimeErrors naming the _async forms") {
    TestLoop loop;
    auto body = []() -> Coro<std::vector<std::string>> {
      std::vector<std::string> out;
      auto attempt = [&out](auto call) {
        try {
          call();
          out.push_back("no error");
        } catch (const RuntimeError& e) {
          out.push_back(e.what());
        }
      };
      attempt([] { (void)open_connection("127.0.0.1", 1); });
      attempt([] { (void)start_server([](std::shared_ptr<StreamReader>, std::shared_ptr<StreamWriter>) {}, "127.0.0.1", 0); });
      attempt([] { (void)get_running_loop().sock_recv(0, 1); });
      attempt([] { (void)get_running_loop().getaddrinfo("localhost", 80); });
      co_return out;
    };
    const auto out = loop->run_until_complete(Future<std::vector<std::string>>(loop->create_task(body())));
    CHECK(out == std::vector<std::string>{
                     "asyncio::open_connection() suspends a fiber; in a coroutine task use co_await "
                     "asyncio::open_connection_async(...) (docs/06)",
                     "asyncio::start_server() suspends a fiber; in a coroutine task use co_await "
                     "asyncio::start_server_async(...) (docs/06)",
                     "loop.sock_recv() suspends a fiber; in a coroutine task use co_await loop.sock_recv_async(...) (docs/06)",
                     "loop.getaddrinfo() suspends a fiber; in a coroutine task use co_await loop.getaddrinfo_async(...) "
                     "(docs/06)"});
  }
}
