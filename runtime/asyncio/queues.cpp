// queues.cpp: the waiting side of every queue: getters, putters, task_done and join.
// Mirrors Lib/asyncio/queues.py (Queue.put, get, put_nowait, get_nowait, _wakeup_next,
// task_done, join, _format). Course: docs/09-composing-tasks.md
#include "asyncio/queues.hpp"

#include <algorithm>
#include <cstdio>

namespace asyncio {

namespace {
// Queue._wakeup_next: drop waiters already done (cancelled), wake the first still waiting.
void wakeup_next(std::deque<Future<void>>& waiters) {
  while (!waiters.empty()) {
    Future<void> waiter = std::move(waiters.front());
    waiters.pop_front();
    if (!waiter.done()) {
      waiter.set_result();
      break;
    }
  }
}
}  // namespace

QueueBase::QueueBase(long maxsize, const char* type_name) : maxsize_(maxsize), type_name_(type_name) {
  finished_.set();
}

// `while full: await putter`; a cancelled putter that had been woken passes the wake-up on.
void QueueBase::wait_not_full_() {
  while (full()) {
    Future<void> putter = get_loop_(*this).create_future<void>();
    putters_.push_back(putter);
    std::exception_ptr error;
    try {
      await(putter);
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      putter.cancel();
      const auto it = std::find(putters_.begin(), putters_.end(), putter);
      if (it != putters_.end()) putters_.erase(it);
      if (!full() && !putter.cancelled()) wakeup_next(putters_);
      std::rethrow_exception(error);
    }
  }
}

void QueueBase::wait_not_empty_() {
  while (empty()) {
    Future<void> getter = get_loop_(*this).create_future<void>();
    getters_.push_back(getter);
    std::exception_ptr error;
    try {
      await(getter);
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      getter.cancel();
      const auto it = std::find(getters_.begin(), getters_.end(), getter);
      if (it != getters_.end()) getters_.erase(it);
      if (!empty() && !getter.cancelled()) wakeup_next(getters_);
      std::rethrow_exception(error);
    }
  }
}

void QueueBase::after_put_() {
  ++unfinished_tasks_;
  finished_.clear();
  wakeup_next(getters_);
}

void QueueBase::after_get_() { wakeup_next(putters_); }

void QueueBase::task_done() {
  if (unfinished_tasks_ <= 0) throw ValueError("task_done() called too many times");
  --unfinished_tasks_;
  if (unfinished_tasks_ == 0) finished_.set();
}

void QueueBase::join() {
  if (unfinished_tasks_ > 0) finished_.wait();
}

std::string QueueBase::format_() const {
  std::string out = "maxsize=" + std::to_string(maxsize_);
  if (!empty()) out += " _queue=" + items_repr_();
  if (!getters_.empty()) out += " _getters[" + std::to_string(getters_.size()) + "]";
  if (!putters_.empty()) out += " _putters[" + std::to_string(putters_.size()) + "]";
  if (unfinished_tasks_) out += " tasks=" + std::to_string(unfinished_tasks_);
  return out;
}

std::string QueueBase::repr() const {
  char address[32];
  std::snprintf(address, sizeof address, "%p", static_cast<const void*>(this));
  return std::string("<") + type_name_ + " at " + address + " " + format_() + ">";
}

std::string QueueBase::str() const { return std::string("<") + type_name_ + " " + format_() + ">"; }

}  // namespace asyncio
