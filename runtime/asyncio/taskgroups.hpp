// taskgroups.hpp: TaskGroup, structured concurrency: a body and the tasks it starts end together.
// Mirrors Lib/asyncio/taskgroups.py (TaskGroup.__aenter__, __aexit__, create_task, _abort,
// _on_task_done). Owns its children and their errors; the first failure cancels the siblings
// and the parent. Course: docs/09-composing-tasks.md
#pragma once

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "asyncio/timeouts.hpp"

namespace asyncio {

// TaskGroup: use it through task_group(body) below, the twin of `async with TaskGroup() as tg:`.
// When it ends, every child has finished. The first child that fails (not by cancellation)
// cancels the other children and the body; all the errors come out together as one
// ExceptionGroup ('unhandled errors in a TaskGroup (N sub-exceptions)'), whose exceptions() keeps
// each child's exception_ptr. Cancelled children add nothing.
class TaskGroup {
 public:
  TaskGroup() = default;
  // A group left without aexit (its task destroyed while suspended) detaches from its children,
  // which run on without it.
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // create_task(fn, args...) / create_task(TaskOptions{name}, fn, args...): a task of this group.
  // RuntimeError('TaskGroup <...> has not been entered' / 'is finished' / 'is shutting down').
  template <class F, class... Args>
    requires(!std::is_same_v<std::decay_t<F>, TaskOptions>)
  auto create_task(F&& fn, Args&&... args) {
    return create_task(TaskOptions{}, std::forward<F>(fn), std::forward<Args>(args)...);
  }
  template <class F, class... Args>
  auto create_task(TaskOptions options, F&& fn, Args&&... args) {
    check_can_create_task_();
    std::string name = std::move(options.name);
    options.name.clear();
    auto task = loop_->create_task(std::move(options), std::forward<F>(fn), std::forward<Args>(args)...);
    if (!name.empty()) task.set_name(std::move(name));
    add_task_(task.task_core());
    return task;
  }
  // "<TaskGroup tasks=2 errors=1 cancelling>"
  std::string repr() const;

  // __aenter__ and __aexit__, public for the course; task_group() calls them. aexit(exc) waits
  // for every child (it may suspend many times), then raises the group, the body's
  // CancelledError, or returns (the caller then lets exc, if any, go on).
  void aenter();
  void aexit(const std::exception_ptr& exc, source_location where = source_location::current());
  // [coro] aexit's coroutine form (task_group_async uses it): the same steps, co_await where
  // aexit suspends.
  Coro<void> aexit_async(std::exception_ptr exc);

 private:
  // aexit before and after its wait for the children: the exception the body's cancellation
  // becomes (or nullptr), and the final raise.
  std::exception_ptr aexit_begin_(const std::exception_ptr& exc);
  void aexit_end_(const std::exception_ptr& exc, const std::exception_ptr& propagate_cancellation_error);
  // Ensures on_completed_fut_ while children remain (false: none left).
  bool aexit_pending_();
  void check_can_create_task_() const;
  void add_task_(TaskCore& task);
  void abort_();
  void on_task_done_(TaskCore& task);
  static bool is_base_error_(const std::exception_ptr& exc) noexcept;

  bool entered_ = false;
  bool exiting_ = false;
  bool aborting_ = false;
  InnerRef<BaseEventLoop> loop_;
  Ref<TaskCore> parent_task_;
  bool parent_cancel_requested_ = false;
  // CPython keeps a set, so _abort() cancels in hash order (rule 17: not a contract); here the
  // children are cancelled in creation order.
  std::vector<Ref<TaskCore>> tasks_;
  std::vector<CallbackKey> keys_;  // each child's _on_task_done registration, as tasks_
  std::vector<std::exception_ptr> errors_;
  std::exception_ptr base_error_;
  Future<bool> on_completed_fut_;
};

// task_group(body): `async with asyncio.TaskGroup() as tg: body`. body(TaskGroup&) creates the
// children; returns body's value once they all have finished, or raises as aexit() does.
// `where` (defaulted: the caller's line) is where the parent shows waiting for its children.
template <class F>
auto task_group(F&& body, source_location where = source_location::current()) {
  TaskGroup tg;
  return async_with(tg, body, where);
}

// [coro] task_group_async(body): the coroutine form, `co_await task_group_async([&](TaskGroup& tg)
// -> Coro<R> { tg.create_task(child()); ... co_return r; })`. body(tg) returns a coroutine object,
// run inline as the `async with` block; the children may be coroutine objects or functions.
// `where` (defaulted: the line of the co_await) is where the parent shows waiting for its
// children, as for task_group, also after the block's own co_awaits showed their lines.
template <class F>
auto task_group_async(F body, source_location where = source_location::current())
    -> Coro<typename std::invoke_result_t<F&, TaskGroup&>::value_type> {
  using R = typename std::invoke_result_t<F&, TaskGroup&>::value_type;
  TaskGroup tg;
  tg.aenter();
  std::exception_ptr error;
  std::optional<stored_t<R>> result;
  try {
    if constexpr (std::is_void_v<R>) {
      co_await body(tg);
      result.emplace();
    } else {
      result.emplace(co_await body(tg));
    }
  } catch (...) {
    error = std::current_exception();
  }
  detail::coro_entered_(where);
  co_await tg.aexit_async(error);
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<R>) co_return std::move(*result);
}

}  // namespace asyncio
