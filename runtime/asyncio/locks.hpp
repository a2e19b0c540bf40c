// locks.hpp: Lock, Event, Condition, Semaphore, BoundedSemaphore and Barrier for tasks.
// Mirrors Lib/asyncio/locks.py (each class, _ContextManagerMixin as async_with) in behaviour,
// wake-up order and messages. Owns each primitive's waiter futures: waking a task means
// resolving its future, so the woken task runs one pass later. Course: docs/09-composing-tasks.md
#pragma once

#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "asyncio/coroutines.hpp"
#include "asyncio/mixins.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

// `async with lock:` (locks._ContextManagerMixin): acquire() now (it may suspend), release()
// when the scope ends, also by an exception. Works for Lock, Condition, Semaphore. A release()
// error (e.g. 'Lock is not acquired.') propagates on a normal exit, as __aexit__'s would, and is
// dropped while another exception is already unwinding the scope (C++ cannot carry two).
template <class L>
class [[nodiscard]] AsyncWith {
 public:
  explicit AsyncWith(L& primitive, source_location where = source_location::current())
      : primitive_(primitive), uncaught_(std::uncaught_exceptions()) {
    primitive_.acquire(where);
  }
  ~AsyncWith() noexcept(false) {
    if (std::uncaught_exceptions() == uncaught_) {
      primitive_.release();
      return;
    }
    try {
      primitive_.release();
    } catch (const std::exception&) {
    }
  }
  AsyncWith(const AsyncWith&) = delete;
  AsyncWith& operator=(const AsyncWith&) = delete;

 private:
  L& primitive_;
  int uncaught_;
};
template <class L>
AsyncWith<L> async_with(L& primitive, source_location where = source_location::current()) {
  return AsyncWith<L>(primitive, where);
}

// [coro] The release half of `async with` in a coroutine: `co_await x.acquire_async();` then
// `ReleaseOnExit held(x);` releases when the scope ends, as AsyncWith does (a release() error is
// dropped while another exception unwinds the scope). Used by Barrier's coroutine forms.
template <class L>
class [[nodiscard]] ReleaseOnExit {
 public:
  explicit ReleaseOnExit(L& primitive) : primitive_(primitive), uncaught_(std::uncaught_exceptions()) {}
  ~ReleaseOnExit() noexcept(false) {
    if (std::uncaught_exceptions() == uncaught_) {
      primitive_.release();
      return;
    }
    try {
      primitive_.release();
    } catch (const std::exception&) {
    }
  }
  ReleaseOnExit(const ReleaseOnExit&) = delete;
  ReleaseOnExit& operator=(const ReleaseOnExit&) = delete;

 private:
  L& primitive_;
  int uncaught_;
};

// Lock: FIFO, and no barging: between release() and the first waiter's wake-up the lock reads
// unlocked, yet a new acquire() queues behind that waiter. A waiter cancelled after being woken
// passes the wake-up on to the next one.
class Lock : public LoopBoundMixin {
 public:
  Lock() = default;
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  bool locked() const noexcept { return locked_; }
  // Takes the lock at once, without yielding, if it is free and nobody (not cancelled) waits;
  // otherwise suspends the running task until its turn. Returns true.
  bool acquire(source_location where = source_location::current());
  // The coroutine form: `co_await lock.acquire_async()` (coroutines.hpp).
  Coro<bool> acquire_async();
  // RuntimeError('Lock is not acquired.') when unlocked; else unlocks and wakes the first waiter.
  void release();
  // "<asyncio.locks.Lock object at 0x... [locked, waiters:2]>"
  std::string repr() const;

 private:
  void wake_up_first_();
  std::deque<Future<bool>> waiters_;
  bool locked_ = false;
};

class Event;
namespace detail {
// `co_await event.wait_async()`: Event.wait with no coroutine frame of its own (an idle task
// waiting on an Event is then its task, its body's frame and the waiter future: docs/06,
// "What each costs"). `where` is the co_await's line, as for a future. The waiter is held by a
// bare counted pointer, not a Future<bool> handle: 8 bytes less in the frame of every waiting
// coroutine (the frame holds this awaiter across the wait).
struct EventWaitAwaiter : AwaiterBase {
  static constexpr bool takes_where_ = true;
  Event* event;
  source_location where{};
  Ref<FutureCore> fut{};  // empty: the event was set, no wait
  bool await_ready();
  void await_suspend(std::coroutine_handle<> h);
  bool await_resume();
};
}  // namespace detail

// Event: set() wakes every waiter, in wait order; wait() returns at once while set.
class Event : public LoopBoundMixin {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  bool is_set() const noexcept { return value_; }
  void set();
  // Only resets the flag: waiters already woken still return.
  void clear() noexcept { value_ = false; }
  bool wait(source_location where = source_location::current());
  // The coroutine form: `co_await event.wait_async()`. An awaiter, not a Coro: co_await it (to
  // run it as a task of its own, wrap it in a coroutine).
  detail::EventWaitAwaiter wait_async() noexcept { return detail::EventWaitAwaiter{{}, this}; }
  std::string repr() const;

 private:
  friend struct detail::EventWaitAwaiter;
  // The waiters' futures (Future<bool> each), as counted pointers: 8 bytes a waiter, not 16.
  std::deque<Ref<FutureCore>> waiters_;
  bool value_ = false;
};

// Condition: a Lock (its own, or one shared with others) plus a queue of notified waiters.
class Condition : public LoopBoundMixin {
 public:
  Condition();
  explicit Condition(Lock& lock);
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  bool locked() const noexcept { return lock_->locked(); }
  bool acquire(source_location where = source_location::current()) { return lock_->acquire(where); }
  Coro<bool> acquire_async() { return lock_->acquire_async(); }
  void release() { lock_->release(); }
  // Releases the lock, waits for notify(), re-acquires the lock before returning, even when
  // cancelled (then raises CancelledError once it holds the lock again).
  // RuntimeError('cannot wait on un-acquired lock') without the lock.
  bool wait(source_location where = source_location::current());
  // The coroutine form: `co_await cond.wait_async()`, the same rules.
  Coro<bool> wait_async();
  // Waits until predicate() is true; returns its last value.
  template <class P>
  auto wait_for(P predicate, source_location where = source_location::current()) {
    auto result = predicate();
    while (!result) {
      detail::TracedCall call("Condition.wait_for()");
      wait(where);
      result = predicate();
    }
    return result;
  }
  // The coroutine form: `co_await cond.wait_for_async(predicate)`. The predicate is kept in the
  // frame (copied, or moved), so a lambda capturing by reference must outlive the wait.
  template <class P>
  auto wait_for_async(P predicate) -> Coro<decltype(predicate())> {
    auto result = predicate();
    while (!result) {
      detail::TracedCall call("Condition.wait_for()");
      co_await wait_async();
      result = predicate();
    }
    co_return result;
  }
  // Wakes up to n waiters in wait order. RuntimeError('cannot notify on un-acquired lock').
  void notify(std::size_t n = 1);
  void notify_all() { notify(waiters_.size()); }
  std::string repr() const;

 private:
  std::unique_ptr<Lock> own_lock_;
  Lock* lock_;
  std::deque<Future<bool>> waiters_;
};

// Semaphore(value=1): ValueError('Semaphore initial value must be >= 0'). FIFO: release()
// hands the unit to the first waiter still waiting.
class Semaphore : public LoopBoundMixin {
 public:
  explicit Semaphore(long value = 1);
  virtual ~Semaphore() = default;
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // True if acquire() would suspend: no units left, or someone (not cancelled) waits already.
  bool locked() const noexcept;
  bool acquire(source_location where = source_location::current());
  // The coroutine form: `co_await sem.acquire_async()` (BoundedSemaphore's too).
  Coro<bool> acquire_async();
  virtual void release();
  long value() const noexcept { return value_; }
  virtual std::string repr() const;

 protected:
  void wake_up_next_();
  std::deque<Future<bool>> waiters_;
  long value_;
};

// BoundedSemaphore: release() past the initial value ->
// ValueError('BoundedSemaphore released too many times').
class BoundedSemaphore final : public Semaphore {
 public:
  explicit BoundedSemaphore(long value = 1) : Semaphore(value), bound_value_(value) {}
  void release() override;
  std::string repr() const override;

 private:
  long bound_value_;
};

// Barrier(parties) (3.11): wait() blocks until `parties` tasks wait, then all return, each with
// its arrival index. abort() breaks it (waiting and later wait() calls raise
// BrokenBarrierError); reset() sends the waiting tasks BrokenBarrierError and starts over.
class Barrier : public LoopBoundMixin {
 public:
  enum class State { FILLING, DRAINING, RESETTING, BROKEN };

  // ValueError('parties must be > 0').
  explicit Barrier(long parties);
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  long wait(source_location where = source_location::current());
  // Both take the barrier's condition first (`async with self._cond`), so they may suspend.
  void reset(source_location where = source_location::current());
  void abort(source_location where = source_location::current());
  // The coroutine forms: `co_await barrier.wait_async()`, `reset_async()`, `abort_async()`.
  Coro<long> wait_async();
  Coro<void> reset_async();
  Coro<void> abort_async();
  long parties() const noexcept { return parties_; }
  long n_waiting() const noexcept { return state_ == State::FILLING ? count_ : 0; }
  bool broken() const noexcept { return state_ == State::BROKEN; }
  State state() const noexcept { return state_; }
  std::string repr() const;

 private:
  void block_(source_location where);
  Coro<void> block_async_();
  Coro<void> wait_async_();
  void release_();
  void wait_(source_location where);
  void exit_();
  Condition cond_;
  long parties_;
  State state_ = State::FILLING;
  long count_ = 0;
};

// "filling", "draining", "resetting", "broken" (locks._BarrierState values).
const char* to_string(Barrier::State state) noexcept;

}  // namespace asyncio
