// tasks.cpp: a task's step and wakeup, cancellation, await, sleep and the task registry.
// Mirrors Lib/asyncio/tasks.py (Task.__init__, __step, __wakeup, cancel, uncancel, sleep,
// current_task, all_tasks) and Modules/_asynciomodule.c (task_step_impl, task_wakeup).
// Course: docs/06-tasks-on-fibers.md, docs/08-cancellation-and-timeouts.md
#include "asyncio/tasks.hpp"

#include <atomic>
#include <cstddef>

#include "asyncio/asyncgen.hpp"
#include "asyncio/graph.hpp"

namespace asyncio {

namespace {
std::atomic<unsigned long long> task_name_counter{0};
}  // namespace

namespace detail {
// The async generator whose body runs on this thread now (asyncgen.cpp sets it).
thread_local AsyncGeneratorCore* running_generator = nullptr;
// [coro] The coroutine task whose step runs on this thread now, and its outermost frame
// (CoroTaskCore::set_running_ sets both; futures.hpp).
thread_local constinit RunningCoro running_coro;
}  // namespace detail

unsigned long long next_task_number_() noexcept { return ++task_name_counter; }

std::string next_task_name_() { return "Task-" + std::to_string(next_task_number_()); }

// ---------------------------------------------------------------- the step handle

TaskCore::StepHandle::StepHandle(BaseEventLoop* loop) noexcept : Handle(Callback(), loop, task_step_name_) {}

void TaskCore::StepHandle::destroy_() noexcept { task_core_().decref_(); }

// Through the handle's virtual run_: a traced pass, debug mode, run_once's callers. An untraced
// pass runs the same inline, in its own frame (TaskCore::run_step_).
void TaskCore::StepHandle::run_() { run_inline_(); }

std::string TaskCore::StepHandle::describe_callback_() const {
  // CPython shows a wakeup as Task.task_wakeup and a step as TaskStepMethWrapper.
  return task_core_().wakeup_from_ ? "Task.task_wakeup" : "Task.__step";
}

std::string TaskCore::StepHandle::repr() const { return "<Handle " + description() + " of " + task_core_().repr() + ">"; }

// ---------------------------------------------------------------- creation and destruction

TaskCore::TaskCore(BaseEventLoop& loop, TaskOptions&& options)
    : FutureCore(loop),
      step_handle_(&loop) {
  is_task_ = true;
  if (options.name.empty()) {
    name_bits_ = static_cast<std::uintptr_t>(next_task_number_()) << 1 | 1;
  } else {
    name_bits_ = reinterpret_cast<std::uintptr_t>(new std::string(std::move(options.name)));
  }
  link_();
  // Reported before its first step is queued, so the step's `scheduled` line names a known task.
  loop.tracer().emit(loop, [&](Observer& o) { o.task_created(loop, *this); });
  schedule_step_();
}

TaskCore::~TaskCore() {
  unlink_();
  delete name_();
}

FiberTaskCore::FiberTaskCore(BaseEventLoop& loop, TaskOptions&& options)
    : TaskCore(loop, std::move(options)) {
  fiber_body_ = true;
  fiber_.set_label(label_(), number());
  fiber_.set_stack_size(options.stack_size);  // a size_t: TaskCore's move left it as it was
}

std::size_t TaskCore::stack_size() const noexcept {
  const fibers::Fiber* fiber = body_fiber_();
  return fiber ? fiber->stack_size() : 0;
}

// all_tasks() lists tasks in creation order: CPython's is a WeakSet, whose order follows the
// tasks' addresses, in practice the order they were made (asyncio.run cancels in that order).
void TaskCore::link_() noexcept {
  prev_ = loop_->all_tasks_tail_;
  if (prev_) {
    prev_->next_ = this;
  } else {
    loop_->all_tasks_head_ = this;
  }
  loop_->all_tasks_tail_ = this;
}

void TaskCore::unlink_() noexcept {
  const bool linked = prev_ || next_ || loop_->all_tasks_head_ == this;
  if (!linked) return;
  if (prev_) {
    prev_->next_ = next_;
  } else {
    loop_->all_tasks_head_ = next_;
  }
  if (next_) {
    next_->prev_ = prev_;
  } else {
    loop_->all_tasks_tail_ = prev_;
  }
  prev_ = next_ = nullptr;
}

// The last reference is gone. A task still pending is reported as CPython's __del__ does,
// and its fiber unwound; a finished one may report an exception nobody retrieved.
void TaskCore::destroy_() noexcept {
  if (state_ == FutureState::PENDING) {
    refs_ = 1;
    report_destroyed_pending_();
    unwind_body_();
    if (--refs_ > 0) return;
  }
  FutureCore::destroy_();
}

// Task.__del__'s report for a task still pending (unless _log_destroy_pending was cleared).
void TaskCore::report_destroyed_pending_() noexcept {
  if (!log_destroy_pending_) return;
  try {
    ExceptionContext context;
    context.message = "Task was destroyed but it is pending!";
    context.task = Ref<TaskCore>(this);
    loop_->call_exception_handler(context);
  } catch (...) {
  }
}

void TaskCore::abandon_() noexcept {
  Ref<TaskCore> keep(this);
  if (fut_waiter_) {
    fut_waiter_->remove_waiter_(*this);
    fut_waiter_ = nullptr;
  }
  unwind_body_();
  // The closed loop can never run these callbacks. Dropping them breaks the cycles they make
  // (a gather child holds its outer future, which holds the child), so the task is released
  // and reported as pending, as CPython's garbage collector would find it.
  clear_callbacks_();
}

// ---------------------------------------------------------------- names and repr

std::string TaskCore::get_name() const {
  const std::string* name = name_();
  return name ? *name : "Task-" + std::to_string(number());
}

void TaskCore::set_name(std::string name) {
  const unsigned long long n = number();
  if (std::string* own = name_()) {
    *own = std::move(name);
  } else {
    name_bits_ = reinterpret_cast<std::uintptr_t>(new std::string(std::move(name)));
  }
  if (fibers::Fiber* fiber = body_fiber_()) fiber->set_label(name_()->c_str(), n);
  loop_->tracer().emit(*loop_, [&](Observer& o) { o.task_renamed(*loop_, *this); });
}

std::string TaskCore::repr() const {
  std::string out = "<Task " + state_repr_().substr(0, state_repr_().find(' ')) + " name=" + py_repr(get_name());
  if (state_ == FutureState::FINISHED) {
    const std::string s = state_repr_();
    const auto space = s.find(' ');
    if (space != std::string::npos) out += s.substr(space);
  } else if (state_ == FutureState::PENDING && fut_waiter_) {
    out += " wait_for=" + fut_waiter_->repr();
  }
  return out + ">";
}

// ---------------------------------------------------------------- the step

void TaskCore::schedule_step_(std::exception_ptr exc) {
  throw_in_ = std::move(exc);
  schedule_step_();
}

void TaskCore::schedule_wakeup_(FutureCore& future) {
  wakeup_from_ = Ref<FutureCore>(&future);
  if (step_handle_.idle()) incref_();
  loop_->call_soon_handle_(&step_handle_);
  loop_->tracer().emit(*loop_, [&](Observer& o) {
    o.handle_scheduled(*loop_, step_handle_, ScheduleHow::done_callback, &future, kNoDelay);
  });
}

bool FiberTaskCore::resume_body_(std::exception_ptr& exc) { return resume_fiber_(exc); }

void FiberTaskCore::fiber_entry_(void* self) {
  static_cast<FiberTaskCore*>(static_cast<TaskCore*>(self))->run_body_();
}

// Inline into its caller (detail::sleep_); await(), await_core and sleep(0) use its two halves.
// What the step throws in is left for the caller to raise, so a cancelled await or sleep raises in
// the body's own frame: the unwinder passes no frame or landing pad of the runtime's (issue 17:
// each frame costs it ~2,000 instructions over its two phases, each landing pad left by
// _Unwind_Resume ~6,000).
[[gnu::always_inline]] inline TaskCore* TaskCore::suspend_(FutureCore* future, source_location where) {
  if (FiberTaskCore* task = prepare_suspend_(future, where)) return task->switch_out_(future);
  return nullptr;
}

[[gnu::always_inline]] inline FiberTaskCore* TaskCore::prepare_suspend_(FutureCore* future, source_location where) {
  // In an async generator's body: its driver awaits the future on the task's own fiber.
  if (AsyncGeneratorCore* gen = detail::running_generator) [[unlikely]] {
    gen->await_from_body_(future, where);
    return nullptr;
  }
  suspended_at_ = where;
  yielded_ = future;
  yielded_bare_ = future == nullptr;
  // Only a fiber task gets here: a coroutine task's fiber forms fail before (running_task).
  return static_cast<FiberTaskCore*>(this);
}

void detail::await_not_done_() { throw RuntimeError("await wasn't used with future"); }

// ---------------------------------------------------------------- cancellation

bool TaskCore::cancel(std::string msg) {
  log_traceback_ = false;
  if (done()) return false;
  loop_->tracer().emit(*loop_, [&](Observer& o) { o.task_cancel_requested(*loop_, *this); });
  ++num_cancels_requested_;
  if (fut_waiter_ && fut_waiter_->cancel(msg)) {
    // The waiter's cancellation queues our wakeup, which throws CancelledError in.
    return true;
  }
  must_cancel_ = true;
  set_cancel_message_(std::move(msg));
  return true;
}

int TaskCore::uncancel() noexcept {
  if (num_cancels_requested_ > 0) --num_cancels_requested_;
  return num_cancels_requested_;
}

// ---------------------------------------------------------------- await, sleep, registry

void detail::fiber_only_error_(const char* call, const char* instead) {
  throw RuntimeError(std::string(call) + "() suspends a fiber; in a coroutine task use co_await " + instead +
                     "(...) (docs/06)");
}

namespace {
TaskCore& running_task(const char* what) {
  // [coro] A coroutine task's body runs on the loop's own stack: it can only suspend in co_await.
  if (detail::running_coro.task) [[unlikely]]
    throw RuntimeError("asyncio::" + std::string(what) +
                       "() suspends a fiber; in a coroutine task use co_await" +
                       (std::string(what) == "sleep" ? " asyncio::sleep_async(delay)"
                                                     : " on the future, task or _async form (docs/06)"));
  // Only tasks run on fibers, so the running fiber names the task (also when a test drives
  // the loop with run_once() and no loop is "running").
  fibers::Fiber* fiber = fibers::Fiber::current();
  auto* task = fiber ? static_cast<TaskCore*>(fiber->arg()) : nullptr;
  // An async generator's fiber belongs to the task that drives it.
  if (AsyncGeneratorCore* gen = detail::running_generator) [[unlikely]] task = gen->driver_task_();
  if (!task || task->get_loop().current_task_ != task)
    throw RuntimeError(std::string(what) +
                       " outside a task: only a task's body can suspend. Run this code in a task "
                       "(loop.create_task, asyncio::run) or, from a plain callback, use "
                       "add_done_callback instead");
  return *task;
}
}  // namespace

void await_core(FutureCore& future, source_location where) {
  if (FiberTaskCore* task = detail::await_prepare_(future, where))
    if (TaskCore* raise = task->switch_out_(&future)) raise->raise_thrown_in_();
}

FiberTaskCore* detail::await_prepare_(FutureCore& future, source_location where) {
  if (detail::running_coro.task) [[unlikely]] running_task("await");  // [coro] always an error there
  if (future.done()) return nullptr;
  return running_task("await").prepare_suspend_(&future, where);
}

FiberTaskCore* detail::sleep0_prepare_(source_location where) {
  return running_task("sleep").prepare_suspend_(nullptr, where);
}

TaskCore* detail::sleep_(double delay, source_location where) {
  if (delay <= 0) return running_task("sleep").suspend_(nullptr, where);
  TaskCore& task = running_task("sleep");
  // CPython's sleep() asks for the running loop: a task stepped by run_once() alone, with no
  // loop running, gets RuntimeError('no running event loop') here, as it does there.
  BaseEventLoop& loop = get_running_loop();
  Future<void> future = loop.create_future<void>();
  // Before call_later: the timer's `scheduled` line says it is this sleep's.
  loop.tracer().emit(loop, [&](Observer& o) { o.sleep_called(loop, task, delay); });
  TimerHandleRef timer = loop.call_later(
      delay, [future] { set_result_unless_cancelled(future); }, "futures._set_result_unless_cancelled");
  struct CancelTimer {
    TimerHandleRef& timer;
    ~CancelTimer() { timer->cancel(); }
  } cancel_timer{timer};
  // The tree and the task table say `sleep()` where they would say `Future` (the trace says
  // `sleep(DELAY)`: its writer keeps the delay).
  detail::TracedCall call(&loop, "sleep()");
  // await(future), its suspension inlined; the timer is cancelled on the way out, before the
  // caller raises a CancelledError thrown in (as the finally of CPython's sleep runs first).
  if (TaskCore* raise = task.suspend_(&future.core(), where)) return raise;
  future.result();
  return nullptr;
}

Ref<TaskCore> current_task(BaseEventLoop& loop) { return Ref<TaskCore>(loop.current_task_); }

Ref<TaskCore> current_task() { return current_task(get_running_loop()); }

std::vector<Ref<TaskCore>> all_tasks(BaseEventLoop& loop) {
  std::vector<Ref<TaskCore>> out;
  for (TaskCore* t = loop.all_tasks_head_; t; t = t->next_task_())
    if (!t->done()) out.emplace_back(t);
  return out;
}

std::vector<Ref<TaskCore>> all_tasks() { return all_tasks(get_running_loop()); }

}  // namespace asyncio

// ---- Combinators: gather, wait, wait_for, as_completed, shield (tasks.py)
// Mirrors tasks.py (_GatheringFuture, gather._done_callback, _wait, wait_for,
// _cancel_and_wait, _release_waiter, as_completed). Course: docs/09-composing-tasks.md.
#include <algorithm>
#include <unordered_set>

#include "asyncio/waiters.hpp"

namespace asyncio {

namespace {
// tasks._release_waiter
void release_waiter(const Future<void>& waiter) {
  if (!waiter.done()) waiter.set_result();
}

// Cancels the timer whatever way the function is left (a `finally:` that does not switch).
struct CancelOnExit {
  TimerHandleRef& timer;
  ~CancelOnExit() {
    if (timer) timer->cancel();
  }
};
}  // namespace

// ------------------------------------------------------------------------- gather

GatheringFutureCore::GatheringFutureCore(BaseEventLoop& loop, bool outcomes)
    : FutureCore(loop), return_exceptions_(outcomes) {}

bool GatheringFutureCore::cancel(std::string msg) {
  if (done()) return false;
  bool ret = false;
  for (const Ref<FutureCore>& child : children_)
    if (child->cancel(msg)) ret = true;
  if (ret) cancel_requested_ = true;
  return ret;
}

GatheringFutureCore::~GatheringFutureCore() {
  // [graph] The registry points at children_: drop that before the list goes.
  if (in_graph_()) detail::graph_forget_(*this);
}

namespace {
// Which of `children` were seen earlier in the list (gather's arg_to_fut: gather(a, a) makes one
// callback for a). A mark in each future, set in one sweep and cleared in a second: no table to
// allocate and probe (a hash table of 2n pointers was 2 MB, probed at random, for 100,000
// children). Empty when none repeats. Nothing runs and nothing is allocated while marks are set
// (the result is allocated between two rounds of marking), so none can be left behind.
std::vector<bool> repeats_of(const std::vector<Ref<FutureCore>>& children) {
  const std::size_t n = children.size();
  std::vector<bool> repeats;
  if (n < 2) return repeats;
  bool any = false;
  for (const Ref<FutureCore>& c : children)
    if (c->mark_seen_()) any = true;
  for (const Ref<FutureCore>& c : children) c->clear_seen_mark_();
  if (!any) return repeats;
  repeats.assign(n, false);
  for (std::size_t i = 0; i < n; ++i) repeats[i] = children[i]->mark_seen_();
  for (const Ref<FutureCore>& c : children) c->clear_seen_mark_();
  return repeats;
}
}  // namespace

void GatheringFutureCore::created_() {
  const std::vector<bool> repeats = repeats_of(children_);
  for (std::size_t i = 0; i < children_.size(); ++i) {
    if (!repeats.empty() && repeats[i]) continue;
    ++nfuts_;
    children_[i]->add_done_callback_(
        [self = Ref<GatheringFutureCore>(this)](FutureCore& f) { self->done_callback_(f); },
        "gather.<locals>._done_callback");
  }
  detail::gather_created_(*this, children_, repeats.empty());  // [graph]
}

void GatheringFutureCore::done_callback_(FutureCore& child) {
  ++nfinished_;
  if (done()) {
    if (!child.cancelled()) child.exception();  // mark it retrieved: the outer already reported
    return;
  }
  if (!return_exceptions_) {
    if (child.cancelled()) {
      set_exception_(child.make_cancelled_error_());
      return;
    }
    if (std::exception_ptr exc = child.exception()) {
      set_exception_(std::move(exc));
      return;
    }
  }
  if (nfinished_ != nfuts_) return;
  if (cancel_requested_) {
    // CPython builds the result list first, which marks every child's exception retrieved.
    for (const Ref<FutureCore>& c : children_)
      if (!c->cancelled()) c->exception();
    set_exception_(child.make_cancelled_error_());
  } else {
    set_results_();
  }
}

// ------------------------------------------------------------------------- wait

namespace {
struct WaitState {
  std::size_t counter;
  ReturnWhen return_when;
  Future<void> waiter;
  TimerHandleRef timeout_handle;
};
}  // namespace

void wait_core_(const std::vector<Ref<FutureCore>>& fs, std::optional<double> timeout, ReturnWhen return_when,
                source_location where) {
  WaitCall_ call = wait_begin_(fs, timeout, return_when);
  std::exception_ptr error;
  try {
    await(call.waiter, where);
  } catch (...) {
    error = std::current_exception();
  }
  wait_end_(fs, call);
  if (error) std::rethrow_exception(error);
}

WaitCall_ wait_begin_(const std::vector<Ref<FutureCore>>& fs, std::optional<double> timeout, ReturnWhen return_when) {
  BaseEventLoop& loop = get_running_loop();
  auto state = std::make_shared<WaitState>(WaitState{fs.size(), return_when, loop.create_future<void>(), nullptr});
  if (timeout) {
    state->timeout_handle =
        loop.call_later(*timeout, [waiter = state->waiter] { release_waiter(waiter); }, "tasks._release_waiter");
  }
  // A callback already queued when wait() returns still runs later: it owns the state with us.
  auto on_completion = [state](FutureCore& f) {
    state->counter -= 1;
    if (state->counter == 0 || state->return_when == FIRST_COMPLETED ||
        (state->return_when == FIRST_EXCEPTION && !f.cancelled() && f.exception() != nullptr)) {
      if (state->timeout_handle) state->timeout_handle->cancel();
      release_waiter(state->waiter);
    }
  };
  {  // [graph]
    std::vector<FutureCore*> children;
    for (const Ref<FutureCore>& f : fs) children.push_back(f.get());
    detail::combinator_created_(state->waiter.core(), "wait", children);
  }
  WaitCall_ call{state->waiter, state, {}};
  call.keys.reserve(fs.size());
  for (const Ref<FutureCore>& f : fs)
    call.keys.push_back(f->add_done_callback_(on_completion, "_wait.<locals>._on_completion"));
  return call;
}

void wait_end_(const std::vector<Ref<FutureCore>>& fs, WaitCall_& call) noexcept {
  auto* state = static_cast<WaitState*>(call.state.get());
  if (state->timeout_handle) state->timeout_handle->cancel();
  for (std::size_t i = 0; i < fs.size(); ++i) fs[i]->remove_done_callback_(call.keys[i]);
}

// ------------------------------------------------------------------------- wait_for

namespace {
// tasks._cancel_and_wait: cancel fut and wait on a separate waiter until it is done, so this
// wait can itself be cancelled.
void cancel_and_wait(FutureCore& fut, BaseEventLoop& loop, source_location where) {
  Future<void> waiter = loop.create_future<void>();
  detail::combinator_created_(waiter.core(), "wait_for", {&fut});  // [graph]
  const CallbackKey cb =
      fut.add_done_callback_([waiter](FutureCore&) { release_waiter(waiter); }, "functools.partial(_release_waiter)");
  std::exception_ptr error;
  try {
    fut.cancel({});
    await(waiter, where);
  } catch (...) {
    error = std::current_exception();
  }
  fut.remove_done_callback_(cb);
  if (error) std::rethrow_exception(error);
}

// `try: return fut.result() except CancelledError as exc: raise TimeoutError() from exc`: the
// CancelledError is the TimeoutError's cause and context. The caller reads the result itself
// when this returns.
void timeout_if_cancelled(FutureCore& fut) {
  std::exception_ptr cancelled;
  try {
    fut.check_result_();
  } catch (const CancelledError&) {
    cancelled = std::current_exception();
  } catch (...) {
  }
  if (cancelled) throw with_cause(TimeoutError(), cancelled, cancelled);
}
}  // namespace

WaitForTimer_ wait_for_timer_(double timeout) {
  if (timeout <= 0) return {};
  BaseEventLoop& loop = get_running_loop();
  Future<void> waiter = loop.create_future<void>();
  TimerHandleRef handle = loop.call_later(timeout, [waiter] { release_waiter(waiter); }, "tasks._release_waiter");
  return {std::move(waiter), std::move(handle)};
}

void wait_for_core_(FutureCore& fut_core, double timeout, WaitForTimer_ timer, source_location where) {
  BaseEventLoop& loop = get_running_loop();
  Ref<FutureCore> fut(&fut_core);
  if (timeout <= 0) {
    if (fut->done()) return;
    cancel_and_wait(*fut, loop, where);
    timeout_if_cancelled(*fut);
    return;
  }
  Future<void> waiter = std::move(timer.waiter);
  TimerHandleRef timeout_handle = std::move(timer.handle);
  CancelOnExit cancel_timer{timeout_handle};
  detail::combinator_created_(waiter.core(), "wait_for", {fut.get()});  // [graph]
  const CallbackKey cb =
      fut->add_done_callback_([waiter](FutureCore&) { release_waiter(waiter); }, "functools.partial(_release_waiter)");
  std::exception_ptr cancelled;
  try {
    await(waiter, where);
  } catch (const CancelledError&) {
    cancelled = std::current_exception();
  }
  if (cancelled) {
    // wait_for itself was cancelled: the inner must not outlive it (bpo-32751).
    if (fut->done()) return;
    fut->remove_done_callback_(cb);
    cancel_and_wait(*fut, loop, where);
    std::rethrow_exception(cancelled);
  }
  if (fut->done()) return;
  fut->remove_done_callback_(cb);
  cancel_and_wait(*fut, loop, where);
  timeout_if_cancelled(*fut);
}

// ------------------------------------------------------------------------- as_completed

AsCompletedState::AsCompletedState(BaseEventLoop& loop, std::vector<Ref<FutureCore>> todo,
                                   std::optional<double> timeout)
    : loop_(&loop), todo_(std::move(todo)), timeout_(timeout), count_(todo_.size()) {}

void AsCompletedState::start_(const std::shared_ptr<AsCompletedState>& self) {
  for (const Ref<FutureCore>& f : self->todo_) {
    self->keys_.push_back(f->add_done_callback_([self](FutureCore& done) { self->on_completion_(done); },
                                                "as_completed.<locals>._on_completion"));
  }
  if (!self->todo_.empty() && self->timeout_) {
    self->timeout_handle_ =
        self->loop_->call_later(*self->timeout_, [self] { self->on_timeout_(); }, "as_completed.<locals>._on_timeout");
  }
}

void AsCompletedState::on_timeout_() {
  for (std::size_t i = 0; i < todo_.size(); ++i) {
    todo_[i]->remove_done_callback_(keys_[i]);
    put_(nullptr);  // one TimeoutError per slot still waiting
  }
  todo_.clear();
  keys_.clear();
  timeout_handle_ = nullptr;
}

void AsCompletedState::on_completion_(FutureCore& f) {
  if (todo_.empty()) return;  // _on_timeout() was here first
  const auto it = std::find(todo_.begin(), todo_.end(), Ref<FutureCore>(&f));
  if (it == todo_.end()) return;
  keys_.erase(keys_.begin() + (it - todo_.begin()));
  todo_.erase(it);
  put_(Ref<FutureCore>(&f));
  if (todo_.empty() && timeout_handle_) {
    timeout_handle_->cancel();
    timeout_handle_ = nullptr;
  }
}

// Queue.put_nowait on the internal queue: append, wake the first getter still waiting.
void AsCompletedState::put_(Ref<FutureCore> f) {
  done_.push_back(std::move(f));
  detail::wakeup_next(getters_);
}

// [coro] The same in a coroutine.
Coro<Ref<FutureCore>> AsCompletedState::wait_for_one_async_() {
  co_await detail::wait_in_line_async(getters_, get_running_loop(), [this] { return done_.empty(); }, "as_completed()");
  Ref<FutureCore> f = std::move(done_.front());
  done_.pop_front();
  if (!f) throw TimeoutError();
  co_return f;
}

// Queue.get on the internal queue, then the dummy check of _wait_for_one.
Ref<FutureCore> AsCompletedState::wait_for_one_(source_location where) {
  // The wait is named as_completed(), as the trace names CPython's _wait_for_one().
  detail::wait_in_line(getters_, get_running_loop(), [this] { return done_.empty(); }, where, "as_completed()");
  Ref<FutureCore> f = std::move(done_.front());
  done_.pop_front();
  if (!f) throw TimeoutError();
  return f;
}

}  // namespace asyncio

// ---------------------------------------------------------------- who can still reach it

namespace asyncio {

// [reach] docs/architecture.md, "Who can still reach a task".
void TaskCore::check_unreachable_() noexcept {
  if (state_ != FutureState::PENDING || !fut_waiter_ || reaping_ || !step_handle_.idle() || wakeup_from_ ||
      loop_->current_task_ == this || loop_->is_closed())
    return;
  FutureCore& future = *fut_waiter_;
  // A task awaited is reachable through whatever it waits on: kept (the rule stops at futures).
  if (future.is_task_ || future.done() || future.first_callback_.task() != this || future.more_callbacks_()) return;
  // Held by the future's wakeup (one count) and by handles on its own stack, nothing else; the
  // future held only by handles on this task's stack.
  // [coro] A coroutine task has no stack: handles in its outermost frame are its own in the same
  // way (keyed by the task, FutureCore::handle_in_); handles in the frames of coroutines it
  // co_awaits count as any other holder's, so such a task is kept.
  const fibers::Fiber* fiber = body_fiber_();
  const fibers::Fiber* owner = fiber ? fiber : coro_owner_key_(this);
  if (refs_ != 1 + stack_handles_of_(owner)) return;
  if (future.refs_ != future.stack_handles_of_(owner)) return;
  reap_unreachable_();
}

// Task.__del__ for a task the cycle collector found, in the collector's order: the task leaves
// all_tasks (a WeakSet: cleared first), its body is closed (here: its fiber unwound, so its
// destructors run), then the report, with the task still showing what it waited for.
void TaskCore::reap_unreachable_() noexcept {
  reaping_ = true;
  watch_reach_ = false;
  Ref<TaskCore> keep(this);
  Ref<FutureCore> future(fut_waiter_);
  unlink_();
  unwind_body_();  // a fiber unwound, or [coro] the frames destroyed: destructors run
  report_destroyed_pending_();
  log_destroy_pending_ = false;  // reported once
  future->remove_waiter_(*this);
  fut_waiter_ = nullptr;
  clear_callbacks_();
}

}  // namespace asyncio
