// events.hpp: Handle and TimerHandle (a callback waiting to run), the AbstractEventLoop
// interface, and the functions that find the current loop.
// Mirrors Lib/asyncio/events.py (Handle, TimerHandle, AbstractEventLoop, get_running_loop,
// get_event_loop, set_event_loop, new_event_loop). Owns a callback's cancel flag and description.
// Course: docs/04-handles-and-timers.md
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "asyncio/arena.hpp"

#include "asyncio/callback.hpp"
#include "asyncio/ref.hpp"

namespace asyncio {

class BaseEventLoop;
class FutureCore;
class TaskCore;

// Callback (callback.hpp): in C++ a lambda's captures stand in for CPython's `*args`:
// call_soon(cb, a, b) can be written call_soon([=] { cb(a, b); }), and its repr names the lambda.

// named("bad_callback", bad_callback): a callable and the name a handle's repr gives it. Passed
// first to call_soon, call_later, call_at or call_soon_threadsafe, everything after it is the
// callback's arguments (CPython's *args), kept in the handle and printed with Python's repr:
// loop.call_soon(named("bad_callback", bad_callback), "k1") shows `bad_callback('k1')`. Without
// named(), call_soon(callback, "name") still takes a name and no arguments: a string after a
// plain callable is never an argument. The name must outlive the handle (a string literal).
template <class F>
struct Named {
  const char* name;
  F fn;
};
template <class F>
Named<std::decay_t<F>> named(const char* name, F&& fn) {
  return {name, std::forward<F>(fn)};
}

// Handle: one callback queued on a loop. Counted: the ready queue, the timer heap and whoever
// called call_soon may all hold it. run_() is what step 4 of a pass calls.
class Handle {
 public:
  Handle(Callback&& callback, BaseEventLoop* loop, const char* name = nullptr) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  // Cancelling drops the callback (and what it captured) at once; the handle stays queued and
  // is skipped when its turn comes.
  virtual void cancel();
  bool cancelled() const noexcept { return cancelled_; }
  // The callback as CPython's repr shows it: "tick()", "main()::{lambda()#1}()",
  // "Task.task_wakeup()". Still available after cancel().
  std::string description() const;
  // "<Handle tick()>", "<Handle cancelled>", "<TimerHandle when=12.5 tick()>". A handle
  // cancelled in debug mode keeps naming its callback ("<Handle cancelled tick()>").
  virtual std::string repr() const;
  BaseEventLoop* get_loop() const noexcept { return loop_; }

  // Runs the callback; an exception goes to the loop's exception handler (Handle._run).
  virtual void run_();
  // Only for task step handles (tasks.cpp): the task this handle steps, else nullptr.
  virtual TaskCore* task_() const noexcept { return nullptr; }

  // The count is plain, as the loop's thread alone touches it, except for a handle made by
  // call_soon_threadsafe: its caller's HandleRef lives on another thread, so that handle
  // counts atomically (one predictable branch for every other handle).
  void incref_() noexcept {
    if (shared_refs_) [[unlikely]] {
      std::atomic_ref<int>(refs_).fetch_add(1, std::memory_order_relaxed);
    } else {
      ++refs_;
    }
  }
  void decref_() noexcept {
    if (shared_refs_) [[unlikely]] {
      if (std::atomic_ref<int>(refs_).fetch_sub(1, std::memory_order_acq_rel) == 1) destroy_();
    } else if (--refs_ == 0) {
      destroy_();
    }
  }

  // Handles are made and freed once per callback: they come from the per-thread block arena
  // (arena.hpp), a free list per 16-byte size class, instead of a malloc/free pair each time.
  // A freed handle's block is the next one's, and a burst of handles alive at once (call_soon in a
  // loop, many timers) fills huge pages instead of paying malloc's header and a page fault every
  // fifty handles. Inline, as the arena's fast paths are.
  [[gnu::returns_nonnull, gnu::malloc]] static void* operator new(std::size_t size) {
    return detail::arena_allocate(size);
  }
  static void operator delete(void* p, std::size_t size) noexcept { detail::arena_free(p, size); }

 protected:
  virtual ~Handle() = default;
  // Step 4's error path, shared by every kind of handle (Handle._run's except clause): the
  // exception being handled goes to the loop's exception handler, naming this handle.
  void report_exception_(std::exception_ptr exception);
  // Called when the last reference goes. Task step handles live inside their task and
  // override this to release the task instead.
  virtual void destroy_() noexcept { delete this; }
  virtual std::string describe_callback_() const;
  // The arguments part of the description: "()", or the arguments call_soon(named(...), args...)
  // kept, "('k1', 2)"; a done callback shows its future.
  virtual std::string describe_args_() const;
  // Drops the callback and what it captured (Handle.cancel sets _callback and _args to None); a
  // repr that keeps naming the callback (debug mode) keeps the printed arguments.
  void drop_callback_() noexcept;

  Callback callback_;
  BaseEventLoop* loop_;
  const char* name_;                 // a string literal naming the callback, or nullptr
  // A task's step handle (TaskCore::StepHandle, which describes itself) has this name_: step 4
  // tells it from any other handle by it, and runs it inline in the pass's own frame
  // (TaskCore::run_step_), so that no frame is left between the pass and a fiber task's switch.
  // A name, not a flag: the flags fill their word, and a byte more would make a handle 96 bytes.
  static constexpr const char task_step_name_[] = "Task.__step";
  bool task_step_() const noexcept { return name_ == task_step_name_; }
  // For descriptions of unnamed callbacks once the callback is dropped (cancel); nullptr while
  // it is kept (callback_ itself knows its type): no indirect call per handle made.
  const std::type_info* callback_type_ = nullptr;
  // The count and the flags share one 8-byte word: a Handle is 80 bytes, a TimerHandle 96.
  alignas(std::atomic_ref<int>::required_alignment) int refs_ = 0;
  bool shared_refs_ = false;  // set before the handle is published to another thread
  bool cancelled_ = false;
  bool repr_keeps_callback_ = false;  // cancelled in debug mode: repr still names the callback
  bool running_ = false;  // inside run_(): a cancel from the callback itself defers the reset

  friend class BaseEventLoop;
};

using HandleRef = Ref<Handle>;

// TimerHandle: a Handle with a deadline on the loop's clock (loop.time()).
class TimerHandle final : public Handle {
 public:
  TimerHandle(double when, Callback&& callback, BaseEventLoop* loop, const char* name = nullptr) noexcept
      : Handle(std::move(callback), loop, name), when_(when) {}
  double when() const noexcept { return when_; }
  void cancel() override;
  std::string repr() const override;
  // True while the handle is in the loop's timer heap.
  bool scheduled_() const noexcept { return scheduled_flag_; }

 private:
  double when_;
  bool scheduled_flag_ = false;
  friend class BaseEventLoop;
};

using TimerHandleRef = Ref<TimerHandle>;

// The context passed to the exception handler; the optional fields are CPython's documented
// keys. `extra` holds other keys (transport, protocol, ...) already formatted as repr strings.
struct ExceptionContext {
  std::string message;
  std::exception_ptr exception;
  HandleRef handle;
  Ref<FutureCore> future;
  Ref<TaskCore> task;
  std::vector<std::pair<std::string, std::string>> extra;

  ExceptionContext();
  ExceptionContext(const ExceptionContext&);
  ExceptionContext(ExceptionContext&&) noexcept;
  ExceptionContext& operator=(const ExceptionContext&);
  ExceptionContext& operator=(ExceptionContext&&) noexcept;
  ~ExceptionContext();
};

using ExceptionHandler = std::function<void(BaseEventLoop&, const ExceptionContext&)>;

// AbstractEventLoop: the interface every loop implements, grouped as CPython groups it.
// BaseEventLoop is the one implementation; its overrides are final, so code that holds a
// BaseEventLoop calls them without a virtual dispatch.
class AbstractEventLoop {
 public:
  virtual ~AbstractEventLoop() = default;

  // Running and stopping the event loop.
  virtual void run_forever() = 0;
  virtual void stop() = 0;
  virtual bool is_running() const = 0;
  virtual bool is_closed() const = 0;
  virtual void close() = 0;

  // Methods scheduling callbacks. All these return Handles.
  virtual HandleRef call_soon(Callback callback, const char* name = nullptr) = 0;
  virtual TimerHandleRef call_later(double delay, Callback callback, const char* name = nullptr) = 0;
  virtual TimerHandleRef call_at(double when, Callback callback, const char* name = nullptr) = 0;
  virtual double time() const = 0;
  virtual HandleRef call_soon_threadsafe(Callback callback, const char* name = nullptr) = 0;

  // Ready-based callback registration methods.
  virtual void add_reader(int fd, Callback callback, const char* name = nullptr) = 0;
  virtual bool remove_reader(int fd) = 0;
  virtual void add_writer(int fd, Callback callback, const char* name = nullptr) = 0;
  virtual bool remove_writer(int fd) = 0;

  // Error handlers.
  virtual void set_exception_handler(ExceptionHandler handler) = 0;
  virtual const ExceptionHandler& get_exception_handler() const = 0;
  virtual void default_exception_handler(const ExceptionContext& context) = 0;
  virtual void call_exception_handler(const ExceptionContext& context) = 0;

  // Debug flag management.
  virtual bool get_debug() const = 0;
  virtual void set_debug(bool enabled) = 0;
};

// The loop running in this thread. RuntimeError("no running event loop") if there is none.
BaseEventLoop& get_running_loop();
// nullptr instead of raising (CPython's _get_running_loop).
BaseEventLoop* get_running_loop_or_null() noexcept;
// The running loop, else this thread's current loop (created on first use in the main thread,
// as CPython 3.11 does with a DeprecationWarning it does not print when nothing is running).
BaseEventLoop& get_event_loop();
void set_event_loop(Ref<BaseEventLoop> loop);
// A new loop on the default selector (epoll).
Ref<BaseEventLoop> new_event_loop();
// Internal: set by run_forever (events._set_running_loop).
void set_running_loop_(BaseEventLoop* loop) noexcept;

}  // namespace asyncio
