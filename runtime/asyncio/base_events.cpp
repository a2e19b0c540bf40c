// base_events.cpp: BaseEventLoop, the pass and everything that feeds it.
// Mirrors Lib/asyncio/base_events.py (BaseEventLoop: run_forever, run_until_complete, stop,
// close, call_soon, call_later, call_at, _run_once, the exception handler API).
// Course: docs/03-the-loop.md, docs/04-handles-and-timers.md
#include "asyncio/base_events.hpp"

#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <cstdio>
#include <typeinfo>
#include <iostream>
#include <new>
#include <sstream>

#include "asyncio/exceptions.hpp"
#include "asyncio/futures.hpp"
#include "asyncio/graph.hpp"
#include "asyncio/selector_events.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

namespace {

LogSink& log_sink() {
  static LogSink sink = [](LogLevel level, const std::string& message) {
    if (level >= LogLevel::warning) std::cerr << message << std::endl;
  };
  return sink;
}

double monotonic_resolution() {
  timespec res{};
  clock_getres(CLOCK_MONOTONIC, &res);
  return static_cast<double>(res.tv_sec) + static_cast<double>(res.tv_nsec) * 1e-9;
}

LogRecordSink& log_record_sink() {
  static LogRecordSink sink;
  return sink;
}

}  // namespace

void set_log_sink(LogSink sink) { log_sink() = std::move(sink); }

void set_log_record_sink(LogRecordSink sink) { log_record_sink() = std::move(sink); }

void log(LogLevel level, const std::string& message) {
  LogRecord record;
  record.level = level;
  record.msg = message;
  record.message = message;
  log(record);
}

void log(const LogRecord& record) {
  if (log_record_sink()) log_record_sink()(record);
  if (log_sink()) log_sink()(record.level, record.message);
}

BaseEventLoop::BaseEventLoop(std::unique_ptr<selectors::BaseSelector> selector)
    : selector_(std::move(selector)), clock_resolution_(monotonic_resolution()) {
  if (selector_) {
    const selectors::BaseSelector& chosen = *selector_;  // Clang warns on typeid(*ptr)
    const std::type_info& kind = typeid(chosen);
    builtin_selector_ = kind == typeid(selectors::EpollSelector) || kind == typeid(selectors::PollSelector) ||
                        kind == typeid(selectors::SelectSelector);
  }
  tracer_.attach(observer_from_environment());
  if (const char* clock = std::getenv("ASYNCIO_CLOCK"); clock && std::string_view(clock) == "virtual") use_virtual_clock();
}

BaseEventLoop::~BaseEventLoop() {
  clear_queues_();
  tracer_.emit(*this, [&](Observer& o) { o.loop_destroyed(*this); });
}

// ---------------------------------------------------------------- running and stopping

void BaseEventLoop::check_closed_() const {
  if (closed_) throw RuntimeError("Event loop is closed");
}

void BaseEventLoop::check_running_() const {
  if (is_running()) throw RuntimeError("This event loop is already running");
  if (get_running_loop_or_null() != nullptr)
    throw RuntimeError("Cannot run the event loop while another loop is running");
}

void BaseEventLoop::run_forever() {
  check_closed_();
  check_running_();
  Ref<BaseEventLoop> keep_alive(this);
  running_ = true;
  set_running_loop_(this);
  struct Restore {
    BaseEventLoop* loop;
    ~Restore() {
      loop->stopping_ = false;
      loop->running_ = false;
      set_running_loop_(nullptr);
    }
  } restore{this};
  // A loop whose pass is this class's own (no subclass overrides run_once) runs it inline here,
  // in run_forever's frame: a fiber task's switch then leaves no frame of the loop's live across
  // it that returns each pass (each such return mispredicts: docs/performance.md, "Frames across
  // a switch"). A subclass's run_once is called as it is, every pass.
  if (typeid(*this) == typeid(SelectorEventLoop)) {
    for (;;) {
      if (tracer_.on()) [[unlikely]] {
        run_pass_<true>();
      } else {
        run_pass_<false>();
      }
      if (stopping_) break;
    }
    return;
  }
  for (;;) {
    run_once();
    if (stopping_) break;
  }
}

void BaseEventLoop::run_until_complete_(FutureCore& future) {
  check_closed_();
  check_running_();
  Ref<FutureCore> keep(&future);
  // The done callback stops the loop (_run_until_complete_cb); it is removed afterwards so a
  // loop stopped early leaves nothing behind.
  // A future that ended in SystemExit or KeyboardInterrupt does not stop the loop: that exception
  // already left run_forever, and the callback, queued but not run, must not stop the next
  // run_until_complete (Runner.close()'s clean-up) early (CPython's Issue #22429).
  const auto key = future.add_done_callback_(
      [](FutureCore& fut) {
        if (!fut.cancelled() && is_exit_or_interrupt(fut.exception())) return;
        fut.get_loop().stop();
      },
      "_run_until_complete_cb");
  try {
    run_forever();
  } catch (...) {
    future.remove_done_callback_(key);
    throw;
  }
  future.remove_done_callback_(key);
  if (!future.done()) throw RuntimeError("Event loop stopped before Future completed.");
}

void BaseEventLoop::stop() { stopping_ = true; }

void BaseEventLoop::close() {
  if (is_running()) throw RuntimeError("Cannot close a running event loop");
  if (closed_) return;
  closed_ = true;
  clear_queues_();
  reap_pending_tasks_();
}

void BaseEventLoop::dropped_() noexcept {
  if (closed_ || running_ || dropping_ || uses_() != 0) return;
  // CPython: a task the program still holds keeps its loop alive. A handle on a task's own
  // stack does not count (that stack is part of the cycle the collector would free).
  for (TaskCore* t = all_tasks_head_; t; t = t->next_task_()) {
    if (!t->done() && t->loose_handles_() > 0) {
      drop_deferred_flag_ = true;
      return;
    }
  }
  drop_deferred_flag_ = false;
  dropping_ = true;
  incref_inner_();  // closing releases futures and tasks, and with them inner references
  try {
    warn_unclosed_();
    close();
  } catch (...) {
  }
  dropping_ = false;
  decref_inner_();
}

void BaseEventLoop::clear_queues_() noexcept {
  // Releasing a handle can release a future and a task; take the queues out first so that
  // nothing released here sees them half-emptied.
  detail::ReadyQueue ready;
  ready.swap(ready_);
  std::vector<ScheduledTimer> scheduled;
  scheduled.swap(scheduled_);
  timer_cancelled_count_ = 0;
  ready.for_each([](Handle* h) { h->decref_(); });
  for (const ScheduledTimer& entry : scheduled) {
    entry.handle->scheduled_flag_ = false;
    entry.handle->decref_();
  }
  std::vector<Handle*> threadsafe;
  {
    std::lock_guard lock(threadsafe_mutex_);
    threadsafe.swap(threadsafe_);
  }
  for (Handle* h : threadsafe) h->decref_();
}

void BaseEventLoop::reap_pending_tasks_() noexcept {
  // CPython's garbage collector frees tasks that wait on futures nobody will resolve; with
  // reference counting those are cycles (task -> its stack -> future -> callback -> task).
  // Closing the loop unwinds their fibers, which releases what their stacks held.
  std::vector<Ref<TaskCore>> pending;
  for (TaskCore* t = all_tasks_head_; t; t = t->next_task_()) pending.emplace_back(t);
  for (auto& t : pending) t->abandon_();
}

// ---------------------------------------------------------------- scheduling callbacks

HandleRef BaseEventLoop::call_soon(Callback callback, const char* name) {
  check_closed_();
  auto* h = new Handle(std::move(callback), this, name);
  h->incref_();  // the ready queue's reference
  ready_.push_back(h);
  tracer_.emit(*this, [&](Observer& o) { o.handle_scheduled(*this, *h, ScheduleHow::call_soon, nullptr, kNoDelay); });
  return HandleRef(h);
}

TimerHandleRef BaseEventLoop::call_later(double delay, Callback callback, const char* name) {
  TimerHandleRef t = call_at_(time() + delay, std::move(callback), name);
  tracer_.emit(*this, [&](Observer& o) { o.handle_scheduled(*this, *t, ScheduleHow::call_at, nullptr, delay); });
  return t;
}

TimerHandleRef BaseEventLoop::call_at(double when, Callback callback, const char* name) {
  TimerHandleRef t = call_at_(when, std::move(callback), name);
  tracer_.emit(*this, [&](Observer& o) { o.handle_scheduled(*this, *t, ScheduleHow::call_at, nullptr, kNoDelay); });
  return t;
}

TimerHandleRef BaseEventLoop::call_at_(double when, Callback callback, const char* name) {
  check_closed_();
  auto* t = new TimerHandle(when, std::move(callback), this, name);
  t->incref_();  // the heap's reference
  heap_push_(t);
  t->scheduled_flag_ = true;
  return TimerHandleRef(t);
}

double BaseEventLoop::time() const {
  if (virtual_clock_) [[unlikely]]
    return virtual_now_;
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

HandleRef BaseEventLoop::call_soon_threadsafe(Callback callback, const char* name) {
  check_closed_();
  if (get_running_loop_or_null() != this) foreign_thread_seen_.store(true, std::memory_order_release);  // [graph]
  auto* h = new Handle(std::move(callback), this, name);
  // The caller's HandleRef is released on its thread while the loop releases the queue's
  // reference on its own: this handle counts atomically, from before anyone else sees it.
  h->shared_refs_ = true;
  h->incref_();  // the queue's reference; the caller's HandleRef below is the second
  HandleRef result(h);
  {
    // The wake-up is written under the lock: the loop cannot take this handle (and maybe finish
    // and be destroyed) before this thread is done touching it.
    std::lock_guard lock(threadsafe_mutex_);
    threadsafe_.push_back(h);
    threadsafe_pending_.store(true, std::memory_order_release);
    write_to_self_();
  }
  return result;
}

void BaseEventLoop::call_soon_threadsafe_noref_(Callback callback, const char* name) {
  check_closed_();
  auto* h = new Handle(std::move(callback), this, name);
  h->incref_();  // the queue's reference, the only one
  {
    // The wake-up is written under the lock: the loop cannot take this handle (and maybe finish
    // and be destroyed) before this thread is done touching it.
    std::lock_guard lock(threadsafe_mutex_);
    threadsafe_.push_back(h);
    threadsafe_pending_.store(true, std::memory_order_release);
    write_to_self_();
  }
}

void BaseEventLoop::take_threadsafe_() {
  std::vector<Handle*> incoming;
  {
    std::lock_guard lock(threadsafe_mutex_);
    incoming.swap(threadsafe_);
    threadsafe_pending_.store(false, std::memory_order_relaxed);
  }
  for (Handle* h : incoming) {
    ready_.push_back(h);
    tracer_.emit(*this, [&](Observer& o) {
      o.handle_scheduled(*this, *h, ScheduleHow::call_soon_threadsafe, nullptr, kNoDelay);
    });
  }
}

void BaseEventLoop::timer_handle_cancelled_(TimerHandle& handle) noexcept {
  if (handle.scheduled_flag_) ++timer_cancelled_count_;
}

std::vector<double> BaseEventLoop::scheduled_whens() const {
  std::vector<double> out;
  out.reserve(scheduled_.size());
  for (const ScheduledTimer& entry : scheduled_) out.push_back(entry.when);
  return out;
}

// ---------------------------------------------------------------- the timer heap
// heapq's exact algorithms (Modules/_heapqmodule.c): equal deadlines come out in the order
// these sift steps leave them, which is not first-in first-out.

void BaseEventLoop::heap_push_(TimerHandle* handle) {
  scheduled_.push_back(ScheduledTimer{handle->when_, handle});
  sift_down_(0, scheduled_.size() - 1);
}

TimerHandle* BaseEventLoop::heap_pop_() {
  const ScheduledTimer last = scheduled_.back();
  scheduled_.pop_back();
  if (scheduled_.empty()) return last.handle;
  TimerHandle* head = scheduled_.front().handle;
  scheduled_.front() = last;
  sift_up_(0);
  return head;
}

void BaseEventLoop::heapify_() {
  for (std::size_t i = scheduled_.size() / 2; i-- > 0;) sift_up_(i);
}

void BaseEventLoop::sift_down_(std::size_t start, std::size_t pos) {
  const ScheduledTimer item = scheduled_[pos];
  while (pos > start) {
    const std::size_t parent = (pos - 1) >> 1;
    if (item.when < scheduled_[parent].when) {
      scheduled_[pos] = scheduled_[parent];
      pos = parent;
      continue;
    }
    break;
  }
  scheduled_[pos] = item;
}

void BaseEventLoop::sift_up_(std::size_t pos) {
  const std::size_t end = scheduled_.size();
  const std::size_t start = pos;
  const ScheduledTimer item = scheduled_[pos];
  std::size_t child = 2 * pos + 1;
  while (child < end) {
    const std::size_t right = child + 1;
    if (right < end && !(scheduled_[child].when < scheduled_[right].when)) child = right;
    scheduled_[pos] = scheduled_[child];
    pos = child;
    child = 2 * pos + 1;
  }
  scheduled_[pos] = item;
  sift_down_(start, pos);
}

// ---------------------------------------------------------------- the pass

// Step 2's wait (poll_, below), or none: a zero-timeout poll while only the self-pipe is
// registered and nothing was written to it is skipped (see poll_). Inline in the pass.
inline std::vector<selectors::ReadyEvent> BaseEventLoop::select_(std::optional<double> timeout, TimeoutReason reason) {
  if (builtin_selector_ && timeout && *timeout <= 0.0 && selector_->registered_count() <= quiet_registrations_ &&
      !selector_->is_closed() && !self_pipe_written_.load(std::memory_order_relaxed) &&
      !detail::signal_bytes_pending.load(std::memory_order_relaxed)) [[likely]] {
    ++polls_skipped_;
    return {};
  }
  return poll_(timeout, reason);
}

// run_once(): one pass of the loop, the four steps of BaseEventLoop._run_once in code order:
//   Step 1: drop cancelled timers.
//   Step 2: poll the selector and queue its events.
//   Step 3: move due timers to the ready queue.
//   Step 4: run what was ready.
// Step 4 runs only the handles that were in the ready queue when it began; whatever they
// queue (callbacks, done callbacks, task steps) waits for the next pass, after its select.
//
// Whether an observer is attached is asked once, as the pass begins: a traced pass reports each
// step (every report checks again, since an observer that throws is detached at once), an
// untraced one is the same code with the pass's reports compiled away. An observer attached
// during an untraced pass (by a callback) gets the reports made outside the pass (a call_soon's
// handle_scheduled, a task's step end) at once, and every report of the pass from the next one on.
void BaseEventLoop::run_once() {
  if (tracer_.on()) [[unlikely]] {
    run_pass_<true>();
  } else {
    run_pass_<false>();
  }
}

// One of the pass's reports: made in a traced pass, compiled away in an untraced one.
template <bool Traced, class F>
void BaseEventLoop::pass_hook_(F&& f) {
  if constexpr (Traced) tracer_.emit(*this, std::forward<F>(f));
}

template <bool Traced>
void BaseEventLoop::run_pass_() {
  const std::size_t pass = ++pass_count_;
  pass_hook_<Traced>([&](Observer& o) { o.pass_begin(*this, pass, time()); });

  // Step 1: drop cancelled timers (none to look at when the heap is empty: no call).
  if (!scheduled_.empty()) drop_cancelled_timers_();

  // Step 2: poll the selector and queue its events.
  if (threadsafe_pending_.load(std::memory_order_acquire)) take_threadsafe_();
  TimeoutReason reason;
  const std::optional<double> timeout = select_timeout_(reason);
  pass_hook_<Traced>([&](Observer& o) { o.select_begin(*this, selector_->kind(), timeout, reason); });
  if (!timeout && (tracer_.on() || debug_)) [[unlikely]] check_stuck_(pass);
  const std::vector<selectors::ReadyEvent> events = select_(timeout, reason);
  pass_hook_<Traced>([&](Observer& o) { o.select_end(*this, events.size()); });
  if (threadsafe_pending_.load(std::memory_order_acquire)) take_threadsafe_();
  if (!events.empty()) process_events_(events);

  // Step 3: move due timers to the ready queue.
  move_due_timers_();

  // Step 4: run what was ready.
  const std::size_t ran = run_ready_<Traced>();
  pass_hook_<Traced>([&](Observer& o) { o.pass_end(*this, pass, ran); });
}

// Step 1. Rebuild the heap when cancelled timers are more than half of more than 100;
// otherwise pop cancelled timers off the head only.
void BaseEventLoop::drop_cancelled_timers_() {
  const std::size_t n = scheduled_.size();
  if (n > MIN_SCHEDULED_TIMER_HANDLES &&
      static_cast<double>(timer_cancelled_count_) / static_cast<double>(n) >
          MIN_CANCELLED_TIMER_HANDLES_FRACTION) {
    std::vector<ScheduledTimer> live;
    live.reserve(n);
    for (const ScheduledTimer& entry : scheduled_) {
      TimerHandle* t = entry.handle;
      if (t->cancelled_) {
        t->scheduled_flag_ = false;
        tracer_.emit(*this, [&](Observer& o) { o.timer_dropped(*this, *t); });
        t->decref_();
      } else {
        live.push_back(entry);
      }
    }
    scheduled_.swap(live);
    heapify_();
    timer_cancelled_count_ = 0;
    tracer_.emit(*this, [&](Observer& o) { o.heap_rebuilt(*this, n, scheduled_.size()); });
    return;
  }
  while (!scheduled_.empty() && scheduled_.front().handle->cancelled_) {
    --timer_cancelled_count_;
    TimerHandle* t = heap_pop_();
    t->scheduled_flag_ = false;
    tracer_.emit(*this, [&](Observer& o) { o.timer_dropped(*this, *t); });
    t->decref_();
  }
}

// Step 2's timeout: 0 when something is ready or the loop is stopping; else until the head
// timer (never negative, at most MAXIMUM_SELECT_TIMEOUT); else block (nullopt).
std::optional<double> BaseEventLoop::select_timeout_(TimeoutReason& reason) const {
  if (!ready_.empty()) {
    reason = TimeoutReason::ready;
    return 0.0;
  }
  if (stopping_) {
    reason = TimeoutReason::stopping;
    return 0.0;
  }
  if (!scheduled_.empty()) {
    reason = TimeoutReason::timer;
    return std::min(std::max(0.0, scheduled_.front().when - time()), MAXIMUM_SELECT_TIMEOUT);
  }
  reason = TimeoutReason::none;
  return std::nullopt;
}

// Step 2's wait. On the virtual clock a wait for a timer becomes a poll, and if nothing is
// ready the clock jumps to the timer's deadline.
//
// A poll with timeout 0 when only the self-pipe is registered is skipped: it could only drain
// wake-up bytes meant for a select that blocks, and those stay in the pipe until the next wait
// (call_soon_threadsafe's handles are taken from their own queue either way). Once something was
// written (a wake-up, a signal number), the next zero-timeout poll runs, so the pipe is drained as
// often as CPython drains it. That saves the one system call of a pass with work ready; the trace
// still shows step 2 asking for 0 seconds and finding no events. Only the built-in selectors are
// skipped: a user's selector subclass records every call CPython makes. The test is select_'s,
// inline in the pass above, so a skipped poll makes no call.
std::vector<selectors::ReadyEvent> BaseEventLoop::poll_(std::optional<double> timeout, TimeoutReason reason) {
  self_pipe_written_.store(false, std::memory_order_relaxed);  // a write after this: the next pass polls
  if (!virtual_clock_) [[likely]]
    return selector_->select(timeout);
  std::vector<selectors::ReadyEvent> events = selector_->select(timeout ? std::optional<double>(0.0) : timeout);
  if (events.empty() && reason == TimeoutReason::timer)
    virtual_now_ = std::max(virtual_now_, std::min(scheduled_.front().when, virtual_now_ + MAXIMUM_SELECT_TIMEOUT));
  return events;
}

// Step 3. A timer is due when its deadline is before now plus the clock's resolution.
// Cancelled timers popped here are not uncounted (CPython's count drifts the same way).
void BaseEventLoop::move_due_timers_() {
  if (scheduled_.empty()) return;
  const double end_time = time() + clock_resolution_;
  while (!scheduled_.empty() && scheduled_.front().when < end_time) {
    TimerHandle* t = heap_pop_();
    t->scheduled_flag_ = false;
    tracer_.emit(*this, [&](Observer& o) { o.timer_ready(*this, *t, end_time - clock_resolution_); });
    ready_.push_back(t);  // the heap's reference moves to the ready queue
  }
}

// Step 4. Exactly the handles present now; a cancelled one is skipped but still counts.
// Returns how many were taken (pass_end's `ran`).
template <bool Traced>
std::size_t BaseEventLoop::run_ready_() {
  const std::size_t ran = ready_.size();
  for (std::size_t ntodo = ran; ntodo > 0; --ntodo) {
    Handle* h = ready_.front();
    ready_.pop_front();
    // Drained after a burst: its ring goes back before the last handle runs (asked once a pass).
    if (ntodo == 1) ready_.trim();
    HandleRef handle = HandleRef::adopt(h);
    if (h->cancelled_) {
      pass_hook_<Traced>([&](Observer& o) { o.callback_skipped(*this, *h); });
      continue;
    }
    pass_hook_<Traced>([&](Observer& o) { o.callback_begin(*this, *h); });
    if constexpr (Traced) {
      try {
        run_handle_(*h);
      } catch (...) {
        // KeyboardInterrupt or SystemExit (Handle::run_ lets only those through) leaves the pass,
        // as it leaves CPython's _run_once: the trace closes the callback and the pass first, so
        // the clean-up that follows is not credited to them.
        tracer_.emit(*this, [&](Observer& o) { o.callback_end(*this, *h); });
        tracer_.emit(*this, [&](Observer& o) { o.pass_end(*this, pass_count_, ran); });
        throw;
      }
    } else if (debug_) [[unlikely]] {
      run_handle_debug_(*h);
    } else if (h->task_step_()) {
      TaskCore::run_step_(*h);  // a task's step, in this frame: nothing left between it and a switch
    } else {
      h->run_();
    }
    pass_hook_<Traced>([&](Observer& o) { o.callback_end(*this, *h); });
  }
  return ran;
}

void BaseEventLoop::run_handle_(Handle& handle) {
  if (debug_) [[unlikely]] {
    run_handle_debug_(handle);
  } else {
    handle.run_();
  }
}

void BaseEventLoop::run_handle_debug_(Handle& handle) {
  const double t0 = time();
  handle.run_();
  const double dt = time() - t0;
  if (dt >= slow_callback_duration) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f", dt);
    TaskCore* task = handle.task_();
    LogRecord record;
    record.level = LogLevel::warning;
    record.msg = "Executing %s took %.3f seconds";
    record.args = {task ? task->repr() : handle.repr(), py_float_repr(dt)};
    record.message = "Executing " + record.args[0] + " took " + seconds + " seconds";
    log(record);
  }
}

std::atomic<bool> detail::signal_bytes_pending{false};

// ---------------------------------------------------------------- the ready queue

bool detail::ReadyQueue::first_ring_() noexcept {
  auto* slots = static_cast<Handle**>(std::malloc(kFirst * sizeof(Handle*)));
  if (!slots) return false;
  std::free(slots_);
  slots_ = slots;
  mask_ = kFirst - 1;
  head_ = tail_ = 0;
  return true;
}

void detail::ReadyQueue::grow_() {
  const std::size_t n = size();  // full: n slots, all in use
  const std::size_t capacity = 2 * n;
  Handle** slots;
  if ((head_ & mask_) == 0) {
    // In order from slot 0 (a burst of call_soon): realloc keeps them, moving none for a large
    // ring (glibc remaps its pages).
    slots = static_cast<Handle**>(std::realloc(slots_, capacity * sizeof(Handle*)));
    if (!slots) throw std::bad_alloc();
  } else {
    slots = static_cast<Handle**>(std::malloc(capacity * sizeof(Handle*)));
    if (!slots) throw std::bad_alloc();
    for (std::size_t i = 0; i < n; ++i) slots[i] = slots_[(head_ + i) & mask_];
    std::free(slots_);
  }
  slots_ = slots;
  mask_ = capacity - 1;
  head_ = 0;
  tail_ = n;
}

void detail::ReadyQueue::swap(ReadyQueue& other) noexcept {
  std::swap(slots_, other.slots_);
  std::swap(mask_, other.mask_);
  std::swap(head_, other.head_);
  std::swap(tail_, other.tail_);
}

// [graph] Stuck means provably stuck: no fd but the self-pipe, nothing written to it, no job on
// another thread, no signal handler of the program's, no other thread that knows this loop.
void BaseEventLoop::check_stuck_(std::size_t pass) {
  if (stuck_reported_ || selector_->registered_count() > quiet_registrations_ || has_signal_wakers_() ||
      outside_jobs_.load(std::memory_order_acquire) > 0 || foreign_thread_seen_.load(std::memory_order_acquire) ||
      threadsafe_pending_.load(std::memory_order_acquire) || self_pipe_written_.load(std::memory_order_acquire) ||
      detail::signal_bytes_pending.load(std::memory_order_acquire) || !all_tasks_head_)
    return;
  bool pending = false;
  for (TaskCore* t = all_tasks_head_; t && !pending; t = t->next_task_()) pending = !t->done();
  if (!pending) return;
  stuck_reported_ = true;
  const StuckReport report = make_stuck_report(*this, pass);
  tracer_.emit(*this, [&](Observer& o) { o.stuck(*this, report); });
  if (debug_) log(LogLevel::warning, report.text.substr(0, report.text.size() - 1));
}

// ---------------------------------------------------------------- error handlers

void BaseEventLoop::set_exception_handler(ExceptionHandler handler) { exception_handler_ = std::move(handler); }

void BaseEventLoop::default_exception_handler(const ExceptionContext& context) {
  std::ostringstream out;
  out << (context.message.empty() ? "Unhandled exception in event loop" : context.message);
  // One line per key, in sorted order as CPython prints them.
  std::vector<std::pair<std::string, std::string>> lines = context.extra;
  if (context.future) lines.emplace_back("future", context.future->repr());
  if (context.handle) lines.emplace_back("handle", context.handle->repr());
  if (context.task) lines.emplace_back("task", context.task->repr());
  std::sort(lines.begin(), lines.end());
  for (const auto& [key, value] : lines) out << "\n" << key << ": " << value;
  // The logger appends the traceback: C++ has no frames, so the exception chain's last lines.
  if (context.exception) out << "\n" << format_exception(context.exception);
  // BaseEventLoop.default_exception_handler: logger.error('\n'.join(log_lines), exc_info=...).
  LogRecord record;
  record.level = LogLevel::error;
  record.message = out.str();
  record.msg = record.message;
  record.exc_info = context.exception;
  log(record);
}

void BaseEventLoop::call_exception_handler(const ExceptionContext& context) {
  if (!exception_handler_) {
    try {
      default_exception_handler(context);
    } catch (...) {
      log(LogLevel::error, "Exception in default exception handler");
    }
    return;
  }
  try {
    exception_handler_(*this, context);
  } catch (...) {
    try {
      ExceptionContext nested;
      nested.message = "Unhandled error in exception handler";
      nested.exception = std::current_exception();
      nested.extra.emplace_back("context", "{'message': " + py_repr(context.message) + "}");
      default_exception_handler(nested);
    } catch (...) {
      log(LogLevel::error, "Exception in default exception handler while handling an unexpected error in custom exception handler");
    }
  }
}

}  // namespace asyncio
