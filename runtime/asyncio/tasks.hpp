// tasks.hpp: asyncio.Task, a function running as a task on its own fiber; await, sleep,
// create_task, current_task, all_tasks.
// Mirrors Lib/asyncio/tasks.py (Task.__step, Task.__wakeup, Task.cancel, cancelling,
// uncancel, create_task, sleep, current_task, all_tasks) and the C Task it really runs.
// Owns a task's step/wakeup cycle and its cancellation request; fibers.hpp owns the switch.
// Course: docs/06-tasks-on-fibers.md
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "asyncio/fibers.hpp"
#include "asyncio/futures.hpp"

namespace asyncio {

// Options for create_task: the task's name (empty: "Task-N") and its stack size in bytes
// (0: fibers::default_stack_size()).
struct TaskOptions {
  std::string name;
  std::size_t stack_size = 0;
};

// TaskCore: every rule of a task, no templates. A task is always in exactly one of three
// states while pending (CPython's invariant, tasks.py):
//   waiting  - suspended on a pending future (fut_waiter_ set, our wakeup in its callbacks);
//   queued   - its step handle is in the ready queue (first step, after a bare yield, or a
//              wakeup); nothing else may queue it;
//   running  - its step is running: it is current_task(), its fiber is on the CPU.
// Only a callback run in step 4 of a pass (the step handle) ever resumes the fiber.
class TaskCore : public FutureCore {
 public:
  std::string get_name() const;
  void set_name(std::string name);
  // Task.cancel: a request. Cancels the awaited future at once if there is one; the
  // CancelledError reaches the body at its next step. False only if the task is done.
  bool cancel(std::string msg = {}) override;
  // How many cancel requests are pending (cancel() increments, uncancel() decrements).
  int cancelling() const noexcept { return num_cancels_requested_; }
  int uncancel() noexcept;
  std::string repr() const override;
  std::size_t stack_size() const noexcept { return stack_size_; }
  // The future this task waits on (nullptr unless waiting).
  FutureCore* fut_waiter() const noexcept { return fut_waiter_; }

  // Internal ---------------------------------------------------------------------
  // The awaited future is done: queue the wakeup (Task.__wakeup via call_soon).
  void schedule_wakeup_(FutureCore& future);
  // Inside the task's fiber: suspend until `future` is done (await) or for one pass (a bare
  // yield, future == nullptr). Raises what the next step throws in (CancelledError, ...).
  void suspend_(FutureCore* future);
  // Loop closing with this task still pending: unwind its fiber (destructors run).
  void abandon_() noexcept;
  TaskCore* next_task_() const noexcept { return next_; }

 protected:
  TaskCore(BaseEventLoop& loop, TaskOptions options);
  ~TaskCore() override;
  // Runs the task's function on its fiber and stores the value.
  virtual void run_body_() = 0;
  void destroy_() noexcept override;

 private:
  // The handle that runs this task's step or wakeup; it lives inside the task, so queuing a
  // step allocates nothing. While it is queued it keeps the task alive.
  class StepHandle final : public Handle {
   public:
    explicit StepHandle(TaskCore& task, BaseEventLoop* loop) noexcept;
    void run_() override;
    TaskCore* task_() const noexcept override { return &task_core_; }
    std::string repr() const override;
    // Unreferenced: not queued and not running. The task holds one count on itself for as
    // long as its step handle is referenced (it may be queued again while it runs).
    bool idle() const noexcept { return refs_ == 0; }

   protected:
    void destroy_() noexcept override { task_core_.decref_(); }
    std::string describe_callback_() const override;

   private:
    TaskCore& task_core_;
  };

  void schedule_step_(std::exception_ptr exc);
  void step_(std::exception_ptr exc);
  void wakeup_();
  void finish_step_(bool finished);
  void link_() noexcept;
  void unlink_() noexcept;
  static void fiber_entry_(void* self);

  fibers::Fiber fiber_;
  StepHandle step_handle_;
  FutureCore* fut_waiter_ = nullptr;     // _fut_waiter (the future's callback holds us)
  Ref<FutureCore> wakeup_from_;          // the done future whose wakeup is queued
  std::exception_ptr throw_in_;          // thrown into the body when it resumes
  FutureCore* yielded_ = nullptr;        // what the body suspended on this step
  bool yielded_bare_ = false;
  std::string name_;
  std::size_t stack_size_;
  int num_cancels_requested_ = 0;
  bool must_cancel_ = false;
  TaskCore* prev_ = nullptr;  // the loop's list of pending tasks (all_tasks)
  TaskCore* next_ = nullptr;
};

// TaskImpl<T, F>: a task running F, storing a T.
template <class T, class F>
class TaskImpl final : public TaskCore {
 public:
  TaskImpl(BaseEventLoop& loop, TaskOptions options, F fn) : TaskCore(loop, std::move(options)), fn_(std::move(fn)) {
    value_slot_ = &value_;
    value_repr_ = &asyncio::value_repr<T>;
  }

 private:
  void run_body_() override {
    if constexpr (std::is_void_v<T>) {
      std::invoke(fn_);
      value_.emplace();
    } else {
      value_.emplace(std::invoke(fn_));
    }
  }
  void clear_value_() noexcept override { value_.reset(); }
  F fn_;
  std::optional<stored_t<T>> value_;
};

// Task<T>: a Future<T> that runs a function. Copyable handle, compared by identity.
template <class T = void>
class Task : public Future<T> {
 public:
  Task() = default;
  explicit Task(Ref<FutureCore> core) : Future<T>(std::move(core)) {}

  std::string get_name() const { return task_core().get_name(); }
  void set_name(std::string name) const { task_core().set_name(std::move(name)); }
  bool cancel(std::string msg = {}) const { return task_core().cancel(std::move(msg)); }
  int cancelling() const noexcept { return task_core().cancelling(); }
  int uncancel() const noexcept { return task_core().uncancel(); }
  TaskCore& task_core() const noexcept { return static_cast<TaskCore&>(this->core()); }
};

// ---------------------------------------------------------------- await and friends

// await(future): the future's result. Returns at once, without yielding, if the future is
// done; otherwise suspends the running task until it is (at least one pass later).
// Called outside a task it raises RuntimeError.
void await_core(FutureCore& future);
template <class T>
T await(const Future<T>& future) {
  await_core(future.core());
  return future.result();
}

// sleep(delay): suspends the task for delay seconds. sleep(0) yields exactly one pass,
// with no timer and no future, as CPython's does.
void sleep(double delay);
template <class T>
T sleep(double delay, T result) {
  sleep(delay);
  return result;
}

// The task whose step is running on `loop` (the running loop by default); null if none.
Ref<TaskCore> current_task();
Ref<TaskCore> current_task(BaseEventLoop& loop);
// The tasks of `loop` (the running loop by default) that are not done.
std::vector<Ref<TaskCore>> all_tasks();
std::vector<Ref<TaskCore>> all_tasks(BaseEventLoop& loop);

// The next "Task-N" name (a process-wide counter, as CPython's).
std::string next_task_name_();

namespace detail {
template <class F, class... Args>
auto bind_task(F&& fn, Args&&... args) {
  return [fn = std::forward<F>(fn), ... args = std::forward<Args>(args)]() mutable -> decltype(auto) {
    return std::invoke(fn, args...);
  };
}
}  // namespace detail

// loop.create_task(fn, args...): fn(args...) runs as a task; its first step is queued with
// call_soon, so it starts in a later pass. The name, when given, consumes no Task-N number.
template <class F, class... Args>
auto BaseEventLoop::create_task(TaskOptions options, F&& fn, Args&&... args) {
  check_closed_();
  auto body = detail::bind_task(std::forward<F>(fn), std::forward<Args>(args)...);
  using R = std::invoke_result_t<decltype(body)&>;
  using Body = decltype(body);
  auto* task = new TaskImpl<R, Body>(*this, std::move(options), std::move(body));
  return Task<R>(Ref<FutureCore>(task));
}

template <class F, class... Args>
  requires(!std::is_same_v<std::decay_t<F>, TaskOptions>)
auto BaseEventLoop::create_task(F&& fn, Args&&... args) {
  return create_task(TaskOptions{}, std::forward<F>(fn), std::forward<Args>(args)...);
}

template <class F>
  requires std::is_invocable_v<F>
auto BaseEventLoop::run_until_complete(F&& main) {
  auto task = create_task(std::forward<F>(main));
  return run_until_complete(static_cast<Future<typename decltype(task)::value_type>>(task));
}

// asyncio.create_task(fn, args...) on the running loop. A name given in options is applied
// after creation, so it still consumes a Task-N number, as CPython's does.
template <class F, class... Args>
  requires(!std::is_same_v<std::decay_t<F>, TaskOptions>)
auto create_task(F&& fn, Args&&... args) {
  return get_running_loop().create_task(std::forward<F>(fn), std::forward<Args>(args)...);
}
template <class F, class... Args>
auto create_task(TaskOptions options, F&& fn, Args&&... args) {
  std::string name = std::move(options.name);
  options.name.clear();
  auto task = get_running_loop().create_task(std::move(options), std::forward<F>(fn), std::forward<Args>(args)...);
  if (!name.empty()) task.set_name(std::move(name));
  return task;
}

}  // namespace asyncio
