// coroutines.cpp: a coroutine task's step, the co_await bookkeeping, and the _async forms of
// sleep and wait_for.
// Mirrors Lib/asyncio/tasks.py (Task.__step with a coroutine, sleep, wait_for, _cancel_and_wait)
// and Objects/genobject.c (_PyErr_WarnUnawaitedCoroutine).
// Course: docs/06-tasks-on-fibers.md ("Stackless tasks: coroutines")
#include "asyncio/coroutines.hpp"

#include "asyncio/warnings.hpp"

namespace asyncio {

// ---------------------------------------------------------------- co_await

void detail::no_coro_task_error_() {
  throw RuntimeError(
      "co_await outside a coroutine task: only a task's body can suspend. Run the coroutine with "
      "create_task(coro) or co_await it from one; a fiber task awaits with asyncio::await");
}

void detail::not_awaited_error_() { throw RuntimeError("await wasn't used with future"); }

void detail::warn_never_awaited_(const char* function_name) noexcept {
  warnings::warn(std::string("coroutine '") + function_name + "' was never awaited", "RuntimeWarning");
}

// ---------------------------------------------------------------- the coroutine task

thread_local constinit void* detail::new_frame_ = nullptr;
thread_local constinit std::size_t detail::new_frame_size_ = 0;

CoroTaskCore::CoroTaskCore(BaseEventLoop& loop, TaskOptions&& options, std::coroutine_handle<> root,
                           std::uint16_t root_frame_size)
    : TaskCore(loop, std::move(options)), root_frame_size_(root_frame_size), root_(root), resume_point_(root) {}

// root_ is live while a step runs (not done yet): its frame is the running one's outermost.
void CoroTaskCore::set_running_() noexcept {
  detail::running_coro = {this, reinterpret_cast<std::uintptr_t>(root_.address()), root_frame_size_};
}

CoroTaskCore::~CoroTaskCore() {
  if (root_) root_.destroy();
}

// Task.__step with a coroutine: coro.send(None) / coro.throw(exc) is resuming the frame that last
// suspended; the co_await there raises what throw_in_ holds.
bool CoroTaskCore::resume_body_(std::exception_ptr& exc) {
  if (!coro_stepped_ && exc) {
    // throw() into a coroutine that never started: it ends at once, its body never runs, and its
    // frame (the arguments it holds) goes now, with no "never awaited" warning (it was thrown into).
    coro_stepped_ = true;
    resume_point_ = nullptr;
    std::exchange(root_, nullptr).destroy();
    return true;
  }
  coro_stepped_ = true;
  // Written only when it changes: both are nearly always empty (the step handle took throw_in_).
  if (exc || throw_in_) [[unlikely]] throw_in_ = std::move(exc);
  loop_->current_task_ = this;
  auto* outer = static_cast<CoroTaskCore*>(detail::running_coro.task);  // only coroutine tasks set it
  set_running_();
  std::coroutine_handle<> h = std::exchange(resume_point_, nullptr);
  h.resume();
  if (outer) [[unlikely]] {
    outer->set_running_();
  } else {
    detail::running_coro.task = nullptr;  // the frame is read only while a task is set
  }
  loop_->current_task_ = nullptr;
  if (root_.done()) {
    exc = std::exchange(root_promise_().exception_, nullptr);
    if (!exc) store_value_();
    // The frame goes now, not with the task: its memory, and whatever its parameters hold.
    std::exchange(root_, nullptr).destroy();
    return true;
  }
  return false;
}

// The task is dropped (or its loop closed) while pending: destroy the frames, destructors run.
// One never stepped is CPython's coroutine closed unstarted: "was never awaited".
void CoroTaskCore::unwind_body_() noexcept {
  if (!root_ || root_.done()) return;
  if (!coro_stepped_) detail::warn_never_awaited_(root_promise_().function_name_);
  coro_stepped_ = true;
  std::coroutine_handle<> root = std::exchange(root_, nullptr);
  resume_point_ = nullptr;
  root.destroy();
}

// ---------------------------------------------------------------- sleep_async

void detail::SleepAwaiter::suspend_timed_(std::coroutine_handle<> h) {
  TaskCore* task = running_coro.task;
  if (!task) throw RuntimeError("sleep_async outside a coroutine task: co_await it from a coroutine task's body");
  BaseEventLoop& loop = get_running_loop();
  Future<void> fut = loop.create_future<void>();
  // Before call_later: the timer's `scheduled` line says it is this sleep's.
  loop.tracer().emit(loop, [&](Observer& o) { o.sleep_called(loop, *task, delay); });
  TimerHandleRef t = loop.call_later(
      delay, [fut] { set_result_unless_cancelled(fut); }, "futures._set_result_unless_cancelled");
  future = &fut.core();
  future->incref_();
  timer = t.release();
  coro_suspend_(h, future, where);
  // No frame for a TracedCall scope: the label is set here (unless an outer call set one) and
  // cleared in resume_timed_, as EventWaitAwaiter does.
  if (!task->call_label()) task->set_call_label_("sleep()");
}

namespace {
// The sleep's timer, cancelled (a cancelled sleep, or its frame destroyed) and its count dropped.
void drop_timer(TimerHandle*& timer) noexcept {
  if (!timer) return;
  timer->cancel();
  std::exchange(timer, nullptr)->decref_();
}
}  // namespace

void detail::SleepAwaiter::resume_timed_(TaskCore* task) noexcept {
  if (task && task->call_label() == CallLabel("sleep()")) task->set_call_label_({});
  drop_timer(timer);
}

void detail::SleepAwaiter::release_() noexcept {
  drop_timer(timer);
  std::exchange(future, nullptr)->decref_();
}

// ---------------------------------------------------------------- wait_for_async

namespace {
void release_waiter(const Future<void>& waiter) {
  if (!waiter.done()) waiter.set_result();
}

// tasks._cancel_and_wait, in a coroutine.
Coro<void> cancel_and_wait_async(Ref<FutureCore> fut, BaseEventLoop& loop) {
  Future<void> waiter = loop.create_future<void>();
  detail::combinator_created_(waiter.core(), "wait_for", {fut.get()});  // [graph]
  const CallbackKey cb =
      fut->add_done_callback_([waiter](FutureCore&) { release_waiter(waiter); }, "functools.partial(_release_waiter)");
  std::exception_ptr error;
  try {
    fut->cancel({});
    co_await waiter;
  } catch (...) {
    error = std::current_exception();
  }
  fut->remove_done_callback_(cb);
  if (error) std::rethrow_exception(error);
}

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

// tasks.cpp's wait_for_core_, line for line, with co_await for await.
Coro<void> detail::wait_for_core_async_(Ref<FutureCore> fut, double timeout, WaitForTimer_ timer) {
  BaseEventLoop& loop = get_running_loop();
  if (timeout <= 0) {
    if (fut->done()) co_return;
    co_await cancel_and_wait_async(fut, loop);
    timeout_if_cancelled(*fut);
    co_return;
  }
  Future<void> waiter = std::move(timer.waiter);
  TimerHandleRef timeout_handle = std::move(timer.handle);
  struct CancelOnExit {
    TimerHandleRef& timer;
    ~CancelOnExit() {
      if (timer) timer->cancel();
    }
  } cancel_timer{timeout_handle};
  detail::combinator_created_(waiter.core(), "wait_for", {fut.get()});  // [graph]
  const CallbackKey cb =
      fut->add_done_callback_([waiter](FutureCore&) { release_waiter(waiter); }, "functools.partial(_release_waiter)");
  std::exception_ptr cancelled;
  try {
    co_await waiter;
  } catch (const CancelledError&) {
    cancelled = std::current_exception();
  }
  if (cancelled) {
    if (fut->done()) co_return;
    fut->remove_done_callback_(cb);
    co_await cancel_and_wait_async(fut, loop);
    std::rethrow_exception(cancelled);
  }
  if (fut->done()) co_return;
  fut->remove_done_callback_(cb);
  co_await cancel_and_wait_async(fut, loop);
  timeout_if_cancelled(*fut);
}

}  // namespace asyncio
