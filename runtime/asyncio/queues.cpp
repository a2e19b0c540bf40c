// queues.cpp: the waiting side of every queue: getters, putters, task_done and join.
// Mirrors Lib/asyncio/queues.py (Queue.put, get, put_nowait, get_nowait, _wakeup_next,
// task_done, join, _format). Course: docs/09-composing-tasks.md
#include "asyncio/queues.hpp"

#include <cstdio>

#include "asyncio/waiters.hpp"

namespace asyncio {

QueueBase::QueueBase(long maxsize, const char* type_name) : maxsize_(maxsize), type_name_(type_name) {
  finished_.set();
}

// `while full: await putter` and `while empty: await getter` (queues.py Queue.put, Queue.get).
void QueueBase::wait_not_full_(source_location where) {
  detail::wait_in_line(putters_, get_loop_(*this), [this] { return full(); }, where, "Queue.put()");
}

void QueueBase::wait_not_empty_(source_location where) {
  detail::wait_in_line(getters_, get_loop_(*this), [this] { return empty(); }, where, "Queue.get()");
}

Coro<void> QueueBase::wait_not_full_async_() {
  return detail::wait_in_line_async(putters_, get_loop_(*this), [this] { return full(); }, "Queue.put()");
}

Coro<void> QueueBase::wait_not_empty_async_() {
  return detail::wait_in_line_async(getters_, get_loop_(*this), [this] { return empty(); }, "Queue.get()");
}

void QueueBase::after_put_() {
  ++unfinished_tasks_;
  finished_.clear();
  detail::wakeup_next(getters_);
}

void QueueBase::after_get_() { detail::wakeup_next(putters_); }

void QueueBase::task_done() {
  if (unfinished_tasks_ <= 0) throw ValueError("task_done() called too many times");
  --unfinished_tasks_;
  if (unfinished_tasks_ == 0) finished_.set();
}

void QueueBase::join(source_location where) {
  if (unfinished_tasks_ > 0) {
    detail::TracedCall call("Queue.join()");
    finished_.wait(where);
  }
}

Coro<void> QueueBase::join_async() {
  if (unfinished_tasks_ > 0) {
    detail::TracedCall call("Queue.join()");
    co_await finished_.wait_async();
  }
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
