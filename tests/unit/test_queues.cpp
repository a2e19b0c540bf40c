// test_queues.cpp: Queue, PriorityQueue and LifoQueue: size, order, errors, task_done/join.
// Mirrors Lib/test/test_asyncio/test_queues.py in spirit; messages checked with python3.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::TestLoop;

TEST_SUITE("queues") {
  TEST_CASE("put_nowait and get_nowait raise QueueFull and QueueEmpty") {
    Queue<int> q(1);
    CHECK(q.maxsize() == 1);
    CHECK(q.empty());
    CHECK_THROWS_AS(q.get_nowait(), QueueEmpty);
    q.put_nowait(1);
    CHECK(q.full());
    CHECK(q.qsize() == 1);
    CHECK_THROWS_AS(q.put_nowait(2), QueueFull);
    CHECK(q.get_nowait() == 1);
  }

  TEST_CASE("an unbounded queue is never full") {
    Queue<int> q;
    for (int i = 0; i < 1000; ++i) q.put_nowait(i);
    CHECK_FALSE(q.full());
    CHECK(q.get_nowait() == 0);
  }

  TEST_CASE("task_done too many times raises ValueError") {
    Queue<int> q;
    q.put_nowait(1);
    q.task_done();
    CHECK_THROWS_WITH_AS(q.task_done(), "task_done() called too many times", ValueError);
  }

  TEST_CASE("repr and str show maxsize, items, waiters and unfinished tasks") {
    Queue<std::string> q(3);
    CHECK(q.str() == "<Queue maxsize=3>");
    q.put_nowait("a");
    q.put_nowait("b");
    CHECK(q.str() == "<Queue maxsize=3 _queue=['a', 'b'] tasks=2>");
    CHECK(q.repr().starts_with("<Queue at 0x"));
  }

  TEST_CASE("PriorityQueue keeps heapq's list and pops lowest first") {
    PriorityQueue<std::pair<int, std::string>> q;
    for (const auto& e : std::vector<std::pair<int, std::string>>{{5, "e"}, {1, "a"}, {3, "c"}, {2, "b"}})
      q.put_nowait(e);
    CHECK(q.str() == "<PriorityQueue maxsize=0 _queue=[(1, 'a'), (2, 'b'), (3, 'c'), (5, 'e')] tasks=4>");
    std::vector<int> out;
    while (!q.empty()) out.push_back(q.get_nowait().first);
    CHECK(out == std::vector<int>{1, 2, 3, 5});
  }

  TEST_CASE("LifoQueue pops the newest item first") {
    LifoQueue<int> q;
    for (int i = 0; i < 3; ++i) q.put_nowait(i);
    CHECK(q.get_nowait() == 2);
    CHECK(q.get_nowait() == 1);
  }

  TEST_CASE("put waits while full and get while empty, each woken by the other") {
    TestLoop loop;
    std::vector<std::string> log;
    loop->run_until_complete([&] {
      Queue<int> q(1);
      auto producer = create_task([&] {
        for (int i = 0; i < 3; ++i) {
          q.put(i);
          log.push_back("put " + std::to_string(i));
        }
      });
      auto consumer = create_task([&] {
        for (int i = 0; i < 3; ++i) log.push_back("got " + std::to_string(q.get()));
      });
      await(gather(producer, consumer));
    });
    CHECK(log == std::vector<std::string>{"put 0", "got 0", "put 1", "got 1", "put 2", "got 2"});
  }

  TEST_CASE("join waits for task_done on every item and returns at once when none is pending") {
    TestLoop loop;
    loop->run_until_complete([&] {
      Queue<int> q;
      const std::size_t pass = get_running_loop().pass_count();
      q.join();
      CHECK(get_running_loop().pass_count() == pass);
      q.put_nowait(1);
      q.put_nowait(2);
      bool joined = false;
      auto joiner = create_task([&] {
        q.join();
        joined = true;
      });
      q.get_nowait();
      q.task_done();
      asyncio::sleep(0);
      asyncio::sleep(0);
      CHECK_FALSE(joined);
      q.get_nowait();
      q.task_done();
      await(joiner);
      CHECK(joined);
    });
  }

  TEST_CASE("a cancelled get leaves no getter behind") {
    TestLoop loop;
    loop->run_until_complete([&] {
      Queue<int> q;
      auto t = create_task([&] { return q.get(); });
      asyncio::sleep(0);
      CHECK(q.str() == "<Queue maxsize=0 _getters[1]>");
      t.cancel();
      CHECK_THROWS_AS(await(t), CancelledError);
      CHECK(q.str() == "<Queue maxsize=0>");
    });
  }
}
