// test_reach.cpp: "who can still reach it" (issue 14 part 3). A pending task that nothing can
// reach (it awaits a future only handles on its own stack hold, and the program dropped its
// last handle) is reported "Task was destroyed but it is pending!", leaves all_tasks() and is
// unwound at that moment; a task awaiting a future held anywhere else stays alive.
// docs/architecture.md, "Who owns what".
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::HandlerRecorder;
using test_support::run_one_pass;
using test_support::TestLoop;

namespace {

struct SetOnDestroy {
  bool* flag;
  ~SetOnDestroy() { *flag = true; }
};

bool listed(BaseEventLoop& loop, const std::string& name) {
  for (const auto& t : all_tasks(loop))
    if (t->get_name() == name) return true;
  return false;
}

// The task "orphan" runs one pass and suspends, still listed and not unwound; dropping `t`, the
// program's last handle, unwinds it at once, unlists it and reports it once.
template <typename TaskT>
void expect_reaped_with_last_handle(TestLoop& loop, HandlerRecorder& recorder, TaskT& t, const bool& unwound) {
  run_one_pass(*loop);
  CHECK_FALSE(t.done());
  CHECK(listed(*loop, "orphan"));
  CHECK_FALSE(unwound);
  CHECK(recorder.messages.empty());
  t = {};  // the program's last handle
  CHECK(unwound);
  CHECK_FALSE(listed(*loop, "orphan"));
  REQUIRE(recorder.messages.size() == 1);
  CHECK(recorder.messages[0] == "Task was destroyed but it is pending!");
}

}  // namespace

TEST_SUITE("reach") {
  TEST_CASE("a task awaiting a future only its stack holds is destroyed when its last handle goes") {
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    bool unwound = false;
    auto t = loop->create_task(TaskOptions{"orphan"}, [&unwound] {
      Future<int> fut = get_running_loop().create_future<int>();
      Future<int> copy = fut;  // two handles, both on this stack
      SetOnDestroy local{&unwound};
      asyncio::await(fut);
    });
    expect_reaped_with_last_handle(loop, recorder, t, unwound);
  }

  TEST_CASE("a task whose handle was never kept is destroyed when it suspends on its own future") {
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    bool unwound = false;
    loop->create_task([&unwound] {
      SetOnDestroy local{&unwound};
      Future<void> fut = get_running_loop().create_future<void>();
      asyncio::await(fut);
    });
    CHECK(all_tasks(*loop).size() == 1);  // queued: the ready queue holds it
    run_one_pass(*loop);
    CHECK(unwound);
    CHECK(all_tasks(*loop).empty());
    CHECK(recorder.messages == std::vector<std::string>{"Task was destroyed but it is pending!"});
  }

  TEST_CASE("the moment is the later of the task's last handle and the future's last other holder") {
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    bool unwound = false;
    Future<int> outside;
    auto t = loop->create_task([&unwound, &outside] {
      Future<int> fut = get_running_loop().create_future<int>();
      outside = fut;  // held off this stack too
      SetOnDestroy local{&unwound};
      asyncio::await(fut);
    });
    run_one_pass(*loop);
    t = {};
    CHECK_FALSE(unwound);  // `outside` can still resolve the future
    CHECK(recorder.messages.empty());
    outside = {};
    CHECK(unwound);
    CHECK(recorder.messages.size() == 1);
  }

  TEST_CASE("a task awaiting a future held elsewhere is not destroyed") {
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    std::vector<std::string> woke;
    Event ev;
    Queue<int> queue;
    Future<int> held = loop->create_future<int>();
    auto t1 = loop->create_task([&] {
      ev.wait();
      woke.push_back("event");
    });
    auto t2 = loop->create_task([&] { woke.push_back("queue " + std::to_string(queue.get())); });
    auto t3 = loop->create_task([&] {
      asyncio::sleep(0.001);
      woke.push_back("sleep");
    });
    auto t4 = loop->create_task([&] { woke.push_back("future " + std::to_string(asyncio::await(held))); });
    auto slow = loop->create_task([] { asyncio::sleep(0.002); });
    auto t5 = loop->create_task([slow] {  // awaits another task, which a timer keeps going
      asyncio::await(slow);
    });
    run_one_pass(*loop);
    t1 = {};
    t2 = {};
    t3 = {};
    t4 = {};
    t5 = {};
    slow = {};
    CHECK(recorder.messages.empty());
    CHECK(all_tasks(*loop).size() == 6);
    loop->run_until_complete([&] {
      ev.set();
      queue.put_nowait(7);
      held.set_result(1);
      asyncio::sleep(0.01);
    });
    CHECK(woke == std::vector<std::string>{"event", "queue 7", "future 1", "sleep"});
    CHECK(all_tasks(*loop).empty());
    CHECK(recorder.messages.empty());
  }

  TEST_CASE("a handle the task holds on itself does not keep it reachable") {
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    bool unwound = false;
    auto t = loop->create_task([&unwound] {
      Task<void> self{Ref<FutureCore>(current_task())};  // its own handle, on its own stack
      Future<void> fut = get_running_loop().create_future<void>();
      SetOnDestroy local{&unwound};
      asyncio::await(fut);
    });
    run_one_pass(*loop);
    CHECK_FALSE(unwound);
    t = {};
    CHECK(unwound);
    CHECK(recorder.messages.size() == 1);
  }

  TEST_CASE("a coroutine task awaiting a future only its frame holds is destroyed when its last handle goes") {
    // [coro] As the fiber case above: the frame is destroyed (its destructors run) at that moment.
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    bool unwound = false;
    auto body = [](bool* flag) -> Coro<void> {
      Future<int> fut = get_running_loop().create_future<int>();
      Future<int> copy = fut;  // two handles, both in this frame
      SetOnDestroy local{flag};
      co_await fut;
    };
    auto t = loop->create_task(TaskOptions{"orphan"}, body(&unwound));
    expect_reaped_with_last_handle(loop, recorder, t, unwound);
  }

  TEST_CASE("a coroutine task awaiting a future held elsewhere, or held in a nested frame, is kept") {
    TestLoop loop;
    HandlerRecorder recorder;
    recorder.attach(*loop);
    std::vector<std::string> woke;
    Future<int> held = loop->create_future<int>();
    auto outside = [](Future<int> f, std::vector<std::string>* log) -> Coro<void> {
      log->push_back("outside " + std::to_string(co_await f));
    };
    // The future lives in the frame of a coroutine the task co_awaits: counted as any other
    // holder's, so the task stays (and is unwound with the loop's close, not reported here).
    auto inner = [](bool* flag) -> Coro<void> {
      Future<int> fut = get_running_loop().create_future<int>();
      SetOnDestroy local{flag};
      co_await fut;
    };
    auto nested = [inner](bool* flag) -> Coro<void> { co_await inner(flag); };
    bool nested_unwound = false;
    auto t1 = loop->create_task(outside(held, &woke));
    auto t2 = loop->create_task(nested(&nested_unwound));
    run_one_pass(*loop);
    t1 = {};
    t2 = {};
    CHECK(recorder.messages.empty());
    CHECK(all_tasks(*loop).size() == 2);
    CHECK_FALSE(nested_unwound);
    held.set_result(5);
    run_one_pass(*loop);
    CHECK(woke == std::vector<std::string>{"outside 5"});
    CHECK(all_tasks(*loop).size() == 1);
    for (const auto& t : all_tasks(*loop)) t->cancel();
    run_one_pass(*loop);  // the cancelled future's wakeup throws CancelledError in
    CHECK(nested_unwound);
    CHECK(all_tasks(*loop).empty());
    CHECK(recorder.messages.empty());
  }
}
