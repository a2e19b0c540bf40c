// test_causes.cpp: the causes the JSON Lines writer records (issue 12 part 1): each handle's
// `scheduled` line and id, who completed a future, raised, cancelled a handle or a task, and
// where a task suspended. Each case runs a small loop with a JsonlWriter on a pipe, reads the
// stream back with asyncio-trace's parser and joins the lines by id, as a reader would.
// Course: docs/trace.md, docs/trace-format.md ("Version 2")
#include <doctest/doctest.h>
#include <unistd.h>

#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "trace/trace_model.hpp"

using namespace asyncio;
using TraceEvent = asyncio_trace::Event;

namespace {

// The stream of `body` run on a fresh loop (virtual clock unless `real`), one TraceEvent per line.
std::vector<TraceEvent> events_of(const std::function<void(BaseEventLoop&)>& body, bool real = false) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  {
    Ref<BaseEventLoop> loop = new_event_loop();
    if (!real) loop->use_virtual_clock();
    JsonlWriter writer(fds[1], true);
    loop->set_observer(&writer);
    body(*loop);
    loop->set_observer(nullptr);
    loop->close();
  }
  std::string stream;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) stream.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  std::vector<TraceEvent> events;
  std::istringstream in(stream);
  for (std::string line; std::getline(in, line);) events.push_back(asyncio_trace::parse_event(line));
  return events;
}

// The first event of kind `e` (after index `from`) for which `match` holds; fails the test if none.
std::size_t find(const std::vector<TraceEvent>& events, const std::string& e,
                 const std::function<bool(const TraceEvent&)>& match = [](const TraceEvent&) { return true; },
                 std::size_t from = 0) {
  for (std::size_t i = from; i < events.size(); ++i)
    if (events[i].kind() == e && match(events[i])) return i;
  FAIL("no " << e << " line matched");
  return 0;
}

bool has_kind(const std::vector<TraceEvent>& events, const std::string& e) {
  for (const TraceEvent& ev : events)
    if (ev.kind() == e) return true;
  return false;
}

auto handle_is(const std::string& description) {
  return [description](const TraceEvent& ev) { return ev.str("handle") == description; };
}
auto h_is(long h) {
  return [h](const TraceEvent& ev) { return ev.has("h") && ev.integer("h") == h; };
}

}  // namespace

TEST_SUITE("trace causes") {
  TEST_CASE("a sleep's timer is scheduled by its task, and its firing wakes the task up") {
    int sleep_line = 0;
    const auto events = events_of([&](BaseEventLoop& loop) {
      loop.run_until_complete([&] {
        sleep_line = __LINE__ + 1;
        asyncio::sleep(0.5);
      });
    });
    const TraceEvent& timer = events[find(events, "scheduled", [](const TraceEvent& e) { return e.str("how") == "call_at"; })];
    CHECK(timer.str("handle") == "futures._set_result_unless_cancelled()");
    CHECK(timer.num("sleep") == 0.5);
    CHECK(timer.num("delay") == 0.5);
    CHECK(timer.num("when") == 0.5);
    CHECK(timer.str("by") == "callback");
    CHECK(timer.integer("by_task") == 1);
    const long h = timer.integer("h");
    // The task's step that scheduled it says where it suspended: this file, the sleep's line.
    const TraceEvent& step = events[find(events, "task_step_end", [](const TraceEvent& e) { return e.str("outcome") == "awaited"; })];
    CHECK(step.str("at") == "tests/trace/test_causes.cpp:" + std::to_string(sleep_line));
    CHECK(step.str("awaited") == "sleep(0.5)");
    // Step 3 moves it, step 4 runs it: the same id.
    find(events, "timer_ready", h_is(h));
    const std::size_t begin = find(events, "callback_begin", h_is(h));
    // Inside it the sleep's future gets its result, by that callback, and queues the wake-up.
    const std::size_t done = find(events, "future_done", [&](const TraceEvent& e) { return e.integer("by_h") == h; }, begin);
    CHECK(events[done].str("how") == "result");
    CHECK(events[done].integer("future") == step.integer("future"));
    const std::size_t wake = find(events, "scheduled", handle_is("Task.task_wakeup()"), done);
    CHECK(events[wake].str("how") == "done_callback");
    CHECK(events[wake].integer("future") == step.integer("future"));
    CHECK(events[wake].integer("by_h") == h);
    CHECK(events[wake].integer("task") == 1);
    CHECK(wake < find(events, "callback_end", h_is(h)));
    // The wake-up runs next pass under its own id.
    find(events, "callback_begin", h_is(events[wake].integer("h")), wake);
  }

  TEST_CASE("set_result from a callback is done by that callback and wakes the awaiting task") {
    const auto events = events_of([](BaseEventLoop& loop) {
      loop.run_until_complete([&loop] {
        Future<int> fut = loop.create_future<int>();
        loop.call_soon(named("resolve", [fut] { fut.set_result(7); }));
        CHECK(await(fut) == 7);
      });
    });
    const TraceEvent& soon = events[find(events, "scheduled", handle_is("resolve()"))];
    CHECK(soon.str("how") == "call_soon");
    CHECK(soon.str("by") == "callback");
    CHECK(soon.integer("by_task") == 1);  // call_soon inside the task's step
    const long h = soon.integer("h");
    const TraceEvent& awaited = events[find(events, "task_step_end", [](const TraceEvent& e) { return e.str("outcome") == "awaited"; })];
    CHECK(awaited.str("awaited") == "Future");
    const std::size_t begin = find(events, "callback_begin", h_is(h));
    const TraceEvent& done = events[find(events, "future_done", [](const TraceEvent&) { return true; }, begin)];
    CHECK(done.integer("future") == awaited.integer("future"));
    CHECK(done.str("how") == "result");
    CHECK(done.str("by") == "callback");
    CHECK(done.integer("by_h") == h);
    CHECK_FALSE(done.has("by_task"));  // a plain callback, not a task's step
  }

  TEST_CASE("the first step of a task is scheduled by the task that created it") {
    const auto events = events_of([](BaseEventLoop& loop) {
      loop.run_until_complete([&loop] {
        Task<> child = loop.create_task(TaskOptions{"child"}, [] {});
        await(child);
      });
    });
    const TraceEvent& created = events[find(events, "task_created", [](const TraceEvent& e) { return e.integer("task") == 2; })];
    CHECK(created.integer("by_task") == 1);
    const std::size_t first = find(events, "scheduled", [](const TraceEvent& e) { return e.integer("task") == 2; });
    CHECK(events[first].str("how") == "task_step");
    CHECK(events[first].integer("by_task") == 1);
    // Task-1 is woken by the child's completion: a done callback of that task.
    const TraceEvent& wake = events[find(events, "scheduled", [](const TraceEvent& e) { return e.has("of_task"); })];
    CHECK(wake.integer("of_task") == 2);
    CHECK(wake.integer("task") == 1);
    CHECK(wake.str("handle") == "Task.task_wakeup()");
  }

  TEST_CASE("call_soon_threadsafe from another thread is scheduled by: thread when the loop takes it in") {
    const auto events = events_of(
        [](BaseEventLoop& loop) {
          loop.run_until_complete([&loop] {
            Future<int> fut = loop.create_future<int>();
            std::thread worker([&loop, fut] { loop.call_soon_threadsafe(named("from_worker", [fut] { fut.set_result(1); })); });
            // Joined first: a loop that blocked before the thread called in would be reported stuck
            // (a raw std::thread is invisible to the stuck check until it calls).
            worker.join();
            await(fut);
          });
        },
        /*real=*/true);
    const std::size_t at = find(events, "scheduled", handle_is("from_worker()"));
    CHECK(events[at].str("how") == "call_soon_threadsafe");
    CHECK(events[at].str("by") == "thread");
    CHECK_FALSE(events[at].has("by_h"));
    find(events, "callback_begin", h_is(events[at].integer("h")), at);
  }

  TEST_CASE("a readable fd's io_event carries the id its callback runs under, with no scheduled line") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const auto events = events_of([&](BaseEventLoop& loop) {
      int calls = 0;
      loop.add_reader(fds[0], [&] {
        char c;
        CHECK(::read(fds[0], &c, 1) == 1);
        ++calls;
        loop.remove_reader(fds[0]);
        loop.stop();
      }, "on_readable");
      REQUIRE(::write(fds[1], "x", 1) == 1);
      loop.run_forever();
      CHECK(calls == 1);
    });
    ::close(fds[0]);
    ::close(fds[1]);
    const TraceEvent& io = events[find(events, "io_event")];
    CHECK(io.str("mask") == "read");
    CHECK(io.str("handle") == "on_readable()");
    const std::size_t begin = find(events, "callback_begin", h_is(io.integer("h")));
    CHECK(events[begin].str("handle") == "on_readable()");
    CHECK_FALSE(has_kind(events, "scheduled"));
  }

  TEST_CASE("a callback that raised is reported with its exception and handler before its callback_end") {
    const auto events = events_of([](BaseEventLoop& loop) {
      int handled = 0;
      loop.set_exception_handler([&](BaseEventLoop&, const ExceptionContext&) { ++handled; });
      loop.call_soon(named("boom", [] { throw ValueError("boom"); }));
      loop.call_soon(named("stop", [&loop] { loop.stop(); }));
      loop.run_forever();
      CHECK(handled == 1);
    });
    const long h = events[find(events, "scheduled", handle_is("boom()"))].integer("h");
    CHECK(events[find(events, "scheduled", handle_is("boom()"))].str("by") == "loop");
    const std::size_t raised = find(events, "callback_raised", h_is(h));
    CHECK(events[raised].str("exc") == "ValueError('boom')");
    CHECK(events[raised].str("handler") == "custom");
    CHECK(find(events, "callback_begin", h_is(h)) < raised);
    CHECK(raised < find(events, "callback_end", h_is(h)));
    // callback_end carries the real duration, on the virtual clock too.
    CHECK(events[find(events, "callback_end", h_is(h))].has("real"));
  }

  TEST_CASE("a cancelled handle says who cancelled it and is skipped under the same id") {
    const auto events = events_of([](BaseEventLoop& loop) {
      HandleRef victim = loop.call_soon(named("victim", [] { FAIL("a cancelled handle ran"); }));
      victim->cancel();  // no callback is running: by the loop
      HandleRef second;
      loop.call_soon(named("canceller2", [&second] { second->cancel(); }));
      second = loop.call_soon(named("second", [] { FAIL("a cancelled handle ran"); }));
      loop.call_soon(named("stop", [&loop] { loop.stop(); }));
      loop.run_forever();
    });
    const long victim = events[find(events, "scheduled", handle_is("victim()"))].integer("h");
    const TraceEvent& by_loop = events[find(events, "handle_cancelled", h_is(victim))];
    CHECK(by_loop.str("by") == "loop");
    find(events, "callback_skipped", h_is(victim));
    const long second = events[find(events, "scheduled", handle_is("second()"))].integer("h");
    const long canceller = events[find(events, "scheduled", handle_is("canceller2()"))].integer("h");
    const TraceEvent& by_cb = events[find(events, "handle_cancelled", h_is(second))];
    CHECK(by_cb.str("by") == "callback");
    CHECK(by_cb.integer("by_h") == canceller);
    find(events, "callback_skipped", h_is(second));
  }

  TEST_CASE("a task cancelled by another task names that task and its step in task_done") {
    const auto events = events_of([](BaseEventLoop& loop) {
      loop.run_until_complete([&loop] {
        Task<> sleeper = loop.create_task(TaskOptions{"sleeper"}, [] { asyncio::sleep(10); });
        Task<> killer = loop.create_task(TaskOptions{"killer"}, [sleeper] { sleeper.cancel(); });
        await(killer);
        CHECK_THROWS_AS(await(sleeper), CancelledError);
      });
    });
    const TraceEvent& done = events[find(events, "task_done", [](const TraceEvent& e) { return e.str("name") == "sleeper"; })];
    CHECK(done.str("state") == "cancelled");
    CHECK(done.integer("cancel_by_task") == 3);  // killer
    const long killer_h = events[find(events, "callback_begin", [](const TraceEvent& e) { return e.integer("task") == 3; })].integer("h");
    CHECK(done.integer("cancel_by_h") == killer_h);
    // The sleep's timer is cancelled by the sleeper's own step (its CancelledError unwinds the sleep).
    const long timer = events[find(events, "scheduled", [](const TraceEvent& e) { return e.has("sleep"); })].integer("h");
    const TraceEvent& cancelled = events[find(events, "handle_cancelled", h_is(timer))];
    CHECK(cancelled.integer("by_task") == 2);
    // The sleep's future was cancelled by the killer: how cancel.
    CHECK(has_kind(events, "future_done"));
    const TraceEvent& fdone = events[find(events, "future_done", [](const TraceEvent& e) { return e.str("how") == "cancel"; })];
    CHECK(fdone.integer("by_task") == 3);
  }

  TEST_CASE("a handle id is never reused: a task's step handle gets a new id each time it is queued") {
    const auto events = events_of([](BaseEventLoop& loop) {
      loop.run_until_complete([] {
        asyncio::sleep(0);
        asyncio::sleep(0);
      });
    });
    std::vector<long> ids;
    for (const TraceEvent& e : events)
      if (e.kind() == "scheduled" && e.str("how") == "task_step") ids.push_back(e.integer("h"));
    REQUIRE(ids.size() == 3);  // the first step and one per yield
    CHECK(ids[0] < ids[1]);
    CHECK(ids[1] < ids[2]);
    const TraceEvent& yielded = events[find(events, "task_step_end", [](const TraceEvent& e) { return e.str("outcome") == "yielded"; })];
    CHECK(yielded.str("at").rfind("tests/trace/test_causes.cpp:", 0) == 0);
  }

  // Issue 12: what a task waits on is named by the asyncio call that made the waiter (the
  // outermost one: a Barrier waits in its Condition, `async with lock` in Lock.acquire()), a
  // combinator's future by the combinator, as --tasks names it; any other future is a Future.
  TEST_CASE("a task waiting on a lock, queue or event is labelled with the asyncio call it is in") {
    const auto events = events_of([&](BaseEventLoop& loop) {
      loop.run_until_complete([&] {
        Lock lock;
        Event event;
        Condition cond;
        Semaphore sem(0);
        Barrier barrier(3);
        Queue<int> empty;
        Queue<int> full(1);
        full.put_nowait(1);
        Queue<int> unfinished;
        unfinished.put_nowait(1);
        lock.acquire();
        std::vector<Task<void>> tasks{
            create_task(TaskOptions{"lock"}, [&] { lock.acquire(); }),
            create_task(TaskOptions{"with"}, [&] { AsyncWith<Lock> held(lock); }),
            create_task(TaskOptions{"event"}, [&] { event.wait(); }),
            create_task(TaskOptions{"cond"}, [&] {
              AsyncWith<Condition> held(cond);
              cond.wait();
            }),
            create_task(TaskOptions{"wait_for"}, [&] {
              AsyncWith<Condition> held(cond);
              cond.wait_for([] { return false; });
            }),
            create_task(TaskOptions{"sem"}, [&] { sem.acquire(); }),
            create_task(TaskOptions{"barrier"}, [&] { barrier.wait(); }),
            create_task(TaskOptions{"get"}, [&] { empty.get(); }),
            create_task(TaskOptions{"put"}, [&] { full.put(2); }),
            create_task(TaskOptions{"join"}, [&] { unfinished.join(); }),
            create_task(TaskOptions{"plain"}, [] { await(get_running_loop().create_future<void>()); }),
        };
        asyncio::sleep(0.1);
        for (Task<void>& t : tasks) t.cancel();
        await(gather(return_exceptions, tasks));
      });
    });
    auto awaited = [&](const std::string& name) {
      return events[find(events, "task_step_end", [&](const TraceEvent& e) {
                       return e.str("name") == name && e.str("outcome") == "awaited";
                     })].str("awaited");
    };
    CHECK(awaited("lock") == "Lock.acquire()");
    CHECK(awaited("with") == "Lock.acquire()");
    CHECK(awaited("event") == "Event.wait()");
    CHECK(awaited("cond") == "Condition.wait()");
    CHECK(awaited("wait_for") == "Condition.wait_for()");
    CHECK(awaited("sem") == "Semaphore.acquire()");
    CHECK(awaited("barrier") == "Barrier.wait()");
    CHECK(awaited("get") == "Queue.get()");
    CHECK(awaited("put") == "Queue.put()");
    CHECK(awaited("join") == "Queue.join()");
    CHECK(awaited("plain") == "Future");
    find(events, "task_step_end", [](const TraceEvent& e) { return e.str("name") == "Task-1" && e.str("awaited") == "gather"; });
    // The gather's future_created says where it was awaited.
    const TraceEvent& made = events[find(events, "future_created", [](const TraceEvent& e) { return e.str("what") == "gather"; })];
    CHECK(made.str("at").rfind("tests/trace/test_causes.cpp:", 0) == 0);
  }
}
