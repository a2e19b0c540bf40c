// test_locks.cpp: Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier: state, wake-up
// order and errors. Mirrors Lib/test/test_asyncio/test_locks.py in spirit; messages checked
// with python3 (3.11.7).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::TestLoop;

TEST_SUITE("locks") {
  TEST_CASE("acquire on a free lock takes it without yielding; release of a free lock raises") {
    TestLoop loop;
    loop->run_until_complete([&] {
      Lock lock;
      const std::size_t pass = get_running_loop().pass_count();
      CHECK(lock.acquire());
      CHECK(lock.locked());
      CHECK(get_running_loop().pass_count() == pass);
      lock.release();
      CHECK_FALSE(lock.locked());
      CHECK_THROWS_WITH_AS(lock.release(), "Lock is not acquired.", RuntimeError);
    });
  }

  TEST_CASE("waiters get the lock in FIFO order and a newcomer cannot barge in") {
    TestLoop loop;
    std::vector<std::string> order;
    loop->run_until_complete([&] {
      Lock lock;
      lock.acquire();
      std::vector<Task<void>> ts;
      for (const char* name : {"a", "b", "c"}) {
        ts.push_back(create_task([&lock, &order, name] {
          auto held = async_with(lock);
          order.push_back(name);
        }));
      }
      asyncio::sleep(0);
      lock.release();
      CHECK_FALSE(lock.locked());  // until a's wake-up runs
      ts.push_back(create_task([&] {
        auto held = async_with(lock);
        order.push_back("late");
      }));
      await(gather(ts));
    });
    CHECK(order == std::vector<std::string>{"a", "b", "c", "late"});
  }

  TEST_CASE("a lock's repr shows its state and waiters") {
    TestLoop loop;
    loop->run_until_complete([&] {
      Lock lock;
      CHECK(lock.repr().ends_with("[unlocked]>"));
      lock.acquire();
      auto t = create_task([&] { lock.acquire(); });
      asyncio::sleep(0);
      CHECK(lock.repr().starts_with("<asyncio.locks.Lock object at 0x"));
      CHECK(lock.repr().ends_with("[locked, waiters:1]>"));
      lock.release();
      await(t);
      lock.release();
    });
  }

  TEST_CASE("a lock used on a second loop raises RuntimeError naming the first binding") {
    Lock lock;
    {
      TestLoop loop;
      loop->run_until_complete([&] {
        lock.acquire();
        auto t = create_task([&] { lock.acquire(); });  // binds the lock to this loop
        asyncio::sleep(0);
        t.cancel();
        CHECK_THROWS_AS(await(t), CancelledError);
      });
    }
    TestLoop other;
    other->run_until_complete([&] {
      try {
        lock.acquire();
        FAIL("acquire on another loop must raise");
      } catch (const RuntimeError& e) {
        CHECK(std::string(e.what()).ends_with("is bound to a different event loop"));
      }
    });
  }

  TEST_CASE("Event: set wakes all waiters in order, wait on a set event does not yield") {
    TestLoop loop;
    std::vector<int> order;
    loop->run_until_complete([&] {
      Event ev;
      CHECK_FALSE(ev.is_set());
      std::vector<Task<void>> ts;
      for (int i = 0; i < 3; ++i) ts.push_back(create_task([&, i] {
        ev.wait();
        order.push_back(i);
      }));
      asyncio::sleep(0);
      CHECK(ev.repr().ends_with("[unset, waiters:3]>"));
      ev.set();
      ev.clear();
      await(gather(ts));
      ev.set();
      const std::size_t pass = get_running_loop().pass_count();
      CHECK(ev.wait());
      CHECK(get_running_loop().pass_count() == pass);
    });
    CHECK(order == std::vector<int>{0, 1, 2});
  }

  TEST_CASE("Condition: wait and notify need the lock") {
    TestLoop loop;
    loop->run_until_complete([&] {
      Condition cond;
      CHECK_THROWS_WITH_AS(cond.wait(), "cannot wait on un-acquired lock", RuntimeError);
      CHECK_THROWS_WITH_AS(cond.notify(), "cannot notify on un-acquired lock", RuntimeError);
    });
  }

  TEST_CASE("Condition: notify(n) wakes n waiters, wait_for returns the predicate's value") {
    TestLoop loop;
    loop->run_until_complete([&] {
      Lock lock;
      Condition cond(lock);
      int woken = 0;
      int value = 0;
      std::vector<Task<void>> ts;
      for (int i = 0; i < 3; ++i) ts.push_back(create_task([&] {
        auto held = async_with(cond);
        cond.wait();
        ++woken;
      }));
      auto pred = create_task([&] {
        auto held = async_with(cond);
        return cond.wait_for([&] { return value; });
      });
      asyncio::sleep(0);
      {
        auto held = async_with(cond);
        cond.notify(2);
      }
      asyncio::sleep(0.01);
      CHECK(woken == 2);
      {
        auto held = async_with(cond);
        value = 7;
        cond.notify_all();
      }
      await(gather(ts));
      CHECK(woken == 3);
      CHECK(await(pred) == 7);
      CHECK_FALSE(lock.locked());
    });
  }

  TEST_CASE("Semaphore: value, locked and a negative initial value") {
    CHECK_THROWS_WITH_AS(Semaphore(-1), "Semaphore initial value must be >= 0", ValueError);
    TestLoop loop;
    loop->run_until_complete([&] {
      Semaphore sem(2);
      CHECK(sem.repr().ends_with("[unlocked, value:2]>"));
      sem.acquire();
      sem.acquire();
      CHECK(sem.locked());
      CHECK(sem.value() == 0);
      auto t = create_task([&] { sem.acquire(); });
      asyncio::sleep(0);
      sem.release();  // handed to t at once: the value stays 0
      CHECK(sem.value() == 0);
      await(t);
      sem.release();
      sem.release();
      CHECK(sem.value() == 2);
    });
  }

  TEST_CASE("BoundedSemaphore refuses to be released above its initial value") {
    TestLoop loop;
    loop->run_until_complete([&] {
      BoundedSemaphore sem(1);
      sem.acquire();
      sem.release();
      CHECK_THROWS_WITH_AS(sem.release(), "BoundedSemaphore released too many times", ValueError);
      CHECK(sem.value() == 1);
    });
  }

  TEST_CASE("Barrier: indices, n_waiting, abort and reset") {
    CHECK_THROWS_WITH_AS(Barrier(0), "parties must be > 0", ValueError);
    TestLoop loop;
    loop->run_until_complete([&] {
      Barrier barrier(2);
      CHECK(barrier.parties() == 2);
      auto first = create_task([&] { return barrier.wait(); });
      asyncio::sleep(0);
      CHECK(barrier.n_waiting() == 1);
      CHECK(barrier.repr().ends_with("[filling, waiters:1/2]>"));
      const long second = barrier.wait();
      CHECK(second == 1);
      CHECK(await(first) == 0);
      auto stuck = create_task([&] { barrier.wait(); });
      asyncio::sleep(0);
      barrier.reset();
      CHECK_THROWS_WITH_AS(await(stuck), "Abort or reset of barrier", BrokenBarrierError);
      barrier.abort();
      CHECK(barrier.broken());
      CHECK_THROWS_WITH_AS(barrier.wait(), "Barrier aborted", BrokenBarrierError);
      CHECK(barrier.repr().ends_with("[broken]>"));
    });
  }
}
