// asyncgen.hpp: async generators: a body that yields values and may await between them.
// Mirrors Objects/genobject.c (async_generator: anext, aclose, the "already running" and
// "ignored GeneratorExit" checks) and base_events.py (_asyncgen_firstiter_hook,
// _asyncgen_finalizer_hook, shutdown_asyncgens). Owns a generator's fiber and its hand-overs.
// Course: docs/06-tasks-on-fibers.md
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "asyncio/base_events.hpp"
#include "asyncio/exceptions.hpp"
#include "asyncio/fibers.hpp"
#include "asyncio/ref.hpp"

namespace asyncio {

class FutureCore;

// The non-template part of every AsyncGenerator<T>: the body runs on its own fiber, resumed
// directly by whoever calls anext() or aclose() (no loop pass, as a Python async generator runs
// inside the awaiting task's step). When the body awaits a pending future, its fiber hands the
// future to that caller, which awaits it on its own fiber (suspending its task) and then resumes
// the body, throwing in whatever the await raised (a cancellation reaches the body at its await).
class AsyncGeneratorCore {
 public:
  AsyncGeneratorCore(const AsyncGeneratorCore&) = delete;
  AsyncGeneratorCore& operator=(const AsyncGeneratorCore&) = delete;

  // agen.aclose(): throws GeneratorExit in at the yield where the body waits, and returns once
  // the body has finished (its destructors and catch blocks have run). Nothing to do for a
  // generator never started or already finished.
  void aclose();
  // "<async_generator object NAME>": C++ has no address-free Python repr to copy.
  std::string repr() const;
  bool finished() const noexcept { return state_ == State::finished; }
  // True while the body runs (agen.ag_running).
  bool running() const noexcept { return state_ == State::running; }

  void incref_() noexcept { ++refs_; }
  void decref_() noexcept {
    if (--refs_ == 0) destroy_();
  }

  // Inside the body's fiber (internal): the body awaits `future` (nullptr: one bare yield) at
  // `where`, the body's line, which the driver's own await passes on to the trace.
  void await_from_body_(FutureCore* future, source_location where);
  // The generator whose body runs on this thread now, or nullptr (internal, for tasks.cpp).
  static AsyncGeneratorCore* running_() noexcept;
  // The task that drives the running generator (through any nesting of generators).
  class TaskCore* driver_task_() const noexcept { return driver_; }

 protected:
  explicit AsyncGeneratorCore(const char* name) noexcept : name_(name) {}
  virtual ~AsyncGeneratorCore();

  // anext()'s untyped part: runs the body to its next yield. False once the body has finished
  // (StopAsyncIteration for the caller); the body's exception propagates.
  bool advance_();
  // Inside the body's fiber: hand the value over (already stored) and wait for the next anext.
  void yield_from_body_();
  virtual void run_body_() = 0;

 private:
  enum class State { created, suspended, running, finished };
  enum class Request { none, yielded, awaiting };
  // Resume the body until it yields or finishes, serving its awaits; `throw_in` is raised at
  // the point where it waits. Returns true if it yielded.
  bool drive_(std::exception_ptr throw_in);
  void resume_fiber_();
  void first_iteration_();
  void destroy_() noexcept;
  static void entry_(void* self);

  const char* name_;
  fibers::Fiber fiber_;
  State state_ = State::created;
  Request request_ = Request::none;
  FutureCore* awaiting_ = nullptr;
  source_location awaiting_where_;
  std::exception_ptr throw_in_;
  class TaskCore* driver_ = nullptr;
  InnerRef<BaseEventLoop> loop_;         // set at the first iteration (the firstiter hook)
  int refs_ = 0;
  bool closing_ = false;

  friend void shutdown_asyncgens(BaseEventLoop& loop);
  friend struct AsyncGeneratorRegistry;
};

// AsyncGenerator<T>: a handle to one async generator. The body is called as body(yield) on the
// generator's own fiber; yield(value) hands value to anext() and waits for the next call. The
// body may await (await, sleep, wait_for, ...) anywhere, as an async generator's body may.
//   AsyncGenerator<int> ticks([](auto& yield) { for (int i = 0; i < 3; ++i) { sleep(0.1); yield(i); } });
template <class T>
class AsyncGenerator {
  struct Core;

 public:
  class Yield {
   public:
    explicit Yield(Core* gen) noexcept : gen_(gen) {}
    void operator()(T value) {
      gen_->value_.emplace(std::move(value));
      gen_->yield_from_body_();
    }

   private:
    Core* gen_;
  };

  template <class F>
    requires std::is_invocable_v<F&, Yield&>
  explicit AsyncGenerator(F body, const char* name = "async_generator")
      : core_(new Impl<F>(std::move(body), name)) {}

  // anext(agen): the next value; StopAsyncIteration once the body has returned.
  T anext() {
    if (!core_->advance_()) throw StopAsyncIteration();
    T value = std::move(*core_->value_);
    core_->value_.reset();
    return value;
  }
  void aclose() { core_->aclose(); }
  std::string repr() const { return core_->repr(); }
  AsyncGeneratorCore& core() const noexcept { return *core_; }

 private:
  struct Core : AsyncGeneratorCore {
    using AsyncGeneratorCore::AsyncGeneratorCore;
    using AsyncGeneratorCore::advance_;
    using AsyncGeneratorCore::yield_from_body_;
    std::optional<T> value_;
  };
  template <class F>
  struct Impl final : Core {
    Impl(F body, const char* name) : Core(name), body_(std::move(body)) {}
    void run_body_() override {
      Yield yield(this);
      body_(yield);
    }
    F body_;
  };
  Ref<Core> core_;
};

// `async for value in agen: fn(value)`: anext until StopAsyncIteration.
template <class T, class F>
void async_for(AsyncGenerator<T>& gen, F&& fn) {
  for (;;) {
    std::optional<T> value;
    try {
      value.emplace(gen.anext());
    } catch (const StopAsyncIteration&) {
      return;
    }
    fn(std::move(*value));
  }
}

// loop.shutdown_asyncgens(): closes every generator first iterated on this loop and not yet
// finished, each aclose() in its own task as CPython's gather of aclose() coroutines does, and
// reports any Exception through the exception handler ("an error occurred during closing of
// asynchronous generator ..."). Call it inside a task; asyncio::run and Runner::close do.
void shutdown_asyncgens(BaseEventLoop& loop);

}  // namespace asyncio
