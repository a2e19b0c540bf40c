// taskgroups.cpp: how a TaskGroup waits for its children and collects their errors.
// Mirrors Lib/asyncio/taskgroups.py (__aenter__, __aexit__, create_task, _abort, _on_task_done).
// Course: docs/09-composing-tasks.md
#include "asyncio/taskgroups.hpp"

#include <algorithm>
#include <cassert>

namespace asyncio {

std::string TaskGroup::repr() const {
  std::string info;
  if (!tasks_.empty()) info += " tasks=" + std::to_string(tasks_.size());
  if (!errors_.empty()) info += " errors=" + std::to_string(errors_.size());
  if (aborting_) {
    info += " cancelling";
  } else if (entered_) {
    info += " entered";
  }
  return "<TaskGroup" + info + ">";
}

void TaskGroup::aenter() {
  if (entered_) throw RuntimeError("TaskGroup " + repr() + " has already been entered");
  if (!loop_) loop_ = InnerRef<BaseEventLoop>(&get_running_loop());
  parent_task_ = current_task(*loop_);
  if (!parent_task_) throw RuntimeError("TaskGroup " + repr() + " cannot determine the parent task");
  entered_ = true;
}

std::exception_ptr TaskGroup::aexit_begin_(const std::exception_ptr& exc) {
  exiting_ = true;
  if (exc && is_base_error_(exc) && !base_error_) base_error_ = exc;
  std::exception_ptr propagate_cancellation_error = is_cancelled_error(exc) ? exc : nullptr;
  // The body's CancelledError is ours (we cancelled the parent on a child's failure) when
  // uncancel() brings the count back to 0: then it must not escape.
  if (parent_cancel_requested_ && parent_task_->uncancel() == 0) propagate_cancellation_error = nullptr;
  if (exc && !aborting_) abort_();
  return propagate_cancellation_error;
}

bool TaskGroup::aexit_pending_() {
  if (tasks_.empty()) return false;
  if (!on_completed_fut_.valid()) {
    on_completed_fut_ = loop_->create_future<bool>();
    // [graph] Named for the tree; the tasks are recorded as awaited by the parent task itself.
    std::vector<FutureCore*> children;
    for (const Ref<TaskCore>& t : tasks_) children.push_back(t.get());
    detail::combinator_created_(on_completed_fut_.core(), "TaskGroup", children, false);
  }
  return true;
}

void TaskGroup::aexit(const std::exception_ptr& exc, source_location where) {
  std::exception_ptr propagate_cancellation_error = aexit_begin_(exc);
  while (aexit_pending_()) {
    std::exception_ptr cancelled;
    try {
      await(on_completed_fut_, where);
    } catch (const CancelledError&) {
      cancelled = std::current_exception();
    }
    if (cancelled && !aborting_) {
      // The parent is being cancelled from outside: cancel the children, re-raise later.
      propagate_cancellation_error = cancelled;
      abort_();
    }
    on_completed_fut_ = Future<bool>();
  }
  aexit_end_(exc, propagate_cancellation_error);
}

Coro<void> TaskGroup::aexit_async(std::exception_ptr exc) {
  std::exception_ptr propagate_cancellation_error = aexit_begin_(exc);
  while (aexit_pending_()) {
    std::exception_ptr cancelled;
    try {
      co_await on_completed_fut_;
    } catch (const CancelledError&) {
      cancelled = std::current_exception();
    }
    if (cancelled && !aborting_) {
      propagate_cancellation_error = cancelled;
      abort_();
    }
    on_completed_fut_ = Future<bool>();
  }
  aexit_end_(exc, propagate_cancellation_error);
}

void TaskGroup::aexit_end_(const std::exception_ptr& exc, const std::exception_ptr& propagate_cancellation_error) {
  assert(tasks_.empty());
  const bool exc_is_cancel = is_cancelled_error(exc);
  if (base_error_) std::rethrow_exception(base_error_);
  if (propagate_cancellation_error && errors_.empty()) std::rethrow_exception(propagate_cancellation_error);
  if (exc && !exc_is_cancel) errors_.push_back(exc);
  if (!errors_.empty()) {
    std::vector<std::exception_ptr> errors = std::move(errors_);
    errors_.clear();
    // `raise me from None`: no cause, and the exception being handled (exc) is not printed.
    rethrow_from(make_exception_group("unhandled errors in a TaskGroup", std::move(errors)), nullptr, exc);
  }
}

void TaskGroup::check_can_create_task_() const {
  if (!entered_) throw RuntimeError("TaskGroup " + repr() + " has not been entered");
  if (exiting_ && tasks_.empty()) throw RuntimeError("TaskGroup " + repr() + " is finished");
  if (aborting_) throw RuntimeError("TaskGroup " + repr() + " is shutting down");
}

TaskGroup::~TaskGroup() {
  for (std::size_t i = 0; i < tasks_.size(); ++i) tasks_[i]->remove_done_callback_(keys_[i]);
}

void TaskGroup::add_task_(TaskCore& task) {
  // The group outlives its children: aexit() does not return before each one's callback ran.
  keys_.push_back(task.add_done_callback_(
      [this](FutureCore& done) { on_task_done_(static_cast<TaskCore&>(done)); }, "TaskGroup._on_task_done"));
  tasks_.emplace_back(&task);
  future_add_to_awaited_by(task, *parent_task_);  // [graph] taskgroups.py create_task
}

bool TaskGroup::is_base_error_(const std::exception_ptr& exc) noexcept {
  // SystemExit and KeyboardInterrupt: the BaseExceptions that are neither a cancellation nor a
  // group.
  if (is_exception_subclass(exc) || is_cancelled_error(exc)) return false;
  try {
    std::rethrow_exception(exc);
  } catch (const ExceptionGroupBase&) {
    return false;
  } catch (...) {
    return true;
  }
}

void TaskGroup::abort_() {
  aborting_ = true;
  for (const Ref<TaskCore>& t : tasks_)
    if (!t->done()) t->cancel();
}

void TaskGroup::on_task_done_(TaskCore& task) {
  const auto it = std::find(tasks_.begin(), tasks_.end(), Ref<TaskCore>(&task));
  if (it != tasks_.end()) {
    keys_.erase(keys_.begin() + (it - tasks_.begin()));
    tasks_.erase(it);
  }
  if (on_completed_fut_.valid() && tasks_.empty() && !on_completed_fut_.done()) on_completed_fut_.set_result(true);
  if (task.cancelled()) return;
  std::exception_ptr exc = task.exception();
  if (!exc) return;
  errors_.push_back(exc);
  if (is_base_error_(exc) && !base_error_) base_error_ = exc;
  if (parent_task_->done()) {
    ExceptionContext context;
    context.message = "Task " + task.repr() + " has errored out but its parent task " + parent_task_->repr() +
                      " is already completed";
    context.exception = exc;
    context.task = Ref<TaskCore>(&task);
    loop_->call_exception_handler(context);
    return;
  }
  if (!aborting_ && !parent_cancel_requested_) {
    // The first failure: cancel the siblings (they get CancelledError before the body does,
    // in the same pass), then the body.
    abort_();
    parent_cancel_requested_ = true;
    parent_task_->cancel();
  }
}

}  // namespace asyncio
