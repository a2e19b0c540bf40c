// locks.cpp: the waiting and waking of Lock, Event, Condition, Semaphore and Barrier.
// Mirrors Lib/asyncio/locks.py; every wait is a future in a deque, every wake-up a set_result.
// Nothing here switches fibers inside a catch block: errors are captured, then handled.
// Course: docs/09-composing-tasks.md
#include "asyncio/locks.hpp"

#include "asyncio/timeouts.hpp"  // detail::is_std_exception

#include <algorithm>
#include <cstdio>

namespace asyncio {

std::string object_repr_(const char* qualname, const void* self) {
  char address[32];
  std::snprintf(address, sizeof address, "%p", self);
  return std::string(qualname) + " object at " + address;
}

namespace {
template <class F>
void erase_waiter(std::deque<F>& waiters, const F& fut) {
  const auto it = std::find(waiters.begin(), waiters.end(), fut);
  if (it != waiters.end()) waiters.erase(it);
}

// await fut, then remove it from waiters whatever happened (the `finally:` of each wait).
// Returns the exception the await raised, if any, for the caller to handle outside a catch.
template <class F>
std::exception_ptr await_waiter(std::deque<F>& waiters, const F& fut, source_location where) {
  std::exception_ptr error;
  try {
    await(fut, where);
  } catch (...) {
    error = std::current_exception();
  }
  erase_waiter(waiters, fut);
  return error;
}

// await_waiter in a coroutine: co_await fut, then remove it from waiters whatever happened.
template <class F>
Coro<std::exception_ptr> await_waiter_async(std::deque<F>& waiters, F fut) {
  std::exception_ptr error;
  try {
    co_await fut;
  } catch (...) {
    error = std::current_exception();
  }
  erase_waiter(waiters, fut);
  co_return error;
}

std::string with_waiters(std::string extra, std::size_t waiters) {
  if (waiters) extra += ", waiters:" + std::to_string(waiters);
  return extra;
}
}  // namespace

// ------------------------------------------------------------------------- Lock

bool Lock::acquire(source_location where) {
  if (!locked_ && std::all_of(waiters_.begin(), waiters_.end(), [](const Future<bool>& w) { return w.cancelled(); })) {
    locked_ = true;
    return true;
  }
  detail::TracedCall call("Lock.acquire()");
  Future<bool> fut = get_loop_(*this).create_future<bool>();
  waiters_.push_back(fut);
  if (std::exception_ptr error = await_waiter(waiters_, fut, where)) {
    // Woken and then cancelled before running: hand the wake-up to the next waiter.
    if (is_cancelled_error(error) && !locked_) wake_up_first_();
    std::rethrow_exception(error);
  }
  locked_ = true;
  return true;
}

Coro<bool> Lock::acquire_async() {
  if (!locked_ && std::all_of(waiters_.begin(), waiters_.end(), [](const Future<bool>& w) { return w.cancelled(); })) {
    locked_ = true;
    co_return true;
  }
  detail::TracedCall call("Lock.acquire()");
  Future<bool> fut = get_loop_(*this).create_future<bool>();
  waiters_.push_back(fut);
  if (std::exception_ptr error = co_await await_waiter_async(waiters_, fut)) {
    if (is_cancelled_error(error) && !locked_) wake_up_first_();
    std::rethrow_exception(error);
  }
  locked_ = true;
  co_return true;
}

void Lock::release() {
  if (!locked_) throw RuntimeError("Lock is not acquired.");
  locked_ = false;
  wake_up_first_();
}

void Lock::wake_up_first_() {
  if (waiters_.empty()) return;
  const Future<bool>& fut = waiters_.front();
  if (!fut.done()) fut.set_result(true);
}

std::string Lock::repr() const {
  return "<" + object_repr_("asyncio.locks.Lock", this) + " [" +
         with_waiters(locked_ ? "locked" : "unlocked", waiters_.size()) + "]>";
}

// ------------------------------------------------------------------------- Event

void Event::set() {
  if (value_) return;
  value_ = true;
  for (const Ref<FutureCore>& fut : waiters_)
    if (!fut->done()) Future<bool>(fut).set_result(true);
}

bool Event::wait(source_location where) {
  if (value_) return true;
  detail::TracedCall call("Event.wait()");
  Future<bool> fut = get_loop_(*this).create_future<bool>();
  waiters_.push_back(fut.core_ref());
  std::exception_ptr error;
  try {
    await(fut, where);
  } catch (...) {
    error = std::current_exception();
  }
  erase_waiter(waiters_, fut.core_ref());
  if (error) std::rethrow_exception(error);
  return true;
}

bool detail::EventWaitAwaiter::await_ready() {
  if (event->value_) return true;
  fut = event->get_loop_(*event).create_future<bool>().core_ref();
  event->waiters_.push_back(fut);
  return false;
}

// No frame to hold a TracedCall scope: the label "Event.wait()" (as the fiber form's) is set here,
// unless the task is in an outer call already (Queue.join()), and cleared in await_resume.
void detail::EventWaitAwaiter::await_suspend(std::coroutine_handle<> h) {
  try {
    TaskCore& task = coro_suspend_(h, fut.get(), where);
    if (!task.call_label()) task.set_call_label_("Event.wait()");
  } catch (...) {
    erase_waiter(event->waiters_, fut);  // co_await outside a coroutine task: nothing waits
    throw;
  }
}

// Event.wait's `finally: self._waiters.remove(fut)`, then what the step threw in, if anything.
bool detail::EventWaitAwaiter::await_resume() {
  if (!fut) return true;  // it was set: no wait
  erase_waiter(event->waiters_, fut);
  if (running_coro.task->call_label() == CallLabel("Event.wait()")) running_coro.task->set_call_label_({});
  coro_resumed_(running_coro.task, fut.get());  // the step resuming us is our task's
  return true;
}

std::string Event::repr() const {
  return "<" + object_repr_("asyncio.locks.Event", this) + " [" + with_waiters(value_ ? "set" : "unset", waiters_.size()) +
         "]>";
}

// ------------------------------------------------------------------------- Condition

Condition::Condition() : own_lock_(std::make_unique<Lock>()), lock_(own_lock_.get()) {}

Condition::Condition(Lock& lock) : lock_(&lock) {}

bool Condition::wait(source_location where) {
  if (!locked()) throw RuntimeError("cannot wait on un-acquired lock");
  detail::TracedCall call("Condition.wait()");
  release();
  std::exception_ptr error;
  try {
    Future<bool> fut = get_loop_(*this).create_future<bool>();
    waiters_.push_back(fut);
    error = await_waiter(waiters_, fut, where);
  } catch (...) {
    error = std::current_exception();
  }
  // A task destroyed while waiting (the fiber's forced unwind, not a std::exception) must not
  // suspend again to re-acquire.
  if (error && !detail::is_std_exception(error)) std::rethrow_exception(error);
  // The `finally:`: take the lock back whatever happened, even through cancellations.
  bool cancelled = false;
  while (true) {
    bool retry = false;
    try {
      acquire(where);
    } catch (const CancelledError&) {
      retry = true;
    }
    if (!retry) break;
    cancelled = true;
  }
  if (cancelled) throw CancelledError();
  if (error) std::rethrow_exception(error);
  return true;
}

void Condition::notify(std::size_t n) {
  if (!locked()) throw RuntimeError("cannot notify on un-acquired lock");
  std::size_t idx = 0;
  for (const Future<bool>& fut : waiters_) {
    if (idx >= n) break;
    if (!fut.done()) {
      ++idx;
      fut.set_result(false);
    }
  }
}

Coro<bool> Condition::wait_async() {
  if (!locked()) throw RuntimeError("cannot wait on un-acquired lock");
  detail::TracedCall call("Condition.wait()");
  release();
  std::exception_ptr error;
  try {
    Future<bool> fut = get_loop_(*this).create_future<bool>();
    waiters_.push_back(fut);
    error = co_await await_waiter_async(waiters_, fut);
  } catch (...) {
    error = std::current_exception();
  }
  // The `finally:`: take the lock back whatever happened, even through cancellations. (A frame
  // destroyed while waiting runs no catch and never comes here.)
  bool cancelled = false;
  while (true) {
    bool retry = false;
    try {
      co_await acquire_async();
    } catch (const CancelledError&) {
      retry = true;
    }
    if (!retry) break;
    cancelled = true;
  }
  if (cancelled) throw CancelledError();
  if (error) std::rethrow_exception(error);
  co_return true;
}

std::string Condition::repr() const {
  return "<" + object_repr_("asyncio.locks.Condition", this) + " [" +
         with_waiters(locked() ? "locked" : "unlocked", waiters_.size()) + "]>";
}

// ------------------------------------------------------------------------- Semaphore

Semaphore::Semaphore(long value) : value_(value) {
  if (value < 0) throw ValueError("Semaphore initial value must be >= 0");
}

bool Semaphore::locked() const noexcept {
  return value_ == 0 ||
         std::any_of(waiters_.begin(), waiters_.end(), [](const Future<bool>& w) { return !w.cancelled(); });
}

bool Semaphore::acquire(source_location where) {
  if (!locked()) {
    --value_;
    return true;
  }
  detail::TracedCall call("Semaphore.acquire()");
  Future<bool> fut = get_loop_(*this).create_future<bool>();
  waiters_.push_back(fut);
  if (std::exception_ptr error = await_waiter(waiters_, fut, where)) {
    // Granted a unit (fut done, not cancelled) but cancelled before running: give it back.
    if (is_cancelled_error(error) && !fut.cancelled()) {
      ++value_;
      wake_up_next_();
    }
    std::rethrow_exception(error);
  }
  if (value_ > 0) wake_up_next_();
  return true;
}

Coro<bool> Semaphore::acquire_async() {
  if (!locked()) {
    --value_;
    co_return true;
  }
  detail::TracedCall call("Semaphore.acquire()");
  Future<bool> fut = get_loop_(*this).create_future<bool>();
  waiters_.push_back(fut);
  if (std::exception_ptr error = co_await await_waiter_async(waiters_, fut)) {
    if (is_cancelled_error(error) && !fut.cancelled()) {
      ++value_;
      wake_up_next_();
    }
    std::rethrow_exception(error);
  }
  if (value_ > 0) wake_up_next_();
  co_return true;
}

void Semaphore::release() {
  ++value_;
  wake_up_next_();
}

void Semaphore::wake_up_next_() {
  for (const Future<bool>& fut : waiters_) {
    if (!fut.done()) {
      --value_;
      fut.set_result(true);
      return;
    }
  }
}

std::string Semaphore::repr() const {
  const std::string extra = locked() ? "locked" : "unlocked, value:" + std::to_string(value_);
  return "<" + object_repr_("asyncio.locks.Semaphore", this) + " [" + with_waiters(extra, waiters_.size()) + "]>";
}

void BoundedSemaphore::release() {
  if (value_ >= bound_value_) throw ValueError("BoundedSemaphore released too many times");
  Semaphore::release();
}

std::string BoundedSemaphore::repr() const {
  const std::string extra = locked() ? "locked" : "unlocked, value:" + std::to_string(value_);
  return "<" + object_repr_("asyncio.locks.BoundedSemaphore", this) + " [" + with_waiters(extra, waiters_.size()) +
         "]>";
}

// ------------------------------------------------------------------------- Barrier

const char* to_string(Barrier::State state) noexcept {
  switch (state) {
    case Barrier::State::FILLING: return "filling";
    case Barrier::State::DRAINING: return "draining";
    case Barrier::State::RESETTING: return "resetting";
    case Barrier::State::BROKEN: return "broken";
  }
  return "?";
}

Barrier::Barrier(long parties) : parties_(parties) {
  if (parties < 1) throw ValueError("parties must be > 0");
}

long Barrier::wait(source_location where) {
  detail::TracedCall call("Barrier.wait()");
  AsyncWith<Condition> held(cond_, where);
  block_(where);  // while the barrier drains or resets
  const long index = count_++;
  std::exception_ptr error;
  try {
    if (index + 1 == parties_) {
      release_();
    } else {
      wait_(where);
    }
  } catch (...) {
    error = std::current_exception();
  }
  --count_;
  exit_();
  if (error) std::rethrow_exception(error);
  return index;
}

void Barrier::block_(source_location where) {
  cond_.wait_for([this] { return state_ != State::DRAINING && state_ != State::RESETTING; }, where);
  if (state_ == State::BROKEN) throw BrokenBarrierError("Barrier aborted");
}

void Barrier::release_() {
  state_ = State::DRAINING;
  cond_.notify_all();
}

void Barrier::wait_(source_location where) {
  cond_.wait_for([this] { return state_ != State::FILLING; }, where);
  if (state_ == State::BROKEN || state_ == State::RESETTING) throw BrokenBarrierError("Abort or reset of barrier");
}

void Barrier::exit_() {
  if (count_ == 0) {
    if (state_ == State::RESETTING || state_ == State::DRAINING) state_ = State::FILLING;
    cond_.notify_all();
  }
}

void Barrier::reset(source_location where) {
  detail::TracedCall call("Barrier.reset()");
  AsyncWith<Condition> held(cond_, where);
  if (count_ > 0) {
    state_ = State::RESETTING;
  } else {
    state_ = State::FILLING;
  }
  cond_.notify_all();
}

void Barrier::abort(source_location where) {
  detail::TracedCall call("Barrier.abort()");
  AsyncWith<Condition> held(cond_, where);
  state_ = State::BROKEN;
  cond_.notify_all();
}

// The coroutine forms: the same steps, co_await where the fiber forms suspend.
Coro<long> Barrier::wait_async() {
  detail::TracedCall call("Barrier.wait()");
  co_await cond_.acquire_async();
  ReleaseOnExit<Condition> held(cond_);
  co_await block_async_();
  const long index = count_++;
  std::exception_ptr error;
  try {
    if (index + 1 == parties_) {
      release_();
    } else {
      co_await wait_async_();
    }
  } catch (...) {
    error = std::current_exception();
  }
  --count_;
  exit_();
  if (error) std::rethrow_exception(error);
  co_return index;
}

Coro<void> Barrier::block_async_() {
  co_await cond_.wait_for_async([this] { return state_ != State::DRAINING && state_ != State::RESETTING; });
  if (state_ == State::BROKEN) throw BrokenBarrierError("Barrier aborted");
}

Coro<void> Barrier::wait_async_() {
  co_await cond_.wait_for_async([this] { return state_ != State::FILLING; });
  if (state_ == State::BROKEN || state_ == State::RESETTING) throw BrokenBarrierError("Abort or reset of barrier");
}

Coro<void> Barrier::reset_async() {
  detail::TracedCall call("Barrier.reset()");
  co_await cond_.acquire_async();
  ReleaseOnExit<Condition> held(cond_);
  state_ = count_ > 0 ? State::RESETTING : State::FILLING;
  cond_.notify_all();
}

Coro<void> Barrier::abort_async() {
  detail::TracedCall call("Barrier.abort()");
  co_await cond_.acquire_async();
  ReleaseOnExit<Condition> held(cond_);
  state_ = State::BROKEN;
  cond_.notify_all();
}

std::string Barrier::repr() const {
  std::string extra = to_string(state_);
  if (!broken()) extra += ", waiters:" + std::to_string(n_waiting()) + "/" + std::to_string(parties_);
  return "<" + object_repr_("asyncio.locks.Barrier", this) + " [" + extra + "]>";
}

}  // namespace asyncio
