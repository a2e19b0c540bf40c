// test_graph.cpp: capture_call_graph, format_call_graph, the await tree and the stuck report.
// Mirrors Lib/test/test_asyncio/test_graph.py (CPython 3.14) in spirit: who awaits whom.
#include <doctest/doctest.h>

#include <cctype>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::TestLoop;

namespace {
// Addresses differ every run: each 0x... becomes ID (no std::regex: GCC 12 warns inside it under sanitizers).
std::string without_ids(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "0x") == 0 && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += "ID";
      i += 2;
      while (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) ++i;
    } else {
      out += text[i++];
    }
  }
  return out;
}
// The line of `table` that starts with `start` ("" if none).
std::string line_of(const std::string& table, const std::string& start) {
  for (std::size_t i = 0; i < table.size();) {
    std::size_t end = table.find('\n', i);
    if (end == std::string::npos) end = table.size();
    if (table.compare(i, start.size(), start) == 0) return table.substr(i, end - i);
    i = end + 1;
  }
  return "";
}
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_SUITE("graph") {
  TEST_CASE("capture_call_graph of a gathered child shows the gather and the task awaiting it") {
    TestLoop loop;
    loop->run_until_complete([&] {
      Task<void> child;
      std::string seen;
      child = create_task(TaskOptions{"child"}, [&] {
        asyncio::sleep(0);
        seen = format_call_graph();  // the current task: running
      });
      auto other = create_task(TaskOptions{"other"}, [] { asyncio::sleep(0.01); });
      current_task()->set_name("main");
      await(gather(child, other));
      CHECK(without_ids(seen) ==
            "* Task(name='child', id=ID)\n"
            "  + Call stack:\n"
            "  |   running\n"
            "  + Awaited by:\n"
            "    * Future(id=ID)\n"
            "      + Awaited by:\n"
            "        * Task(name='main', id=ID)\n"
            "          + Call stack:\n"
            "          |   awaits gather(id=ID)");
    });
  }

  TEST_CASE("a waiting task's call stack names what it awaits; limit keeps that many entries") {
    TestLoop loop;
    loop->run_until_complete([&] {
      auto fut = get_running_loop().create_future<int>();
      auto waiter = create_task(TaskOptions{"waiter"}, [fut] { return await(fut); });
      asyncio::sleep(0);
      std::optional<FutureCallGraph> g = capture_call_graph(&waiter.core());
      REQUIRE(g);
      CHECK(g->future.get() == &waiter.core());
      REQUIRE(g->call_stack.size() == 1);
      CHECK(without_ids(g->call_stack[0].what) == "awaits Future(id=ID)");
      CHECK(g->awaited_by.empty());
      CHECK(capture_call_graph(&waiter.core(), 1, 0)->call_stack.empty());
      // The future is awaited by the task (its fut_waiter), with no record needed.
      std::optional<FutureCallGraph> fg = capture_call_graph(&fut.core());
      REQUIRE(fg->awaited_by.size() == 1);
      CHECK(fg->awaited_by[0].future.get() == &waiter.core());
      fut.set_result(1);
      CHECK(await(waiter) == 1);
    });
  }

  TEST_CASE("capture_call_graph outside a loop with no future raises RuntimeError") {
    CHECK_THROWS_WITH_AS(capture_call_graph(),
                         "capture_call_graph() is called outside of a running event loop and no *future* to "
                         "introspect was provided",
                         RuntimeError);
  }

  TEST_CASE("future_add_to_awaited_by records a waiter until the child completes") {
    TestLoop loop;
    auto child = loop->create_future<void>();
    auto parent = loop->create_future<void>();
    future_add_to_awaited_by(child.core(), parent.core());
    REQUIRE(future_awaited_by(child.core()).size() == 1);
    future_discard_from_awaited_by(child.core(), parent.core());
    CHECK(future_awaited_by(child.core()).empty());
    future_add_to_awaited_by(child.core(), parent.core());
    child.set_result();
    CHECK(future_awaited_by(child.core()).empty());
  }

  // gather's children are read from its own list (graph.cpp's Group), not from an edge per child:
  // the answers must be those of the edges, each child once, in the order the records were made.
  TEST_CASE("gather's children are awaited by it once each, in order with other records, until done") {
    TestLoop loop;
    loop->run_until_complete([&] {
      BaseEventLoop& lp = get_running_loop();
      current_task()->set_name("main");
      auto a = lp.create_future<int>();
      auto b = lp.create_future<int>();
      auto c = lp.create_future<int>();
      auto g1 = gather(a, b, a);  // a given twice
      auto other = lp.create_future<void>();
      future_add_to_awaited_by(b.core(), other.core());  // recorded after g1, before g2
      auto g2 = gather(b, c);
      std::vector<Ref<FutureCore>> by = future_awaited_by(b.core());
      REQUIRE(by.size() == 3);
      CHECK(by[0].get() == &g1.core());
      CHECK(by[1].get() == &other.core());
      CHECK(by[2].get() == &g2.core());
      CHECK(future_awaited_by(a.core()).size() == 1);
      future_add_to_awaited_by(a.core(), g1.core());  // already a child of g1: nothing new
      CHECK(future_awaited_by(a.core()).size() == 1);
      // The tree lists g1's children once each, in argument order.
      auto waiter = create_task(TaskOptions{"waiter"}, [g1] { await(g1); });
      asyncio::sleep(0);
      CHECK(format_await_tree(lp) == "Task 'main' (running)\n"
                                     "Task 'waiter' awaits gather\n"
                                     "  Future\n"
                                     "  Future\n");
      // Discarded from g1, b is still awaited by the others; once done, by nothing.
      future_discard_from_awaited_by(b.core(), g1.core());
      by = future_awaited_by(b.core());
      REQUIRE(by.size() == 2);
      CHECK(by[0].get() == &other.core());
      CHECK(by[1].get() == &g2.core());
      b.set_result(2);
      CHECK(future_awaited_by(b.core()).empty());
      a.set_result(1);
      CHECK(future_awaited_by(a.core()).empty());
      c.set_result(3);
      CHECK(await(g1) == std::tuple<int, int, int>{1, 2, 1});
      CHECK(await(g2) == std::tuple<int, int>{2, 3});
      await(waiter);
    });
  }

  TEST_CASE("the await tree puts TaskGroup children under their parent task") {
    TestLoop loop;
    loop->run_until_complete([&] {
      current_task()->set_name("main");
      std::string tree, table;
      const std::string here = "tests/unit/test_graph.cpp:";
      const int group_line = __LINE__ + 1;
      task_group([&](TaskGroup& tg) {
        tg.create_task(TaskOptions{"one"}, [] { asyncio::sleep(0.01); });
        tg.create_task(TaskOptions{"two"}, [&] {
          asyncio::sleep(0);
          tree = format_await_tree(get_running_loop());
          table = format_task_table(get_running_loop());
        });
      });
      CHECK(tree ==
            "Task 'main' awaits TaskGroup\n"
            "  Task 'one' awaits sleep()\n"
            "  Task 'two' (running)\n");
      // A waiting task's line: since which pass and where it suspended (asyncio-trace --tasks
      // shows the same). main awaited the group in pass 1, 'one' its sleep in pass 2.
      CHECK(table == "task    state\n"
                     "'main'  waiting on TaskGroup since pass 1 at " + here + std::to_string(group_line) + "\n" +
                     "'one'   waiting on sleep() since pass 2 at " + here + std::to_string(group_line + 1) + "\n" +
                     "'two'   running\n");
    });
  }

  TEST_CASE("the tree, the table and the call graph name a wait by the asyncio call that made it") {
    TestLoop loop;
    loop->run_until_complete([&] {
      current_task()->set_name("main");
      Queue<int> q;
      Lock lock;
      Event ev;
      lock.acquire();
      auto getter = create_task(TaskOptions{"getter"}, [&] { return q.get(); });
      auto locker = create_task(TaskOptions{"locker"}, [&] {
        AsyncWith<Lock> held(lock);
        ev.wait();  // an inner call: its own label once the outer one has ended
      });
      auto waiter = create_task(TaskOptions{"waiter"}, [&] { return ev.wait(); });
      auto plain = get_running_loop().create_future<int>();
      auto other = create_task(TaskOptions{"other"}, [plain] { return await(plain); });
      asyncio::sleep(0);
      const std::string tree = format_await_tree(get_running_loop());
      CHECK(tree.find("Task 'getter' awaits Queue.get()\n") != std::string::npos);
      CHECK(tree.find("Task 'locker' awaits Lock.acquire()\n") != std::string::npos);
      CHECK(tree.find("Task 'waiter' awaits Event.wait()\n") != std::string::npos);
      CHECK(tree.find("Task 'other' awaits Future\n") != std::string::npos);  // a plain future stays one
      const std::string table = format_task_table(get_running_loop());
      CHECK(has(line_of(table, "'getter' "), "waiting on Queue.get() since pass "));
      CHECK(has(line_of(table, "'locker' "), "waiting on Lock.acquire() since pass "));
      CHECK(has(line_of(table, "'waiter' "), "waiting on Event.wait() since pass "));
      CHECK(has(line_of(table, "'other' "), "waiting on Future since pass "));
      std::optional<FutureCallGraph> g = capture_call_graph(&getter.core());
      REQUIRE(g);
      REQUIRE(g->call_stack.size() == 1);
      CHECK(without_ids(g->call_stack[0].what) == "awaits Future(id=ID) in Queue.get()");
      CHECK(without_ids(capture_call_graph(&other.core())->call_stack[0].what) == "awaits Future(id=ID)");
      // The label goes with the call: locker, past Lock.acquire(), now waits in Event.wait().
      lock.release();
      asyncio::sleep(0);
      asyncio::sleep(0);
      CHECK(format_await_tree(get_running_loop()).find("Task 'locker' awaits Event.wait()\n") != std::string::npos);
      q.put_nowait(7);
      ev.set();
      plain.set_result(1);
      CHECK(await(getter) == 7);
      await(locker);
      CHECK(await(waiter));
      CHECK(await(other) == 1);
      CHECK_FALSE(current_task()->call_label());
    });
  }

  TEST_CASE("coroutine tasks name their waits as fiber tasks do (Event.wait(), Queue.get(), as_completed())") {
    TestLoop loop;
    loop->use_virtual_clock();
    loop->run_until_complete([&] {
      BaseEventLoop& l = get_running_loop();
      Queue<int> q;
      Event ev;
      auto ev_waiter = l.create_task([](Event& e) -> Coro<bool> { co_return co_await e.wait_async(); }(ev));
      auto q_getter = l.create_task([](Queue<int>& qq) -> Coro<int> { co_return co_await qq.get_async(); }(q));
      auto joiner = l.create_task([](Queue<int>& qq) -> Coro<void> { co_await qq.join_async(); }(q));
      std::vector ts{l.create_task([] { return asyncio::sleep(0.1, 1); })};
      auto completer = l.create_task([](std::vector<Task<int>> fs) -> Coro<int> {
        int sum = 0;
        for (auto next : as_completed(fs)) sum += co_await next;
        co_return sum;
      }(ts));
      ev_waiter.set_name("ev");
      q_getter.set_name("q");
      joiner.set_name("join");
      completer.set_name("ac");
      // A sleep (frameless, as Event.wait()) reads sleep(); the label is gone once it wakes.
      auto sleeper = l.create_task([]() -> Coro<int> {
        co_await asyncio::sleep_async(0.05);
        co_return static_cast<int>(current_task()->call_label().index);
      }());
      sleeper.set_name("zz");
      q.put_nowait(0);  // one unfinished item: join waits (in Queue.join(), on its Event)
      asyncio::sleep(0);
      asyncio::sleep(0);
      const std::string table = format_task_table(l);
      CHECK(has(line_of(table, "'ev' "), "waiting on Event.wait() since pass "));
      CHECK(has(line_of(table, "'join' "), "waiting on Queue.join() since pass "));
      CHECK(has(line_of(table, "'ac' "), "waiting on as_completed() since pass "));
      CHECK(has(line_of(table, "'zz' "), "waiting on sleep() since pass "));
      CHECK(format_await_tree(l).find("Task 'zz' awaits sleep()\n") != std::string::npos);
      CHECK(await(sleeper) == 0);  // no label left after the wake-up
      // q took the item at once (no wait); it waits in its second get.
      CHECK(await(q_getter) == 0);
      auto q2 = l.create_task([](Queue<int>& qq) -> Coro<int> { co_return co_await qq.get_async(); }(q));
      q2.set_name("q2");
      asyncio::sleep(0);
      CHECK(format_await_tree(l).find("Task 'q2' awaits Queue.get()\n") != std::string::npos);
      ev.set();
      CHECK(await(ev_waiter));
      CHECK_FALSE(static_cast<TaskCore&>(ev_waiter.core()).call_label());  // cleared on resume
      q.task_done();
      await(joiner);
      q.put_nowait(5);
      CHECK(await(q2) == 5);
      CHECK(await(completer) == 1);
    });
  }

  TEST_CASE("a coroutine task waiting inside an _async form shows the program's co_await line, not the runtime's") {
    TestLoop loop;
    loop->run_until_complete([&] {
      BaseEventLoop& l = get_running_loop();
      const std::string here = "tests/unit/test_graph.cpp:";
      Lock lock;
      Condition cond;
      Queue<int> q;
      Barrier barrier(2);
      auto reader = std::make_shared<StreamReader>();
      lock.acquire();
      // Each waits in a coroutine of the runtime (a Coro, not a frameless awaiter), two or three
      // co_awaits below the program's own.
      const int lock_line = __LINE__ + 1;
      auto locker = l.create_task([](Lock& lk) -> Coro<bool> { co_return co_await lk.acquire_async(); }(lock));
      const int cond_line = __LINE__ + 3;
      auto waiter = l.create_task([](Condition& c) -> Coro<void> {
        co_await c.acquire_async();
        co_await c.wait_async();
        c.release();
      }(cond));
      const int get_line = __LINE__ + 1;
      auto getter = l.create_task([](Queue<int>& qq) -> Coro<int> { co_return co_await qq.get_async(); }(q));
      const int barrier_line = __LINE__ + 1;
      auto party = l.create_task([](Barrier& b) -> Coro<long> { co_return co_await b.wait_async(); }(barrier));
      const int read_line = __LINE__ + 1;
      auto line_reader = l.create_task([](std::shared_ptr<StreamReader> r) -> Coro<std::string> { co_return co_await r->readline_async(); }(reader));
      // A helper coroutine of the program's own shows its own line (as a fiber helper does).
      const int helper_line = __LINE__ + 1;
      auto helper = [](Queue<int>& qq) -> Coro<int> { co_return co_await qq.get_async(); };
      auto outer = l.create_task([](decltype(helper) h, Queue<int>& qq) -> Coro<int> { co_return co_await h(qq); }(helper, q));
      // The parent of a task group, once its block's own co_await has shown its line, shows the
      // line of the co_await of task_group_async while it waits for the children.
      Event go;
      const int group_line = __LINE__ + 1;
      auto parent = l.create_task([](Event& ev) -> Coro<void> { co_await task_group_async([&ev](TaskGroup& tg) -> Coro<void> {
          tg.create_task([](Event& e) -> Coro<bool> { co_return co_await e.wait_async(); }(ev));
          co_await sleep_async(0);
        });
      }(go));
      locker.set_name("lock");
      waiter.set_name("cond");
      getter.set_name("get");
      party.set_name("barrier");
      line_reader.set_name("read");
      outer.set_name("helper");
      parent.set_name("group");
      asyncio::sleep(0);
      asyncio::sleep(0);
      asyncio::sleep(0);
      const std::string table = format_task_table(l);
      auto at = [&](int line) { return " at " + here + std::to_string(line) + "\n"; };
      CHECK(has(line_of(table, "'lock' "), "waiting on Lock.acquire() since pass "));
      CHECK(has(line_of(table, "'lock' ") + "\n", at(lock_line)));
      CHECK(has(line_of(table, "'cond' ") + "\n", at(cond_line)));
      CHECK(has(line_of(table, "'get' ") + "\n", at(get_line)));
      CHECK(has(line_of(table, "'barrier' ") + "\n", at(barrier_line)));
      CHECK(has(line_of(table, "'read' "), "waiting on StreamReader.readline() since pass "));
      CHECK(has(line_of(table, "'read' ") + "\n", at(read_line)));
      CHECK(has(line_of(table, "'helper' ") + "\n", at(helper_line)));
      CHECK(has(line_of(table, "'group' "), "waiting on TaskGroup since pass "));
      CHECK(has(line_of(table, "'group' ") + "\n", at(group_line)));
      CHECK(table.find("runtime/asyncio/") == std::string::npos);
      lock.release();
      CHECK(await(locker));
      cond.acquire();
      cond.notify();
      cond.release();
      await(waiter);
      q.put_nowait(1);
      q.put_nowait(2);
      CHECK(await(getter) + await(outer) == 3);
      barrier.wait();
      await(party);
      reader->feed_data("x\n");
      CHECK(await(line_reader) == "x\n");
      go.set();
      await(parent);
    });
  }

  TEST_CASE("a stuck report names the cycle and the future nothing can complete") {
    TestLoop loop;
    loop->run_until_complete([&] {
      current_task()->set_name("main");
      Task<void> b;
      auto a = create_task(TaskOptions{"a"}, [&b] {
        asyncio::sleep(0);
        await(b);
      });
      b = create_task(TaskOptions{"b"}, [a] { await(a); });
      auto lonely = create_task(TaskOptions{"lonely"}, [] { await(get_running_loop().create_future<void>()); });
      auto probe = create_task(TaskOptions{"probe"}, [] {
        asyncio::sleep(0);
        asyncio::sleep(0);
        StuckReport r = make_stuck_report(get_running_loop(), 7);
        CHECK(r.pass == 7);
        CHECK(r.tasks.size() == 5);
        REQUIRE(r.cycles.size() == 1);
        CHECK(r.cycles[0].size() == 2);
        CHECK(r.orphans.size() == 1);
        CHECK(r.text.find("Cycle: Task 'a' awaits Task 'b' awaits Task 'a'\n") != std::string::npos);
        CHECK(r.text.find("Nothing can complete the Future that Task 'lonely' awaits.\n") != std::string::npos);
        CHECK(r.text.rfind("Stuck: pass 7 would wait for ever with 5 tasks pending", 0) == 0);
      });
      await(probe);
      // Cancelling a task of the cycle would cancel the other, which cancels the first... (as in
      // CPython): they stay pending and closing the loop unwinds them, unreported.
      for (TaskCore* t : {&a.task_core(), &b.task_core(), &lonely.task_core()}) t->set_log_destroy_pending_(false);
    });
  }

  TEST_CASE("a gather of many children keeps its tree in order while they finish in any order") {
    // The registry removes a finished child in O(1) (a hole in the parent's list, squeezed out
    // later): the tree must still list the children left, in the order gather was given them,
    // and a finished child must no longer be awaited by the gather.
    constexpr int kChildren = 100;
    TestLoop loop;
    loop->run_until_complete([&] {
      current_task()->set_name("main");
      std::vector<Future<void>> gates;
      std::vector<Task<void>> children;
      for (int i = 0; i < kChildren; ++i) {
        gates.push_back(get_running_loop().create_future<void>());
        children.push_back(create_task(TaskOptions{"c" + std::to_string(i)}, [gate = gates.back()] { await(gate); }));
      }
      Task<void> parent = create_task(TaskOptions{"parent"}, [&children] { await(gather(children)); });
      asyncio::sleep(0);
      asyncio::sleep(0);
      std::vector<bool> finished(kChildren, false);
      auto check_tree = [&] {
        std::string expected = "Task 'main' (running)\nTask 'parent' awaits gather\n";
        for (int i = 0; i < kChildren; ++i)
          if (!finished[i]) expected += "  Task 'c" + std::to_string(i) + "' awaits Future\n";
        CHECK(format_await_tree(get_running_loop()) == expected);
        for (int i = 0; i < kChildren; ++i)
          CHECK(future_awaited_by(children[i].task_core()).size() == (finished[i] ? 0u : 1u));
      };
      check_tree();
      // 37 is prime to 100: i * 37 % 100 visits every child once, far out of order.
      for (int step = 0; step < kChildren; ++step) {
        const int i = step * 37 % kChildren;
        gates[i].set_result();
        finished[i] = true;
        if (step % 10 == 9 && step + 1 < kChildren) {
          asyncio::sleep(0);  // the child's wakeup
          asyncio::sleep(0);  // its end reaches gather
          check_tree();
        }
      }
      await(parent);
      CHECK(format_await_tree(get_running_loop()) == "Task 'main' (running)\n");
    });
  }
}
