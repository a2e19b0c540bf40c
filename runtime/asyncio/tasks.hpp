// tasks.hpp: asyncio.Task, a function running as a task on its own fiber; await, sleep,
// create_task, current_task, all_tasks.
// Mirrors Lib/asyncio/tasks.py (Task.__step, Task.__wakeup, Task.cancel, cancelling,
// uncancel, create_task, sleep, current_task, all_tasks) and the C Task it really runs.
// Owns a task's step/wakeup cycle and its cancellation request; fibers.hpp owns the switch.
// Course: docs/06-tasks-on-fibers.md
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "asyncio/fibers.hpp"
#include "asyncio/futures.hpp"
#include "asyncio/graph.hpp"

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
  // The fiber's stack size (0 for a coroutine task: it has no stack of its own).
  std::size_t stack_size() const noexcept;
  // The future this task waits on (nullptr unless waiting).
  FutureCore* fut_waiter() const noexcept { return fut_waiter_; }
  // The loop's pass (BaseEventLoop::pass_count()) in which it began waiting on fut_waiter().
  std::size_t waiting_since() const noexcept { return waiting_since_; }
  // The outermost public asyncio call the task is in ("Queue.get()"; empty if none): what its
  // fut_waiter() is, in the tree, the task table and the trace (set by detail::TracedCall).
  detail::CallLabel call_label() const noexcept { return call_label_; }

  // Internal ---------------------------------------------------------------------
  // The awaited future is done: queue the wakeup (Task.__wakeup via call_soon).
  void schedule_wakeup_(FutureCore& future);
  // Step 4 of an untraced pass: run a task's step handle (Handle::task_step_()) inline, in the
  // pass's own frame (defined below, with the step).
  static void run_step_(Handle& step_handle);
  // Inside the task's fiber: suspend until `future` is done (await) or for one pass (a bare
  // yield, future == nullptr). Raises what the next step throws in (CancelledError, ...).
  // `where`: the caller's source line, kept as suspended_at() (traces show it). Returns this
  // task when the step threw something in, which the caller raises (raise_thrown_in_), else
  // nullptr.
  [[nodiscard]] TaskCore* suspend_(FutureCore* future, source_location where = {});
  // suspend_ in its two halves, for await() and sleep(0), whose switch is inline in the program's
  // own frame (a frame live across a switch costs a mispredicted return: fibers.hpp). This one
  // records what the task waits on and where, and returns the fiber task to switch out of
  // (nullptr: in an async generator's body, whose driver has waited already); the other is
  // FiberTaskCore::switch_out_.
  class FiberTaskCore* prepare_suspend_(FutureCore* future, source_location where);
  // detail::TracedCall and the frameless awaiters set and clear it.
  void set_call_label_(detail::CallLabel label) noexcept { call_label_ = label; }
  // Where the task last suspended (set only on suspension; unknown until then).
  const source_location& suspended_at() const noexcept { return suspended_at_; }
  // Loop closing with this task still pending: unwind its fiber (destructors run).
  void abandon_() noexcept;
  // [reach] Waiting on a future only its own stack holds, and held by nothing but that
  // future's wakeup and its own stack: report "Task was destroyed but it is pending!", leave
  // all_tasks and unwind (docs/architecture.md, "Who owns what").
  void check_unreachable_() noexcept;
  TaskCore* next_task_() const noexcept { return next_; }
  // Task._log_destroy_pending: false for the tasks gather() and run_until_complete() create
  // themselves, so dropping one still pending is not reported.
  void set_log_destroy_pending_(bool on) noexcept { log_destroy_pending_ = on; }
  // [coro] A coroutine task's body suspends at a co_await (coroutines.hpp): record what it waits
  // on (nullptr: a bare yield) and where, as suspend_ does for a fiber. An empty `where` (a
  // co_await inside the runtime) keeps the line of the program's co_await that led there, which
  // coro_entered_ noted.
  void coro_suspend_(FutureCore* future, source_location where) noexcept {
    if (where.line()) suspended_at_ = where;
    yielded_ = future;
    yielded_bare_ = future == nullptr;
  }
  // [coro] The body co_awaits a coroutine object at `where`: where it waits if that coroutine (an
  // `_async` form of the runtime) suspends inside the runtime.
  void coro_entered_(source_location where) noexcept { suspended_at_ = where; }
  // [coro] What the step throws in at the co_await that resumes (detail::coro_resumed_).
  bool has_throw_in_() const noexcept { return static_cast<bool>(throw_in_); }
  std::exception_ptr take_throw_in_() noexcept { return std::exchange(throw_in_, nullptr); }
  // Raise what the step threw in, in the caller's frame (await, sleep: a fiber task's body).
  [[noreturn]] [[gnu::always_inline]] void raise_thrown_in_() { std::rethrow_exception(take_throw_in_()); }

 protected:
  TaskCore(BaseEventLoop& loop, TaskOptions&& options);
  ~TaskCore() override;
  // [coro] One step of the body, `exc` thrown in: true once it has finished (exc is then what
  // escaped it, or the exception it never started with). A fiber task (FiberTaskCore) switches
  // to its fiber; a coroutine task (coroutines.hpp) resumes its coroutine instead.
  // unwind_body_: destroy an unfinished body, its destructors run.
  virtual bool resume_body_(std::exception_ptr& exc) = 0;
  virtual void unwind_body_() noexcept = 0;
  // [coro] The fiber the body runs on; nullptr for a coroutine task, which has none (and so
  // does not carry a Fiber's bytes: docs/performance.md).
  virtual fibers::Fiber* body_fiber_() noexcept { return nullptr; }
  const fibers::Fiber* body_fiber_() const noexcept { return const_cast<TaskCore*>(this)->body_fiber_(); }
  // The fiber's label for a stack-overflow report: the name if any (else "Task-<number>").
  const char* label_() const noexcept {
    const std::string* name = name_();
    return name ? name->c_str() : nullptr;
  }
  // The N of "Task-N" (0 once the task has a name: a name replaces it).
  unsigned long long number() const noexcept { return (name_bits_ & 1) ? name_bits_ >> 1 : 0; }
  void destroy_() noexcept override;

 private:
  // The handle that runs this task's step or wakeup; it lives inside the task, so queuing a
  // step allocates nothing. While it is queued it keeps the task alive.
  class StepHandle final : public Handle {
   public:
    explicit StepHandle(BaseEventLoop* loop) noexcept;
    void run_() override;
    // run_'s work, inline where it is called: run_ and the loop's step 4 (run_step_).
    void run_inline_();
    TaskCore* task_() const noexcept override { return &task_core_(); }
    std::string repr() const override;
    // Unreferenced: not queued and not running. The task holds one count on itself for as
    // long as its step handle is referenced (it may be queued again while it runs).
    bool idle() const noexcept { return refs_ == 0; }

   protected:
    void destroy_() noexcept override;
    std::string describe_callback_() const override;

   private:
    // The task this handle is a member of: found from its own address, not kept (8 bytes less
    // in every task).
    TaskCore& task_core_() const noexcept;
  };

  void schedule_step_(std::exception_ptr exc);
  void schedule_step_();
  void step_(std::exception_ptr exc);
  void wakeup_();
  void finish_step_(bool finished);
  void link_() noexcept;
  void unlink_() noexcept;
  void reap_unreachable_() noexcept;
  void report_destroyed_pending_() noexcept;
  friend class FiberTaskCore;
  friend class CoroTaskCore;

  // The flags first: they fill the 2 bytes the future's fields leave before the step handle.
  bool yielded_bare_ : 1 = false;
  bool must_cancel_ : 1 = false;
  bool log_destroy_pending_ : 1 = true;
  bool reaping_ : 1 = false;       // [reach] reap_unreachable_ is running
  bool coro_stepped_ : 1 = false;  // [coro] CoroTaskCore: its first step ran (or found it cancelled)
  bool fiber_body_ : 1 = false;    // a FiberTaskCore: step_ switches to its fiber inline
  // The asyncio call the task is in (call_label()): one byte, the last free one before
  // waiting_since_.
  detail::CallLabel call_label_;
  // The loop's pass (pass_count()) in which the task last began waiting on a future: the live
  // task table's "since pass N" (graph.cpp format_task_table).
  std::uint32_t waiting_since_ = 0;
  StepHandle step_handle_;
  FutureCore* fut_waiter_ = nullptr;     // _fut_waiter (the future's callback holds us)
  Ref<FutureCore> wakeup_from_;          // the done future whose wakeup is queued
  std::exception_ptr throw_in_;          // thrown into the body when it resumes
  FutureCore* yielded_ = nullptr;        // what the body suspended on this step
  source_location suspended_at_;         // the caller of the await/sleep it suspended in
  // A name the user gave (an owned std::string*, even), or else (odd) 2n+1 for the name
  // "Task-<n>", formatted only when asked for (most tasks are never asked). One word for both.
  std::uintptr_t name_bits_ = 0;
  std::string* name_() const noexcept { return (name_bits_ & 1) ? nullptr : reinterpret_cast<std::string*>(name_bits_); }
  TaskCore* prev_ = nullptr;  // the loop's list of pending tasks (all_tasks)
  TaskCore* next_ = nullptr;
  int num_cancels_requested_ = 0;
};

namespace detail {
[[noreturn]] void await_not_done_();
}  // namespace detail

// FiberTaskCore: a task whose body is a function running on its own fiber (stackful).
class FiberTaskCore : public TaskCore {
 public:
  // Inside the body, after prepare_suspend_: switch back to the loop until the next step, then
  // return this task if that step threw something in (the caller raises it), else nullptr.
  [[gnu::always_inline]] TaskCore* switch_out_(FutureCore* future) {
    fiber_.suspend();
    if (throw_in_) return this;
    if (future && !future->done()) [[unlikely]] detail::await_not_done_();
    return nullptr;
  }

 protected:
  FiberTaskCore(BaseEventLoop& loop, TaskOptions&& options);
  bool resume_body_(std::exception_ptr& exc) override;
  // resume_body_'s work, inline in TaskCore::step_ (which calls it directly for a fiber task):
  // no frame of the step's is left between the step handle and the switch (fibers.hpp).
  bool resume_fiber_(std::exception_ptr& exc);
  void unwind_body_() noexcept override { fiber_.unwind(); }
  fibers::Fiber* body_fiber_() noexcept override { return &fiber_; }
  // The body let `e` out: the fiber ends with it, as if it had left the fiber's entry.
  void body_raised_(std::exception_ptr e) noexcept { fiber_.set_exception_(std::move(e)); }

 private:
  friend class TaskCore;  // suspend_ switches out of the fiber
  // Runs the task's function on its fiber and stores the value; the function goes when it ends.
  virtual void run_body_() = 0;
  // Drops the function unrun (the task was cancelled before its first step).
  virtual void drop_body_() noexcept = 0;
  static void fiber_entry_(void* self);
  fibers::Fiber fiber_;
};


// ---------------------------------------------------------------- the step, inline
// Task.__step and Task.__wakeup, defined here so that the loop's step 4 (base_events.cpp) runs a
// task's step in the pass's own frame; tasks.cpp runs them through StepHandle::run_.

// The handle is TaskCore::step_handle_: its task starts that many bytes before it. (offsetof on a
// class that is not standard-layout is conditionally supported; GCC and Clang give the member's
// offset for any class without virtual bases, which TaskCore has none of.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
inline TaskCore& TaskCore::StepHandle::task_core_() const noexcept {
  static_assert(std::is_polymorphic_v<TaskCore>);
  constexpr std::size_t offset = offsetof(TaskCore, step_handle_);
  return *reinterpret_cast<TaskCore*>(reinterpret_cast<char*>(const_cast<StepHandle*>(this)) - offset);
}
#pragma GCC diagnostic pop

// With nothing to throw in (throw_in_ is already empty): a first step, a bare yield. Inline
// (task creation, step_): one call less per step.
[[gnu::always_inline]] inline void TaskCore::schedule_step_() {
  if (step_handle_.idle()) incref_();  // released by StepHandle::destroy_ at count zero
  loop_->call_soon_handle_(&step_handle_);
  loop_->tracer().emit(*loop_, [&](Observer& o) {
    o.handle_scheduled(*loop_, step_handle_, ScheduleHow::task_step, nullptr, kNoDelay);
  });
}

// Task.__wakeup: the awaited future is done. Its exception (or CancelledError) is thrown into
// the body; a value is read by await() itself once the body resumes.
// wakeup_ and step_ are inline in StepHandle::run_inline_, and a fiber task's switch inline in
// step_: the frames live across a switch are the ones whose returns mispredict once it is back
// (fibers.hpp). Step 4 of an untraced pass runs run_inline_ in its own frame (run_step_), so no
// frame of the runtime's is left between the pass and the switch.
[[gnu::always_inline]] inline void TaskCore::wakeup_() {
  Ref<FutureCore> future = std::move(wakeup_from_);
  std::exception_ptr exc;
  if (future->state_ == FutureState::CANCELLED) {
    exc = future->make_cancelled_error_();
  } else if (future->exception_) {
    future->log_traceback_ = false;
    exc = future->exception_;
  }
  step_(std::move(exc));
}

// Task.__step: resume the body (throwing exc into it if set), then look at what it did.
[[gnu::always_inline]] inline void TaskCore::step_(std::exception_ptr exc) {
  if (done()) throw InvalidStateError("_step(): already done: " + repr());
  if (must_cancel_) {
    if (!is_cancelled_error(exc)) exc = make_cancelled_error_();
    must_cancel_ = false;
  }
  fut_waiter_ = nullptr;
  if (loop_->current_task_ != nullptr)
    throw RuntimeError("Cannot enter into task " + repr() + " while another task " + loop_->current_task_->repr() +
                       " is being executed.");
  // No reference of its own: the step handle running this step holds one on the task until the
  // step returns (the ready queue's HandleRef keeps the handle referenced).
  yielded_ = nullptr;
  yielded_bare_ = false;
  const bool finished =
      fiber_body_ ? static_cast<FiberTaskCore*>(this)->resume_fiber_(exc) : resume_body_(exc);
  if (finished) {
    throw_in_ = nullptr;
    if (!exc) {
      if (must_cancel_) {
        // cancel() was called while the body ran its last step: the value is discarded.
        must_cancel_ = false;
        clear_value_();
        const std::string msg = cancel_message_();
        FutureCore::cancel_(msg);
      } else {
        set_result_();
      }
    } else if (is_cancelled_error(exc)) {
      FutureCore::cancel_({});
      exception_ = exc;  // CPython's _cancelled_exc (futures.hpp: one field for both)
    } else {
      set_exception_(std::move(exc));
    }
    unlink_();
    loop_->tracer().emit(*loop_, [&](Observer& o) {
      o.task_step_end(*loop_, *this,
                      state_ == FutureState::CANCELLED ? StepOutcome::cancelled
                      : exception_                     ? StepOutcome::raised
                                                       : StepOutcome::returned,
                      nullptr);
      o.task_done(*loop_, *this);
    });
    // Task.__step: KeyboardInterrupt and SystemExit are the task's exception and also leave the
    // loop (through the step handle, as Handle._run re-raises them).
    if (exception_ && is_exit_or_interrupt(exception_))
      std::rethrow_exception(exception_);
    return;
  }
  finish_step_(false);
}

[[gnu::always_inline]] inline bool FiberTaskCore::resume_fiber_(std::exception_ptr& exc) {
  if (!fiber_.started() && !exc) {
    // No stack for the body (vm.max_map_count or the address space used up): the task fails
    // with that error, as if its body had raised it at once; the loop goes on.
    try {
      fiber_.start(&FiberTaskCore::fiber_entry_, static_cast<TaskCore*>(this), 0, label_());
    } catch (const Exception&) {
      exc = std::current_exception();
    }
  }
  // coro.throw() on a coroutine that never started raises at once: the body never runs, and
  // its function and arguments go now.
  if (!fiber_.started() && exc) {
    drop_body_();
    return true;
  }
  throw_in_ = std::move(exc);
  loop_->current_task_ = this;
  const bool finished = fiber_.resume();
  loop_->current_task_ = nullptr;
  exc = finished ? fiber_.take_exception() : nullptr;
  return finished;
}

// The body suspended: on a future (wait for it) or with a bare yield (step again next pass).
[[gnu::always_inline]] inline void TaskCore::finish_step_(bool) {  // inline in step_, its one caller
  if (yielded_bare_) {
    // Queued before the step ends, as Task.__step's call_soon is (a trace's scheduled line first).
    // Nothing is thrown into that step: anything the body left untaken goes (for both kinds, here
    // rather than after every resume).
    if (throw_in_) [[unlikely]] throw_in_ = nullptr;
    schedule_step_();
    loop_->tracer().emit(*loop_, [&](Observer& o) { o.task_step_end(*loop_, *this, StepOutcome::yielded, nullptr); });
    return;
  }
  FutureCore* future = yielded_;
  if (&future->get_loop() != loop_.get()) {
    schedule_step_(std::make_exception_ptr(
        RuntimeError("Task " + repr() + " got Future " + future->repr() + " attached to a different loop")));
  } else if (future == this) {
    schedule_step_(std::make_exception_ptr(RuntimeError("Task cannot await on itself: " + repr())));
  } else {
    future->add_waiter_(*this);
    fut_waiter_ = future;
    waiting_since_ = static_cast<std::uint32_t>(loop_->pass_count());
    if (must_cancel_ && fut_waiter_->cancel(cancel_message_())) must_cancel_ = false;
  }
  loop_->tracer().emit(*loop_, [&](Observer& o) { o.task_step_end(*loop_, *this, StepOutcome::awaited, future); });
}

// The step handle's work (Handle._run around Task.__step or __wakeup): an exception the step
// lets out goes to the loop's exception handler, naming the handle (KeyboardInterrupt and
// SystemExit leave the loop).
[[gnu::always_inline]] inline void TaskCore::StepHandle::run_inline_() {
  TaskCore& task = task_core_();
  try {
    if (task.wakeup_from_) {
      task.wakeup_();
    } else {
      task.step_(std::exchange(task.throw_in_, nullptr));
    }
  } catch (...) {
    report_exception_(std::current_exception());
  }
}

[[gnu::always_inline]] inline void TaskCore::run_step_(Handle& step_handle) {
  static_cast<StepHandle&>(step_handle).run_inline_();
}

// TaskImpl<T, F>: a task running F, storing a T.
template <class T, class F>
class TaskImpl final : public FiberTaskCore {
 public:
  TaskImpl(BaseEventLoop& loop, TaskOptions&& options, F fn) : FiberTaskCore(loop, std::move(options)), fn_(std::move(fn)) {}
  void* value_slot_() noexcept override { return &value_; }
  std::string value_repr_() const override { return asyncio::value_repr<T>(*this); }

 private:
  void run_body_() override {
    // The function and its bound arguments go as soon as the body ends, however it ends (CPython
    // clears a finished coroutine's frame at once): the task keeps only its outcome.
    struct Release {
      std::optional<F>& fn;
      ~Release() { fn.reset(); }
    } release{fn_};
    // What escapes the body is caught here, in its own frame, rather than by the fiber's entry
    // (which still takes anything not a std::exception): the unwinder stops a frame sooner and
    // Release's cleanup is no landing pad of its own (issue 17: a CancelledError thrown at
    // every cancelled task's suspension point).
    try {
      if constexpr (std::is_void_v<T>) {
        std::invoke(*fn_);
        value_.emplace();
      } else {
        value_.emplace(std::invoke(*fn_));
      }
    } catch (const std::exception&) {
      body_raised_(std::current_exception());
    }
  }
  void drop_body_() noexcept override { fn_.reset(); }
  void clear_value_() noexcept override { value_.reset(); }
  std::optional<F> fn_;
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
// Called outside a task it raises RuntimeError. `where` (defaulted: the caller's line) is
// where the task is shown suspended in traces; a helper that wraps await passes its own
// caller's location on (docs/trace.md, "Where a task waits").
void await_core(FutureCore& future, source_location where = source_location::current());
namespace detail {
// What await() and sleep() do out of line. Raising what the step threw in (CancelledError, the
// future's exception) is left to their inline part, so the throw starts in the caller's own frame
// and the unwinder passes no frame or landing pad of the runtime's (issue 17).
// sleep_: sleep(delay > 0), returning the task to raise from, nullptr when there is nothing to.
TaskCore* sleep_(double delay, source_location where);
// await() and sleep(0) switch in the caller's own frame (FiberTaskCore::switch_out_): these check
// that a task may suspend here and record what it waits on, returning the task to switch out of
// (nullptr: nothing to wait for).
FiberTaskCore* await_prepare_(FutureCore& future, source_location where);
FiberTaskCore* sleep0_prepare_(source_location where);
}  // namespace detail
template <class T>
T await(const Future<T>& future, source_location where = source_location::current()) {
  if (FiberTaskCore* task = detail::await_prepare_(future.core(), where))
    if (TaskCore* raise = task->switch_out_(&future.core())) raise->raise_thrown_in_();
  return future.result();
}

// sleep(delay): suspends the task for delay seconds. sleep(0) yields exactly one pass,
// with no timer and no future, as CPython's does.
inline void sleep(double delay, source_location where = source_location::current()) {
  if (delay <= 0) {
    if (FiberTaskCore* task = detail::sleep0_prepare_(where))
      if (TaskCore* raise = task->switch_out_(nullptr)) raise->raise_thrown_in_();
    return;
  }
  if (TaskCore* task = detail::sleep_(delay, where)) task->raise_thrown_in_();
}
template <class T>
T sleep(double delay, T result, source_location where = source_location::current()) {
  sleep(delay, where);
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
// The next N of "Task-N" (the same counter).
unsigned long long next_task_number_() noexcept;

namespace detail {
// [coro] Whether A is a coroutine object (asyncio::Coro<T>, coroutines.hpp).
template <class A>
struct is_coro : std::false_type {};

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
  if constexpr (detail::is_coro<std::decay_t<F>>::value) {
    // [coro] create_task(fetch(url)): a coroutine object; make_coro_task_ is in coroutines.hpp.
    static_assert(sizeof...(Args) == 0, "create_task(coro): the coroutine object already has its arguments");
    return make_coro_task_(*this, std::move(options), std::forward<F>(fn));
  } else {
    auto body = detail::bind_task(std::forward<F>(fn), std::forward<Args>(args)...);
    using R = std::invoke_result_t<decltype(body)&>;
    using Body = decltype(body);
    auto* task = new TaskImpl<R, Body>(*this, std::move(options), std::move(body));
    return Task<R>(Ref<FutureCore>(task));
  }
}

template <class F, class... Args>
  requires(!std::is_same_v<std::decay_t<F>, TaskOptions>)
auto BaseEventLoop::create_task(F&& fn, Args&&... args) {
  return create_task(TaskOptions{}, std::forward<F>(fn), std::forward<Args>(args)...);
}

template <class F>
  requires std::is_invocable_v<F>
auto BaseEventLoop::run_until_complete(F&& main) {
  // base_events.py run_until_complete: both checks come before ensure_future makes the task.
  check_closed_();
  check_running_();
  auto task = create_task(std::forward<F>(main));
  task.task_core().set_log_destroy_pending_(false);
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

// ---- Combinators: gather, wait, wait_for, as_completed, shield (tasks.py)
// Each is a few futures and done callbacks; none of them runs anything inline. Course:
// docs/09-composing-tasks.md. A "future-like" argument is a Future<T> or Task<T>; any other
// argument must be a callable, which becomes a task (ensure_future), as a coroutine does.
#include <algorithm>
#include <concepts>
#include <deque>
#include <memory>
#include <optional>
#include <variant>

namespace asyncio {

template <class T>
class Coro;

template <class A>
concept FutureLike = requires { typename std::decay_t<A>::value_type; } &&
                     std::derived_from<std::decay_t<A>, Future<typename std::decay_t<A>::value_type>>;

// What the combinators accept: a future or task, a callable run as a task, or [coro] a coroutine
// object (asyncio::Coro<T>, coroutines.hpp), also run as a task.
template <class A>
concept Awaitable = FutureLike<A> || std::is_invocable_v<std::decay_t<A>&> || detail::is_coro<std::decay_t<A>>::value;

namespace detail {
template <class A, bool = FutureLike<A> || is_coro<std::decay_t<A>>::value>
struct awaited_type {
  using type = typename std::decay_t<A>::value_type;
};
template <class A>
struct awaited_type<A, false> {
  using type = std::invoke_result_t<std::decay_t<A>&>;
};
}  // namespace detail

// What awaiting A gives: T for a Future<T>/Task<T>, the return type for a callable.
template <class A>
using awaited_t = typename detail::awaited_type<A>::type;

// ensure_future(x): a future is returned as is (as a Future<T> handle); a callable becomes a
// task on `loop` (default: get_event_loop()). A future of another loop than the one given ->
// ValueError, as tasks._ensure_future.
template <Awaitable A>
Future<awaited_t<A>> ensure_future(A&& aw, BaseEventLoop& loop) {
  if constexpr (FutureLike<A>) {
    if (&aw.get_loop() != &loop)
      throw ValueError("The future belongs to a different loop than the one specified as the loop argument");
    return Future<awaited_t<A>>(aw.core_ref());
  } else {
    return Future<awaited_t<A>>(loop.create_task(std::forward<A>(aw)).core_ref());
  }
}
template <Awaitable A>
Future<awaited_t<A>> ensure_future(A&& aw) {
  if constexpr (FutureLike<A>) {
    return Future<awaited_t<A>>(aw.core_ref());
  } else {
    return ensure_future(std::forward<A>(aw), get_event_loop());
  }
}

// ------------------------------------------------------------------------- gather

// gather(..., return_exceptions=True) is spelled gather(return_exceptions, ...): each result
// slot is then an Outcome<T>, holding either the child's value or its exception (a cancelled
// child gives CancelledError(msg), msg '' when there was none, as CPython's list does).
struct ReturnExceptions {};
inline constexpr ReturnExceptions return_exceptions{};
template <class T>
using Outcome = std::variant<stored_t<T>, std::exception_ptr>;

// _GatheringFuture: a future whose cancel() cancels its children instead of itself. When
// cancelled it still ends FINISHED, with a CancelledError as its exception (cancelled() stays
// false, rule 18.8). Untyped core: the typed subclass only builds the result list.
class GatheringFutureCore : public FutureCore {
 public:
  GatheringFutureCore(BaseEventLoop& loop, bool outcomes);
  // Cancels every child; true if any accepted (then the outer finishes with CancelledError).
  bool cancel(std::string msg = {}) override;
  // Appends a result slot (a child given twice has two).
  void add_child_(Ref<FutureCore> child) { children_.push_back(std::move(child)); }
  void reserve_children_(std::size_t n) { children_.reserve(n); }
  // Every child is added: each distinct child gets _done_callback, in order, and [graph] they
  // are recorded as awaited by this future (graph.hpp).
  void created_();
  const std::vector<Ref<FutureCore>>& children() const noexcept { return children_; }
  const char* class_name_() const noexcept override { return "_GatheringFuture"; }

 protected:
  ~GatheringFutureCore() override;
  // All children are done and the outer takes their results: build the value, set it.
  virtual void set_results_() = 0;

 private:
  void done_callback_(FutureCore& child);  // gather()._done_callback
  std::vector<Ref<FutureCore>> children_;  // one per argument (duplicates repeat)
  std::size_t nfuts_ = 0;
  std::size_t nfinished_ = 0;
  bool return_exceptions_;
  bool cancel_requested_ = false;
};

// gather's result is a Python list: a tuple of results prints as one, `[1, 'a']`.
template <class R>
std::string gather_value_repr(const FutureCore& core) {
  const auto& slot = *static_cast<const std::optional<R>*>(core.value_slot_());
  if (!slot) return "None";
  if constexpr (detail::is_tuple<R>::value) {
    std::string out = "[";
    std::apply([&](const auto&... v) { ((out += (out.size() > 1 ? ", " : "") + value_repr_of(v)), ...); }, *slot);
    return out + "]";
  } else {
    return value_repr_of(*slot);
  }
}

template <class R>
class GatheringFuture final : public GatheringFutureCore {
 public:
  using Builder = std::function<R(const std::vector<Ref<FutureCore>>&)>;
  GatheringFuture(BaseEventLoop& loop, bool outcomes, Builder build)
      : GatheringFutureCore(loop, outcomes), build_(std::move(build)) {}
  void* value_slot_() noexcept override { return &value_; }
  std::string value_repr_() const override { return gather_value_repr<R>(*this); }

 private:
  void set_results_() override {
    value_.emplace(build_(children()));
    set_result_();
  }
  void clear_value_() noexcept override { value_.reset(); }
  Builder build_;
  std::optional<R> value_;
};

namespace detail {
// A finished child's value (gather without return_exceptions: every child succeeded).
template <class T>
stored_t<T> child_value(const Ref<FutureCore>& child) {
  if constexpr (std::is_void_v<T>) {
    Future<void>(child).result();
    return std::monostate{};
  } else {
    return Future<T>(child).result();
  }
}
// A finished child as return_exceptions reports it.
template <class T>
Outcome<T> child_outcome(const Ref<FutureCore>& child) {
  if (child->cancelled()) {
    CancelledError error(child->cancel_message_());
    error.set_empty_arg_();  // CancelledError('' if fut._cancel_message is None else ...)
    return std::make_exception_ptr(std::move(error));
  }
  if (std::exception_ptr exc = child->exception()) return exc;
  return Outcome<T>(std::in_place_index<0>, child_value<T>(child));
}

template <class R, class... Fs>
Future<R> make_gathering(bool outcomes, typename GatheringFuture<R>::Builder build, Fs&... children) {
  BaseEventLoop& loop = std::get<0>(std::tie(children...)).get_loop();
  auto* outer = new GatheringFuture<R>(loop, outcomes, std::move(build));
  Future<R> result{Ref<FutureCore>(outer)};
  (outer->add_child_(children.core_ref()), ...);
  outer->created_();  // [graph]
  return result;
}

// gather's _ensure_future: a task it creates from a callable is not reported if dropped
// pending (`fut._log_destroy_pending = False`); a future or task given to it is.
template <Awaitable A>
Future<awaited_t<A>> gather_child(A&& aw) {
  Future<awaited_t<A>> fut = ensure_future(std::forward<A>(aw));
  if constexpr (!FutureLike<A>) {
    // (Through a checked pointer: GCC's -Wnull-dereference cannot see that a coroutine's task is
    // never null.)
    if (auto* task = static_cast<TaskCore*>(fut.core_ref().get())) task->set_log_destroy_pending_(false);
  }
  return fut;
}

template <class R>
Future<R> completed_future(R value) {
  Future<R> outer = get_event_loop().create_future<R>();
  outer.set_result(std::move(value));
  return outer;
}

template <bool Outcomes, class... Ts, std::size_t... I>
auto gather_tuple(std::index_sequence<I...>, Future<Ts>... futs) {
  if constexpr (Outcomes) {
    using R = std::tuple<Outcome<Ts>...>;
    return make_gathering<R>(
        true, [](const std::vector<Ref<FutureCore>>& c) { return R{child_outcome<Ts>(c[I])...}; }, futs...);
  } else {
    using R = std::tuple<stored_t<Ts>...>;
    return make_gathering<R>(
        false, [](const std::vector<Ref<FutureCore>>& c) { return R{child_value<Ts>(c[I])...}; }, futs...);
  }
}

template <bool Outcomes, class T>
auto gather_vector(std::vector<Future<T>> futs) {
  using R = std::conditional_t<Outcomes, std::vector<Outcome<T>>, std::vector<stored_t<T>>>;
  if (futs.empty()) return completed_future<R>(R{});
  auto* outer = new GatheringFuture<R>(futs.front().get_loop(), Outcomes, [](const std::vector<Ref<FutureCore>>& c) {
    R out;
    out.reserve(c.size());
    for (const auto& child : c) {
      if constexpr (Outcomes) {
        out.push_back(child_outcome<T>(child));
      } else {
        out.push_back(child_value<T>(child));
      }
    }
    return out;
  });
  Future<R> result{Ref<FutureCore>(outer)};
  outer->reserve_children_(futs.size());
  for (const auto& f : futs) outer->add_child_(f.core_ref());
  outer->created_();  // [graph]
  return result;
}
}  // namespace detail

// gather(a, b, ...): a future of std::tuple<T1, T2, ...> in argument order (void -> monostate),
// whatever order the children finish in. Callables become tasks, started in argument order.
// The first failure (or cancelled child) becomes the outer's exception; the other children
// keep running. gather() with no arguments is an already finished future of an empty tuple.
template <Awaitable... As>
auto gather(As&&... aws) {
  if constexpr (sizeof...(As) == 0) {
    return detail::completed_future(std::tuple<>{});
  } else {
    // A braced list evaluates left to right: tasks are created in argument order.
    std::tuple<Future<awaited_t<As>>...> futs{detail::gather_child(std::forward<As>(aws))...};
    return std::apply(
        [](auto&... f) { return detail::gather_tuple<false>(std::index_sequence_for<As...>{}, f...); }, futs);
  }
}
template <Awaitable... As>
auto gather(ReturnExceptions, As&&... aws) {
  if constexpr (sizeof...(As) == 0) {
    return detail::completed_future(std::tuple<>{});
  } else {
    std::tuple<Future<awaited_t<As>>...> futs{detail::gather_child(std::forward<As>(aws))...};
    return std::apply(
        [](auto&... f) { return detail::gather_tuple<true>(std::index_sequence_for<As...>{}, f...); }, futs);
  }
}
// gather(vector): a future of std::vector<T> in the vector's order.
template <Awaitable A>
auto gather(const std::vector<A>& aws) {
  std::vector<Future<awaited_t<A>>> futs;
  futs.reserve(aws.size());
  for (const auto& aw : aws) futs.push_back(detail::gather_child(aw));
  return detail::gather_vector<false>(std::move(futs));
}
template <Awaitable A>
auto gather(ReturnExceptions, const std::vector<A>& aws) {
  std::vector<Future<awaited_t<A>>> futs;
  futs.reserve(aws.size());
  for (const auto& aw : aws) futs.push_back(detail::gather_child(aw));
  return detail::gather_vector<true>(std::move(futs));
}

// ------------------------------------------------------------------------- wait

// When wait() returns (tasks.FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED).
enum class ReturnWhen { FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED };
inline constexpr ReturnWhen FIRST_COMPLETED = ReturnWhen::FIRST_COMPLETED;
inline constexpr ReturnWhen FIRST_EXCEPTION = ReturnWhen::FIRST_EXCEPTION;
inline constexpr ReturnWhen ALL_COMPLETED = ReturnWhen::ALL_COMPLETED;

// tasks._wait: suspends until return_when is met or the timeout passes (no TimeoutError,
// nothing cancelled). fs is non-empty and has no duplicates.
void wait_core_(const std::vector<Ref<FutureCore>>& fs, std::optional<double> timeout, ReturnWhen return_when,
                source_location where);
// [coro] wait_core_ in two halves around its one await, for the coroutine form (wait_async,
// coroutines.hpp): begin registers the callbacks and the timer, end removes them.
struct WaitCall_ {
  Future<void> waiter;
  std::shared_ptr<void> state;
  std::vector<CallbackKey> keys;
};
WaitCall_ wait_begin_(const std::vector<Ref<FutureCore>>& fs, std::optional<double> timeout, ReturnWhen return_when);
void wait_end_(const std::vector<Ref<FutureCore>>& fs, WaitCall_& call) noexcept;

// wait(fs, timeout, return_when) -> (done, pending). CPython returns two sets; here two vectors
// in the order of fs (duplicates dropped), so a program never depends on set order.
// Empty fs -> ValueError('Set of Tasks/Futures is empty.'). Futures only, as in 3.11.
template <FutureLike F>
std::pair<std::vector<F>, std::vector<F>> wait(const std::vector<F>& fs, std::optional<double> timeout = std::nullopt,
                                               ReturnWhen return_when = ALL_COMPLETED,
                                               source_location where = source_location::current()) {
  if (fs.empty()) throw ValueError("Set of Tasks/Futures is empty.");
  std::vector<F> unique;
  std::vector<Ref<FutureCore>> cores;
  for (const F& f : fs) {
    if (std::find(unique.begin(), unique.end(), f) != unique.end()) continue;
    unique.push_back(f);
    cores.push_back(f.core_ref());
  }
  get_running_loop();
  wait_core_(cores, timeout, return_when, where);
  std::pair<std::vector<F>, std::vector<F>> out;
  for (const F& f : unique) (f.done() ? out.first : out.second).push_back(f);
  return out;
}

// ------------------------------------------------------------------------- wait_for

// wait_for's waiter and its timer (call_later(timeout, _release_waiter, waiter)): CPython makes
// both before ensure_future turns the awaitable into a task, so a trace shows the timer
// scheduled before the task. Empty for a timeout <= 0 (no waiter, no timer).
struct WaitForTimer_ {
  Future<void> waiter;
  TimerHandleRef handle;
};
WaitForTimer_ wait_for_timer_(double timeout);

// The 3.11 wait_for on an already ensured future, with the waiter and timer made before it:
// returns when fut is done and its result is to be returned; raises TimeoutError (the inner
// was cancelled and has finished) or the caller's CancelledError (the inner was cancelled and
// has finished too).
void wait_for_core_(FutureCore& fut, double timeout, WaitForTimer_ timer, source_location where);

// wait_for(aw, timeout): aw's result, or TimeoutError after cancelling aw and waiting for it to
// finish (its except/finally output comes first). No timeout: a plain await (a callable is
// just called, as `await coro()`). A callable becomes a task after the timer is set.
template <Awaitable A>
awaited_t<A> wait_for(A&& aw, std::optional<double> timeout, source_location where = source_location::current()) {
  BaseEventLoop& loop = get_running_loop();
  if (!timeout) {
    if constexpr (FutureLike<A>) {
      return await(aw, where);
    } else if constexpr (detail::is_coro<std::decay_t<A>>::value) {
      // [coro] A fiber cannot run a coroutine inline: it runs as a task (one more Task-N).
      return await(loop.create_task(std::forward<A>(aw)), where);
    } else {
      return std::invoke(aw);
    }
  }
  // CPython's order: the waiter and its timer first, then ensure_future (the task).
  WaitForTimer_ timer = wait_for_timer_(*timeout);
  Future<awaited_t<A>> fut = ensure_future(std::forward<A>(aw), loop);
  wait_for_core_(fut.core(), *timeout, std::move(timer), where);
  return fut.result();
}

// ------------------------------------------------------------------------- as_completed

// The state behind as_completed(): the futures still to finish, and a small queue of those that
// have (nullptr marks a timeout), read by each item in turn.
class AsCompletedState {
 public:
  AsCompletedState(BaseEventLoop& loop, std::vector<Ref<FutureCore>> todo, std::optional<double> timeout);
  AsCompletedState(const AsCompletedState&) = delete;
  AsCompletedState& operator=(const AsCompletedState&) = delete;
  // as_completed()._wait_for_one: the next finished future (await done.get()); TimeoutError once
  // the timeout has passed.
  Ref<FutureCore> wait_for_one_(source_location where);
  // [coro] The same for a coroutine (`co_await item`, coroutines.hpp).
  Coro<Ref<FutureCore>> wait_for_one_async_();
  std::size_t size() const noexcept { return count_; }
  static void start_(const std::shared_ptr<AsCompletedState>& self);

 private:
  void on_completion_(FutureCore& f);
  void on_timeout_();
  void put_(Ref<FutureCore> f);
  BaseEventLoop* loop_;
  std::vector<Ref<FutureCore>> todo_;
  std::vector<CallbackKey> keys_;
  std::deque<Ref<FutureCore>> done_;
  std::deque<Future<void>> getters_;
  TimerHandleRef timeout_handle_;
  std::optional<double> timeout_;
  std::size_t count_;
};

// as_completed(fs, timeout): an iterable of fs.size() items (duplicates dropped); calling an item
// (the twin of `await f`) suspends until the next future finishes and returns its result or
// raises its exception, in completion order; TimeoutError for every slot left when the timeout
// passes. Nothing is cancelled. Callables become tasks in the order given.
template <class T>
class AsCompleted {
 public:
  class Item {
   public:
    explicit Item(std::shared_ptr<AsCompletedState> state) : state_(std::move(state)) {}
    T operator()(source_location where = source_location::current()) const { return Future<T>(state_->wait_for_one_(where)).result(); }
    // [coro] `co_await item` in a coroutine, the twin of `await f` (coroutines.hpp).
    using as_completed_item_tag = T;
    const std::shared_ptr<AsCompletedState>& state_ref_() const noexcept { return state_; }

   private:
    std::shared_ptr<AsCompletedState> state_;
  };
  class iterator {
   public:
    using value_type = Item;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const std::shared_ptr<AsCompletedState>* state, std::size_t i) : state_(state), i_(i) {}
    Item operator*() const { return Item(*state_); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++i_;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.i_ == b.i_; }

   private:
    const std::shared_ptr<AsCompletedState>* state_ = nullptr;
    std::size_t i_ = 0;
  };

  explicit AsCompleted(std::shared_ptr<AsCompletedState> state) : state_(std::move(state)) {}
  iterator begin() const { return iterator(&state_, 0); }
  iterator end() const { return iterator(&state_, state_->size()); }
  std::size_t size() const noexcept { return state_->size(); }

 private:
  std::shared_ptr<AsCompletedState> state_;
};

template <Awaitable A>
AsCompleted<awaited_t<A>> as_completed(const std::vector<A>& fs, std::optional<double> timeout = std::nullopt) {
  BaseEventLoop& loop = get_event_loop();
  std::vector<Ref<FutureCore>> todo;
  for (const A& aw : fs) {
    Ref<FutureCore> core = ensure_future(aw, loop).core_ref();
    if (std::find(todo.begin(), todo.end(), core) == todo.end()) todo.push_back(std::move(core));
  }
  auto state = std::make_shared<AsCompletedState>(loop, std::move(todo), timeout);
  AsCompletedState::start_(state);
  return AsCompleted<awaited_t<A>>(std::move(state));
}

// ------------------------------------------------------------------------- shield

// shield(aw): a new future that follows aw's outcome, so that cancelling it (or the task
// awaiting it) leaves aw running. Cancelling aw itself cancels the outer. An aw already done
// is returned as is.
template <Awaitable A>
Future<awaited_t<A>> shield(A&& aw) {
  using T = awaited_t<A>;
  Future<T> inner = ensure_future(std::forward<A>(aw));
  if (inner.done()) return inner;
  Future<T> outer = inner.get_loop().template create_future<T>();
  auto key = std::make_shared<CallbackKey>(0);
  *key = inner.add_done_callback(
      [outer](Future<T> in) {
        if (outer.cancelled()) {
          if (!in.cancelled()) in.exception();  // mark the inner's exception retrieved
          return;
        }
        if (in.cancelled()) {
          outer.cancel();
        } else if (std::exception_ptr exc = in.exception()) {
          outer.set_exception(exc);
        } else if constexpr (std::is_void_v<T>) {
          outer.set_result();
        } else {
          outer.set_result(in.result());
        }
      },
      "shield.<locals>._inner_done_callback");
  outer.add_done_callback(
      [inner, key](Future<T>) {
        if (!inner.done()) inner.remove_done_callback(*key);
      },
      "shield.<locals>._outer_done_callback");
  detail::combinator_created_(outer.core(), "shield", {&inner.core()});  // [graph]
  return outer;
}

// detail::TracedCall (trace.hpp): here, where the loop and the task are complete.
inline detail::TracedCall::TracedCall(BaseEventLoop* loop, CallLabel label) {
  if (!label || !loop) return;
  TaskCore* task = loop->current_task_;
  if (task && !task->call_label()) {
    task->set_call_label_(label);
    task_ = task;
  }
}

inline detail::TracedCall::TracedCall(CallLabel label) : TracedCall(get_running_loop_or_null(), label) {}

inline detail::TracedCall::~TracedCall() {
  if (task_) task_->set_call_label_({});
}

}  // namespace asyncio
