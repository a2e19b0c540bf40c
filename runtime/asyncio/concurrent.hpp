// concurrent.hpp: ConcurrentFuture<T>, a thread-safe future, and ThreadPoolExecutor, the pool
// that loop.run_in_executor and to_thread hand blocking work to.
// Mirrors Lib/concurrent/futures/_base.py (Future) and concurrent/futures/thread.py
// (ThreadPoolExecutor: submit, shutdown, _adjust_thread_count, _worker).
// Owns worker threads and the state shared with them; knows nothing of event loops.
// Course: docs/07-blocking-the-loop.md (to_thread), docs/10-selectors-and-io.md (threads)
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "asyncio/exceptions.hpp"

namespace asyncio {

// The untyped state of a concurrent future. Every member is guarded by the mutex; done
// callbacks run in the thread that completes the future (or at once if it is done already).
class ConcurrentFutureCore {
 public:
  enum class State { PENDING, RUNNING, CANCELLED, FINISHED };

  bool done() const;
  bool cancelled() const;
  bool running() const;
  // False if the future is running or finished; else cancels it and runs its callbacks.
  bool cancel();
  // The worker's entry check: false (and notify waiters) if it was cancelled, else RUNNING.
  bool set_running_or_notify_cancel();
  // Waits until done (timeout < 0: forever). TimeoutError on time out, CancelledError if
  // cancelled; returns the exception (nullptr for a value).
  std::exception_ptr wait_exception_(double timeout);
  void set_exception(std::exception_ptr exception);
  void add_done_callback_(std::function<void()> fn);

 protected:
  // Finish with a value already stored by the typed future (under the lock).
  void finish_(std::unique_lock<std::mutex>& lock);
  mutable std::mutex mutex_;
  std::condition_variable condition_;
  State state_ = State::PENDING;
  std::exception_ptr exception_;
  std::vector<std::function<void()>> callbacks_;
};

template <class T>
class ConcurrentFutureState final : public ConcurrentFutureCore {
 public:
  using stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
  template <class... U>
  void set_result(U&&... value) {
    std::unique_lock lock(mutex_);
    if (state_ == State::CANCELLED || state_ == State::FINISHED) throw InvalidStateError("invalid state");
    value_.emplace(std::forward<U>(value)...);
    finish_(lock);
  }
  stored value() const {
    std::lock_guard lock(mutex_);
    return *value_;
  }

 private:
  std::optional<stored> value_;
};

// ConcurrentFuture<T>: a copyable, thread-safe handle (concurrent.futures.Future).
template <class T = void>
class ConcurrentFuture {
 public:
  ConcurrentFuture() : state_(std::make_shared<ConcurrentFutureState<T>>()) {}

  bool done() const { return state_->done(); }
  bool cancelled() const { return state_->cancelled(); }
  bool running() const { return state_->running(); }
  bool cancel() const { return state_->cancel(); }
  bool set_running_or_notify_cancel() const { return state_->set_running_or_notify_cancel(); }
  // Blocks until done (at most `timeout` seconds when timeout >= 0).
  T result(double timeout = -1) const {
    if (std::exception_ptr e = state_->wait_exception_(timeout)) std::rethrow_exception(e);
    if constexpr (!std::is_void_v<T>) return state_->value();
  }
  std::exception_ptr exception(double timeout = -1) const { return state_->wait_exception_(timeout); }
  template <class... U>
  void set_result(U&&... value) const {
    state_->set_result(std::forward<U>(value)...);
  }
  void set_exception(std::exception_ptr e) const { state_->set_exception(std::move(e)); }
  // fn(future) runs in the completing thread, or at once if the future is done.
  template <class F>
  void add_done_callback(F fn) const {
    state_->add_done_callback_([fn = std::move(fn), self = *this]() mutable { fn(self); });
  }
  friend bool operator==(const ConcurrentFuture& a, const ConcurrentFuture& b) noexcept {
    return a.state_ == b.state_;
  }

 private:
  std::shared_ptr<ConcurrentFutureState<T>> state_;
};

class ThreadPoolExecutor {
 public:
  // max_workers 0: min(32, CPU count + 4), as CPython. Threads are named prefix_N.
  explicit ThreadPoolExecutor(std::size_t max_workers = 0, std::string thread_name_prefix = {});
  ~ThreadPoolExecutor();  // shutdown(wait=true)
  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  // Runs fn() on a worker; RuntimeError('cannot schedule new futures after shutdown').
  template <class F>
  auto submit(F fn) {
    using R = std::invoke_result_t<F&>;
    ConcurrentFuture<R> future;
    submit_([future, fn = std::move(fn)]() mutable {
      if (!future.set_running_or_notify_cancel()) return;
      try {
        if constexpr (std::is_void_v<R>) {
          fn();
          future.set_result();
        } else {
          future.set_result(fn());
        }
      } catch (...) {
        future.set_exception(std::current_exception());
      }
    });
    return future;
  }
  // Stops accepting work; the workers finish the queue and exit. wait: join them first.
  void shutdown(bool wait = true);
  std::size_t max_workers() const noexcept { return max_workers_; }
  std::size_t thread_count() const;

 private:
  struct Shared;
  void submit_(std::function<void()> work);
  static void worker_(std::shared_ptr<Shared> shared, std::string name);
  std::shared_ptr<Shared> shared_;
  std::size_t max_workers_;
  std::string thread_name_prefix_;
  std::vector<std::thread> threads_;
  mutable std::mutex threads_mutex_;
};

}  // namespace asyncio
