// concurrent.cpp: the thread-safe future's state machine and the pool's workers.
// Mirrors Lib/concurrent/futures/_base.py (Future.cancel, set_running_or_notify_cancel,
// result, _invoke_callbacks) and thread.py (ThreadPoolExecutor.submit, _adjust_thread_count,
// _worker, shutdown).
// Course: docs/10-selectors-and-io.md (threads)
#include "asyncio/concurrent.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>

namespace asyncio {

// ---------------------------------------------------------------- ConcurrentFutureCore

bool ConcurrentFutureCore::done() const {
  std::lock_guard lock(mutex_);
  return state_ == State::CANCELLED || state_ == State::FINISHED;
}

bool ConcurrentFutureCore::cancelled() const {
  std::lock_guard lock(mutex_);
  return state_ == State::CANCELLED;
}

bool ConcurrentFutureCore::running() const {
  std::lock_guard lock(mutex_);
  return state_ == State::RUNNING;
}

bool ConcurrentFutureCore::cancel() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::RUNNING || state_ == State::FINISHED) return false;
    if (state_ == State::CANCELLED) return true;
    state_ = State::CANCELLED;
    condition_.notify_all();
    callbacks.swap(callbacks_);
  }
  for (auto& fn : callbacks) fn();
  return true;
}

bool ConcurrentFutureCore::set_running_or_notify_cancel() {
  std::lock_guard lock(mutex_);
  if (state_ == State::CANCELLED) return false;
  if (state_ != State::PENDING) throw RuntimeError("Future in unexpected state");
  state_ = State::RUNNING;
  return true;
}

std::exception_ptr ConcurrentFutureCore::wait_exception_(double timeout) {
  std::unique_lock lock(mutex_);
  auto is_done = [this] { return state_ == State::CANCELLED || state_ == State::FINISHED; };
  if (timeout < 0) {
    condition_.wait(lock, is_done);
  } else if (!condition_.wait_for(lock, std::chrono::duration<double>(timeout), is_done)) {
    throw TimeoutError();
  }
  if (state_ == State::CANCELLED) throw CancelledError();
  return exception_;
}

void ConcurrentFutureCore::set_exception(std::exception_ptr exception) {
  std::unique_lock lock(mutex_);
  if (state_ == State::CANCELLED || state_ == State::FINISHED) throw InvalidStateError("invalid state");
  exception_ = std::move(exception);
  finish_(lock);
}

void ConcurrentFutureCore::finish_(std::unique_lock<std::mutex>& lock) {
  state_ = State::FINISHED;
  condition_.notify_all();
  std::vector<std::function<void()>> callbacks;
  callbacks.swap(callbacks_);
  lock.unlock();
  // _invoke_callbacks: in the completing thread, outside the lock; an exception is ignored
  // (CPython logs it).
  for (auto& fn : callbacks) {
    try {
      fn();
    } catch (...) {
    }
  }
}

void ConcurrentFutureCore::add_done_callback_(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::CANCELLED && state_ != State::FINISHED) {
      callbacks_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

// ---------------------------------------------------------------- ThreadPoolExecutor

// What the workers share with the executor: the work queue and the idle count. Held by
// shared_ptr so a worker outlives nothing it needs.
struct ThreadPoolExecutor::Shared {
  std::mutex mutex;
  std::condition_variable work_ready;
  std::deque<std::function<void()>> queue;
  std::size_t idle = 0;  // CPython's _idle_semaphore
  bool shutdown = false;
};

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t max_workers, std::string thread_name_prefix)
    : shared_(std::make_shared<Shared>()),
      max_workers_(max_workers ? max_workers
                               : std::min<std::size_t>(32, std::max(1u, std::thread::hardware_concurrency()) + 4)),
      thread_name_prefix_(std::move(thread_name_prefix)) {}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(true); }

std::size_t ThreadPoolExecutor::thread_count() const {
  std::lock_guard lock(threads_mutex_);
  return threads_.size();
}

void ThreadPoolExecutor::submit_(std::function<void()> work) {
  bool spawn = false;
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->shutdown) throw RuntimeError("cannot schedule new futures after shutdown");
    shared_->queue.push_back(std::move(work));
    // _adjust_thread_count: reuse an idle worker if there is one, else start another.
    if (shared_->idle > 0) {
      --shared_->idle;
    } else {
      spawn = true;
    }
  }
  shared_->work_ready.notify_one();
  if (!spawn) return;
  std::lock_guard lock(threads_mutex_);
  if (threads_.size() >= max_workers_) return;
  const std::string name = (thread_name_prefix_.empty() ? std::string("ThreadPoolExecutor") : thread_name_prefix_) +
                           "_" + std::to_string(threads_.size());
  threads_.emplace_back(&ThreadPoolExecutor::worker_, shared_, name);
}

// _worker: take work until the executor shuts down and the queue is empty.
void ThreadPoolExecutor::worker_(std::shared_ptr<Shared> shared, std::string name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
  for (;;) {
    std::function<void()> item;
    {
      std::unique_lock lock(shared->mutex);
      shared->work_ready.wait(lock, [&] { return !shared->queue.empty() || shared->shutdown; });
      if (shared->queue.empty()) return;
      item = std::move(shared->queue.front());
      shared->queue.pop_front();
    }
    item();
    item = nullptr;  // drop what the work item held before counting ourselves idle
    std::lock_guard lock(shared->mutex);
    ++shared->idle;
  }
}

void ThreadPoolExecutor::shutdown(bool wait) {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->shutdown = true;
  }
  shared_->work_ready.notify_all();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(threads_mutex_);
    threads.swap(threads_);
  }
  for (auto& t : threads) {
    if (wait) {
      t.join();
    } else {
      t.detach();  // it holds the shared state and exits when the queue is empty
    }
  }
}

}  // namespace asyncio
