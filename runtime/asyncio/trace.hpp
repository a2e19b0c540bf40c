// trace.hpp: the observer the loop reports to at each step of a pass, so a tool can show it.
// A C++-only idea, after Trio's Instrument (trio/_abc.py): a no-op method per event, called at
// fixed points of BaseEventLoop::run_once() and of a task's step. Owns the observer interface,
// the facade the loop calls and the writers ASYNCIO_TRACE picks (text, JSON Lines).
// Course: docs/03-the-loop.md, docs/trace.md
#pragma once

#include <cstddef>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <vector>
#include <version>
#if defined(__cpp_lib_source_location)
#include <source_location>
#endif

#include "asyncio/graph.hpp"  // detail::CallLabel

namespace asyncio {

class BaseEventLoop;
class Handle;
class TimerHandle;
class FutureCore;
class TaskCore;
struct StuckReport;

// Why step 2 asked the selector for the timeout it did (select_timeout_()).
enum class TimeoutReason {
  ready,     // the ready queue is not empty: poll (timeout 0)
  stopping,  // stop() was called: poll (timeout 0)
  timer,     // until the next timer's deadline (capped at MAXIMUM_SELECT_TIMEOUT)
  none,      // nothing scheduled: block until I/O
};
const char* to_string(TimeoutReason reason) noexcept;

// What a task's step ended with (TaskCore::step_).
enum class StepOutcome {
  awaited,    // suspended on a pending future (see `awaited`)
  yielded,    // a bare yield (sleep(0)): the next step is already queued
  returned,   // the body returned: the task is done with a result
  raised,     // the body raised: the task is done with an exception
  cancelled,  // the body let CancelledError out: the task is cancelled
};
const char* to_string(StepOutcome outcome) noexcept;

// ---- Issue 12 part 1: causes (docs/trace-format.md, "Version 2").

// Where a task suspended: the caller of await(), sleep() and the other suspending calls, taken
// from a defaulted last argument `source_location where = source_location::current()`. One
// pointer on GCC (std::source_location); Clang 14 has no std::source_location, so there it is
// built from __builtin_FILE()/__builtin_LINE(). The file is relative to the project's root
// (the build maps the source directory away with -fmacro-prefix-map).
class source_location {
 public:
#if defined(__cpp_lib_source_location)
  static constexpr source_location current(std::source_location here = std::source_location::current()) noexcept {
    source_location l;
    l.here_ = here;
    return l;
  }
  // Default-constructed: "" and 0 (unknown).
  constexpr const char* file_name() const noexcept { return here_.file_name(); }
  constexpr unsigned line() const noexcept { return here_.line(); }

 private:
  std::source_location here_{};
#else
  static constexpr source_location current(const char* file = __builtin_FILE(), unsigned line = __builtin_LINE()) noexcept {
    source_location l;
    l.file_ = file;
    l.line_ = line;
    return l;
  }
  constexpr const char* file_name() const noexcept { return file_ ? file_ : ""; }
  constexpr unsigned line() const noexcept { return line_; }

 private:
  const char* file_ = nullptr;
  unsigned line_ = 0;
#endif
};

namespace detail {
// Whether `file` lies in a directory named `asyncio`: the runtime's own sources and headers
// (runtime/asyncio/ in this tree, include/asyncio/ once installed). A coroutine's co_await there
// (an `_async` form's inner wait) is not where the program waits: the program's own co_await that
// entered the runtime is (coroutines.hpp, await_transform). Evaluated by the compiler for each
// co_await (coroutines.hpp's CoAwaitSite is consteval).
constexpr bool in_runtime_file(const char* file) noexcept {
  const char* dir = file;  // the start of the last directory name
  const char* slash = nullptr;
  for (const char* p = file; *p; ++p)
    if (*p == '/') {
      if (slash) dir = slash + 1;
      slash = p;
    }
  if (!slash) return false;
  constexpr char name[] = "asyncio";
  for (std::size_t i = 0; i < sizeof name - 1; ++i)
    if (dir + i == slash || dir[i] != name[i]) return false;
  return dir + sizeof name - 1 == slash;
}
}  // namespace detail

// How a handle entered the ready queue or the timer heap (the `how` of a `scheduled` line).
enum class ScheduleHow {
  call_soon,
  call_at,               // also call_later (the delay is passed too)
  call_soon_threadsafe,  // reported when the loop takes the handle in, on its own thread
  done_callback,         // a future or task completed (`of`) and queued one of its callbacks
  task_step,             // a task's first step, the next after a bare yield, a throw-in
  signal,                // add_signal_handler's callback
};
const char* to_string(ScheduleHow how) noexcept;
// handle_scheduled's `delay` when the handle came without one (all but call_later). Not a
// negative number: call_later(-1) is a real delay, and its trace line says so, as CPython's does.
inline constexpr double kNoDelay = std::numeric_limits<double>::quiet_NaN();

// Observer: override what you need. Calls happen on the loop's thread, in the order the loop
// does the work. An observer that throws is detached (and reported once through the loop's
// exception handler); the program goes on.
class Observer {
 public:
  virtual ~Observer() = default;

  // A pass begins: its index (1, 2, ...) and the loop's clock.
  virtual void pass_begin(BaseEventLoop&, std::size_t /*index*/, double /*now*/) {}
  // Step 1: a cancelled timer dropped from the heap's head; or the whole heap rebuilt.
  virtual void timer_dropped(BaseEventLoop&, const TimerHandle&) {}
  virtual void heap_rebuilt(BaseEventLoop&, std::size_t /*before*/, std::size_t /*after*/) {}
  // Step 2: the selector is asked to wait (timeout nullopt = block), then returns.
  virtual void select_begin(BaseEventLoop&, const char* /*selector_kind*/,
                            std::optional<double> /*timeout*/, TimeoutReason) {}
  virtual void select_end(BaseEventLoop&, std::size_t /*nevents*/) {}
  // Step 2: one ready fd queued a handle (mask is EVENT_READ or EVENT_WRITE).
  virtual void io_event(BaseEventLoop&, int /*fd*/, int /*mask*/, const Handle&) {}
  // Step 3: a due timer moved to the ready queue.
  virtual void timer_ready(BaseEventLoop&, const TimerHandle&, double /*now*/) {}
  // Step 4: a callback is about to run / has run (cancelled handles are skipped silently:
  // callback_skipped reports them).
  virtual void callback_begin(BaseEventLoop&, const Handle&) {}
  virtual void callback_end(BaseEventLoop&, const Handle&) {}
  virtual void callback_skipped(BaseEventLoop&, const Handle&) {}
  // The pass is over: how many callbacks step 4 ran.
  virtual void pass_end(BaseEventLoop&, std::size_t /*index*/, std::size_t /*ran*/) {}

  // Task life: created (its first step queued), a step ended (what it did; `awaited` is the
  // future it now waits on, for StepOutcome::awaited), done (finished, raised or cancelled).
  virtual void task_created(BaseEventLoop&, const TaskCore&) {}
  virtual void task_step_end(BaseEventLoop&, const TaskCore&, StepOutcome, const FutureCore* /*awaited*/) {}
  virtual void task_done(BaseEventLoop&, const TaskCore&) {}
  // set_name() gave the task a new name (asyncio::create_task with a name does this at once).
  virtual void task_renamed(BaseEventLoop&, const TaskCore&) {}
  // A future (not a task) got its result, exception or cancellation.
  virtual void future_done(BaseEventLoop&, const FutureCore&) {}
  // asyncio::sleep(delay > 0) is about to await its timer's future: says what the task's next
  // task_step_end(awaited) waits for.
  virtual void sleep_called(BaseEventLoop&, const TaskCore&, double /*delay*/) {}
  // The loop is being destroyed: forget anything keyed by its address (a later loop may get it).
  virtual void loop_destroyed(BaseEventLoop&) {}

  // [graph] Who waits on what (graph.hpp). A combinator made a future that awaits `children`
  // (`what`: "gather", "wait", "shield", "wait_for", "TaskGroup"; a TaskGroup's future is its
  // parent task).
  virtual void future_created(BaseEventLoop&, const FutureCore&, const char* /*what*/,
                              const std::vector<FutureCore*>& /*children*/) {}
  // Step 2 was about to block for ever (BaseEventLoop::check_stuck_): nothing can wake the loop
  // and tasks are pending. An observer may end the program here (asyncio-trace does).
  virtual void stuck(BaseEventLoop&, const StuckReport&) {}
  // ---- Issue 12 part 1: causes. Who did what is the callback running at that moment (the
  // observer tracks callback_begin/end itself) or the loop; nothing is stored on the handle.
  // A handle entered the ready queue or the timer heap. `of`: for done_callback, the future or
  // task whose completion queued it. `delay`: for call_later, the delay asked for (else kNoDelay, a NaN).
  virtual void handle_scheduled(BaseEventLoop&, const Handle&, ScheduleHow, const FutureCore* /*of*/,
                                double /*delay*/) {}
  // Handle.cancel() / TimerHandle.cancel() (the first time only).
  virtual void handle_cancelled(BaseEventLoop&, const Handle&) {}
  // A callback raised; the exception goes to the loop's exception handler right after this
  // (custom_handler: one set with set_exception_handler, else the default).
  virtual void callback_raised(BaseEventLoop&, const Handle&, const std::exception_ptr&, bool /*custom_handler*/) {}
  // Task.cancel() was called on a task that is not done (by whom: the running callback).
  virtual void task_cancel_requested(BaseEventLoop&, const TaskCore&) {}
};

// Tracer: what the loop calls. With no observer each call is one predictable branch; the
// observer's work and its exception handling stay out of line.
class Tracer {
 public:
  Observer* observer() const noexcept { return observer_; }
  void attach(Observer* observer) noexcept { observer_ = observer; }
  bool on() const noexcept {
#ifdef ASYNCIO_NO_TRACE_HOOKS
    return false;
#else
    return observer_ != nullptr;
#endif
  }

  // Call `f(observer)` if an observer is attached; detach it if it throws. The test is always
  // inline (GCC declined to inline the whole, try block and all, into a task's step: a call per
  // step with tracing off); the call with its handler is not.
  template <class F>
  [[gnu::always_inline]] void emit(BaseEventLoop& loop, F&& f) {
    if (on()) [[unlikely]] emit_now_(loop, std::forward<F>(f));
  }

 private:
  template <class F>
  [[gnu::noinline]] void emit_now_(BaseEventLoop& loop, F&& f) {
    try {
      f(*observer_);
    } catch (...) {
      observer_failed_(loop, std::current_exception());
    }
  }
  void observer_failed_(BaseEventLoop& loop, std::exception_ptr e);
  Observer* observer_ = nullptr;
};

// The JSON Lines event stream (docs/trace-format.md), written to a file descriptor with
// write(2): buffered within a pass, flushed at each pass end, on exit and on std::terminate,
// so a program killed mid-run leaves a trace complete up to its last pass.
class JsonlWriter final : public Observer {
 public:
  static constexpr int FORMAT_VERSION = 2;
  // [graph] The exit status of a program the writer ended because it was stuck (docs/trace.md).
  static constexpr int STUCK_EXIT_STATUS = 4;
  // Writes the header line at once. `step_fd` >= 0: after each step of a pass, wait for one
  // byte from it ('n' go on, 'c' stop pausing, 'q' end the program; see asyncio-trace --step).
  explicit JsonlWriter(int fd, bool close_fd = false, int step_fd = -1);
  ~JsonlWriter() override;
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;
  // Writes what is buffered; `end` also writes the last line, {"e":"end","why":...}.
  void flush() noexcept;
  void end(const char* why) noexcept;
  // From now on the program's stdout (fd 1) goes into the stream as "output" events, each placed
  // where it was printed (after the callback that printed it), so a reader can show a program's
  // lines inside the pass that printed them. end() puts fd 1 back. ASYNCIO_TRACE_OUTPUT=capture
  // turns it on for the writer made from ASYNCIO_TRACE (asyncio-trace sets it). False if it could
  // not start (the error is on stderr and stdout is left alone).
  bool capture_stdout() noexcept;

  void pass_begin(BaseEventLoop&, std::size_t index, double now) override;
  void timer_dropped(BaseEventLoop&, const TimerHandle&) override;
  void heap_rebuilt(BaseEventLoop&, std::size_t before, std::size_t after) override;
  void select_begin(BaseEventLoop&, const char* kind, std::optional<double> timeout, TimeoutReason) override;
  void select_end(BaseEventLoop&, std::size_t nevents) override;
  void io_event(BaseEventLoop&, int fd, int mask, const Handle&) override;
  void timer_ready(BaseEventLoop&, const TimerHandle&, double now) override;
  void callback_begin(BaseEventLoop&, const Handle&) override;
  void callback_end(BaseEventLoop&, const Handle&) override;
  void callback_skipped(BaseEventLoop&, const Handle&) override;
  void pass_end(BaseEventLoop&, std::size_t index, std::size_t ran) override;
  void task_created(BaseEventLoop&, const TaskCore&) override;
  void task_step_end(BaseEventLoop&, const TaskCore&, StepOutcome, const FutureCore* awaited) override;
  void task_done(BaseEventLoop&, const TaskCore&) override;
  void task_renamed(BaseEventLoop&, const TaskCore&) override;
  void future_done(BaseEventLoop&, const FutureCore&) override;
  void sleep_called(BaseEventLoop&, const TaskCore&, double delay) override;
  void loop_destroyed(BaseEventLoop&) override;
  // [graph]
  void future_created(BaseEventLoop&, const FutureCore&, const char* what,
                      const std::vector<FutureCore*>& children) override;
  void stuck(BaseEventLoop&, const StuckReport&) override;
  void handle_scheduled(BaseEventLoop&, const Handle&, ScheduleHow, const FutureCore* of, double delay) override;
  void handle_cancelled(BaseEventLoop&, const Handle&) override;
  void callback_raised(BaseEventLoop&, const Handle&, const std::exception_ptr&, bool custom_handler) override;
  void task_cancel_requested(BaseEventLoop&, const TaskCore&) override;
  // Like capture_stdout(), for stderr (fd 2): "output" events with "fd":2, and every byte is
  // still copied to where fd 2 pointed before, so the terminal sees it too.
  bool capture_stderr() noexcept;

 private:
  struct State;
  State* state_;  // the ids given to loops, tasks and futures; kept out of this header
};

namespace detail {
// A scope around a public suspending call of a lock, queue or stream: while it lasts, the running
// task's call_label() is `label` (unless an outer call set it: the outermost call is the one the
// program made; Barrier.wait() waits in a Condition's). The await tree, the task table and the
// trace name what the task awaits by it ("Queue.get()"). With tracing on or off the same work:
// a few loads and stores on entry, a test and a store on exit (docs/performance.md, "Labels").
class TracedCall {
 public:
  // The running loop's current task; or `loop`'s (nullptr: none), saving the look-up of the
  // running loop where the caller has its loop at hand. An empty label does nothing.
  explicit TracedCall(CallLabel label);  // inline, at the end of tasks.hpp
  TracedCall(BaseEventLoop* loop, CallLabel label);
  ~TracedCall();                         // inline, there too
  TracedCall(const TracedCall&) = delete;
  TracedCall& operator=(const TracedCall&) = delete;

 private:
  TaskCore* task_ = nullptr;  // the task whose label this scope set
};
}  // namespace detail

// Attaches the observer named by the environment, if any (ASYNCIO_TRACE; see docs/trace.md):
// "passes" (text on stderr), "jsonl:PATH" or "jsonl:fd:N" (the event stream).
// Called by every new loop; returns nullptr when tracing is off.
Observer* observer_from_environment();

}  // namespace asyncio
