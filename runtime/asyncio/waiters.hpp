// waiters.hpp: a FIFO line of futures that tasks wait on, woken one at a time.
// Mirrors Lib/asyncio/queues.py (Queue._wakeup_next and the `while ...: await waiter` loops of
// Queue.put / Queue.get), which tasks.as_completed reuses through its internal Queue.
// Owns nothing: helpers for queues.cpp and the as_completed combinator. Course: docs/09-composing-tasks.md
#pragma once

#include <algorithm>
#include <deque>
#include <exception>

#include "asyncio/coroutines.hpp"  // and tasks.hpp

namespace asyncio::detail {

// Queue._wakeup_next: drop waiters already done (cancelled), wake the first still waiting.
inline void wakeup_next(std::deque<Future<void>>& waiters) {
  while (!waiters.empty()) {
    Future<void> waiter = std::move(waiters.front());
    waiters.pop_front();
    if (!waiter.done()) {
      waiter.set_result();
      break;
    }
  }
}

// `while must_wait(): await waiter` with a fresh waiter at the back of the line each time;
// `label`: the public call that waits (the task's call_label() while it waits). If the
// wait fails (cancelled), the waiter leaves the line, and one that had already been woken passes
// the wake-up on to the next in line when the condition now holds.
template <class MustWait>
void wait_in_line(std::deque<Future<void>>& waiters, BaseEventLoop& loop, MustWait must_wait, source_location where,
                  CallLabel label = {}) {
  while (must_wait()) {
    TracedCall call(&loop, label);  // what the task waits in ("Queue.get()"), only while it waits
    Future<void> waiter = loop.create_future<void>();
    waiters.push_back(waiter);
    std::exception_ptr error;
    try {
      await(waiter, where);
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      waiter.cancel();
      const auto it = std::find(waiters.begin(), waiters.end(), waiter);
      if (it != waiters.end()) waiters.erase(it);
      if (!must_wait() && !waiter.cancelled()) wakeup_next(waiters);
      std::rethrow_exception(error);
    }
  }
}

// wait_in_line in a coroutine (co_await for await).
template <class MustWait>
Coro<void> wait_in_line_async(std::deque<Future<void>>& waiters, BaseEventLoop& loop, MustWait must_wait,
                              CallLabel label = {}) {
  while (must_wait()) {
    TracedCall call(&loop, label);
    Future<void> waiter = loop.create_future<void>();
    waiters.push_back(waiter);
    std::exception_ptr error;
    try {
      co_await waiter;
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      waiter.cancel();
      const auto it = std::find(waiters.begin(), waiters.end(), waiter);
      if (it != waiters.end()) waiters.erase(it);
      if (!must_wait() && !waiter.cancelled()) wakeup_next(waiters);
      std::rethrow_exception(error);
    }
  }
}

}  // namespace asyncio::detail
