// coroutines.hpp: stackless tasks. asyncio::Coro<T> is a C++20 coroutine whose body uses
// co_await and co_return, the mirror of `async def`; create_task(coro) runs one as a Task<T> on
// the same loop as fiber tasks; co_await takes a Future<T>, a Task<T>, another Coro<U> or an
// `_async` form of a suspending call (sleep_async, Lock::acquire_async, Queue::get_async, ...).
// Mirrors Objects/genobject.c (coroutine objects: nothing runs until sent to, throw() into an
// unstarted one never runs its body, "coroutine '...' was never awaited", "cannot reuse already
// awaited coroutine") and the coroutine side of Lib/asyncio/tasks.py (Task.__step, sleep).
// Owns a coroutine task's step (a resume instead of a fiber switch) and the awaiters; TaskCore
// (tasks.hpp) keeps every other rule, so a coroutine task is the same Task<T> to everyone else.
// Course: docs/06-tasks-on-fibers.md ("Stackless tasks: coroutines")
//
// The name: Coro<T> says what it is, a coroutine object, and nothing more (Python's `coroutine`,
// cppcoro's task<T> and Asio's awaitable<T> are the same thing); "Task" is already the scheduled
// future, as in asyncio, and a Coro<T> becomes a Task<T> only through create_task.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "asyncio/arena.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

template <class T = void>
class Coro;

namespace detail {

template <class T>
struct is_coro<Coro<T>> : std::true_type {};

// The coroutine task whose step runs on this thread now: declared in futures.hpp.

// [reach] The frame the promise being constructed lives in (CoroPromiseBase's operator new
// records it, its constructor reads it).
extern thread_local constinit void* new_frame_;
extern thread_local constinit std::size_t new_frame_size_;

// A coroutine function's name (explicit: no argument of the coroutine's own converts to it).
struct FunctionName {
  explicit FunctionName(const char* n) noexcept : name(n) {}
  const char* name;
};

// The awaiters a coroutine body may co_await as they are (the _async forms use them).
struct AwaiterBase {};

// A co_await that suspends: the running coroutine task (RuntimeError outside one) records the
// future (nullptr: a bare yield), where, and the coroutine to resume at its next step. Inline
// (defined after CoroTaskCore): every co_await that suspends.
[[gnu::always_inline]] inline TaskCore& coro_suspend_(std::coroutine_handle<> h, FutureCore* future,
                                                     source_location where);
[[noreturn]] void no_coro_task_error_();
// The program co_awaits a coroutine object at `where` (nothing at a co_await of the runtime's).
inline void coro_entered_(source_location where) noexcept {
  if (TaskCore* task = running_coro.task; task && where.line()) task->coro_entered_(where);
}
// The co_await resumes: what the step throws in (CancelledError, the future's exception) is
// raised here, as suspend_ does for a fiber. Inline, so the throw starts in the coroutine's own
// frame, whose handler (unhandled_exception) or catch takes it: no frame and no landing pad of
// an awaiter's function for the unwinder to pass (issue 17).
[[noreturn]] void not_awaited_error_();
[[gnu::always_inline]] inline void coro_resumed_(TaskCore* task, FutureCore* future) {
  if (!task) return;
  if (task->has_throw_in_()) std::rethrow_exception(task->take_throw_in_());
  if (future && !future->done()) not_awaited_error_();
}
// "coroutine 'fetch' was never awaited", a RuntimeWarning (warnings.hpp).
void warn_never_awaited_(const char* function_name) noexcept;

// co_await future: no suspension when it is done (the same rule as asyncio::await).
template <class T>
struct FutureAwaiter : AwaiterBase {
  Future<T> future;
  source_location where;
  TaskCore* task = nullptr;
  bool await_ready() const noexcept { return future.done(); }
  void await_suspend(std::coroutine_handle<> h) { task = &coro_suspend_(h, &future.core(), where); }
  T await_resume() {
    coro_resumed_(task, &future.core());
    return future.result();
  }
};

// sleep_async(0): a bare yield, one pass, no future.
struct YieldAwaiter : AwaiterBase {
  source_location where;
  TaskCore* task = nullptr;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { task = &coro_suspend_(h, nullptr, where); }
  void await_resume() { coro_resumed_(task, nullptr); }
};

template <class T>
struct CoroAwaiter;
template <class T>
struct OwnedCoroAwaiter;
// The next result of as_completed (`co_await item`).
template <class T>
Coro<T> as_completed_next_async_(std::shared_ptr<AsCompletedState> state);

// Where a co_await is: its own line, or no line for a co_await in the runtime's own files (see
// await_transform). consteval, so the test of the file name is made by the compiler for every
// co_await, whether or not the optimiser inlines (it did not, for a co_await of a Future: ~220
// instructions a co_await scanning the file name).
struct CoAwaitSite {
  // Converting, from the co_await's source_location::current() (await_transform's default
  // argument): a default of this constructor's own would name the line of that default instead.
  consteval CoAwaitSite(source_location w) noexcept : where(in_runtime_file(w.file_name()) ? source_location{} : w) {}
  source_location where;
};

// What every coroutine frame shares: the arena allocation, lazy start, the parent to return to.
struct CoroPromiseBase {
  // Frames come from the block arena (arena.hpp), as futures and tasks do; a frame over 1 KiB
  // goes to the heap.
  static void* operator new(std::size_t size) {
    void* p = arena_allocate(size);
    new_frame_ = p;
    new_frame_size_ = size;
    return p;
  }
  static void operator delete(void* p, std::size_t size) noexcept { arena_free(p, size); }

  // [reach] The frame's size, when this promise is in the frame operator new just made (0:
  // unknown, or over 64 KiB): a task's outermost frame then tells its own handles from others.
  CoroPromiseBase() noexcept {
    const auto self = reinterpret_cast<std::uintptr_t>(this);
    const auto start = reinterpret_cast<std::uintptr_t>(new_frame_);
    if (start && self >= start && self < start + new_frame_size_ && new_frame_size_ <= 0xffff)
      frame_size_ = static_cast<std::uint16_t>(new_frame_size_);
    new_frame_ = nullptr;
  }

  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      if (std::coroutine_handle<> parent = h.promise().continuation_) return parent;
      return std::noop_coroutine();  // a task's outermost coroutine: back to its step
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  // What a body may co_await: a future or task, a coroutine object, an asyncio awaiter. `where`
  // is the co_await's own line (traces show it as where the task waits). A co_await in the
  // runtime's own code passes no line, so a task waiting inside an `_async` form shows the line of
  // the program's co_await of it (noted when the program co_awaits a coroutine object), as a
  // fiber task shows the caller's line of the fiber form.
  // An asyncio awaiter is used in place (a reference to the co_await's operand, which lives as
  // long as the co_await), so a frame holds one copy of it, not two.
  template <class A>
  [[gnu::always_inline]] decltype(auto) await_transform(A&& aw, CoAwaitSite site = source_location::current()) {
    using D = std::decay_t<A>;
    source_location where = site.where;
    if constexpr (std::is_base_of_v<AwaiterBase, D>) {
      if constexpr (requires { D::takes_where_; }) aw.where = where;
      return static_cast<std::remove_reference_t<A>&>(aw);  // an lvalue: GCC copies an xvalue awaiter
    } else if constexpr (is_coro<D>::value) {
      coro_entered_(where);
      return CoroAwaiter<typename D::value_type>(aw.operator_co_await_());
    } else if constexpr (requires { typename D::as_completed_item_tag; }) {
      using T = typename D::as_completed_item_tag;
      coro_entered_(where);
      return OwnedCoroAwaiter<T>(as_completed_next_async_<T>(aw.state_ref_()));
    } else if constexpr (FutureLike<D>) {
      return FutureAwaiter<typename D::value_type>{{}, Future<typename D::value_type>(aw.core_ref()), where};
    } else {
      static_assert(is_coro<D>::value,
                    "co_await in an asyncio coroutine takes a Future, a Task, a Coro or an _async form");
    }
  }

  std::coroutine_handle<> continuation_;  // the coroutine that co_awaited this one
  std::exception_ptr exception_;          // what escaped the body
  const char* function_name_ = "";
  bool started_ = false;  // awaited or scheduled: never "never awaited"
  std::uint16_t frame_size_ = 0;  // in the padding after started_: no size change
};

template <class T>
struct CoroPromise : CoroPromiseBase {
  std::optional<stored_t<T>> value_;
  template <class U = T>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }
};
template <>
struct CoroPromise<void> : CoroPromiseBase {
  std::optional<std::monostate> value_;
  void return_void() noexcept { value_.emplace(); }
};

}  // namespace detail

// Coro<T>: a coroutine object. Calling a coroutine function (one returning Coro<T>) allocates its
// frame and runs nothing; `co_await coro` runs it inline in the awaiting coroutine (as `await
// coro()`), create_task(coro) runs it as a task. Move-only; one that is destroyed without either
// is reported as "coroutine '...' was never awaited". Its arguments are copied into the frame
// unless they are references: a reference parameter must outlive the coroutine.
template <class T>
class [[nodiscard]] Coro {
 public:
  using value_type = T;
  struct promise_type : detail::CoroPromise<T> {
    // GCC and Clang evaluate the default in the coroutine function: its name, for the warning.
    promise_type(detail::FunctionName name = detail::FunctionName(__builtin_FUNCTION())) noexcept {
      this->function_name_ = name.name;
    }
    Coro get_return_object() noexcept { return Coro(std::coroutine_handle<promise_type>::from_promise(*this)); }
  };
  using handle_type = std::coroutine_handle<promise_type>;

  Coro() noexcept = default;
  Coro(Coro&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
  Coro& operator=(Coro other) noexcept {
    std::swap(h_, other.h_);
    return *this;
  }
  ~Coro() {
    if (!h_) return;
    if (!h_.promise().started_) detail::warn_never_awaited_(h_.promise().function_name_);
    h_.destroy();
  }
  bool valid() const noexcept { return static_cast<bool>(h_); }

  // Internal: create_task takes the frame over; the awaiter of `co_await coro`.
  handle_type release_() noexcept { return std::exchange(h_, nullptr); }
  bool started_() const noexcept { return h_.promise().started_; }
  detail::CoroAwaiter<T> operator_co_await_() noexcept { return detail::CoroAwaiter<T>{{}, h_}; }

 private:
  explicit Coro(handle_type h) noexcept : h_(h) {}
  handle_type h_;
};

namespace detail {
// co_await coro: start it (symmetric transfer) with us as its parent; its result or exception
// is ours when it returns. A coroutine object runs once.
template <class T>
struct CoroAwaiter : AwaiterBase {
  typename Coro<T>::handle_type h;
  bool await_ready() const {
    if (!h) throw RuntimeError("cannot await an empty coroutine object");
    if (h.promise().started_) throw RuntimeError("cannot reuse already awaited coroutine");
    return false;
  }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
    h.promise().started_ = true;
    h.promise().continuation_ = parent;
    return h;
  }
  T await_resume() {
    if (h.promise().exception_) std::rethrow_exception(std::exchange(h.promise().exception_, nullptr));
    if constexpr (!std::is_void_v<T>) return std::move(*h.promise().value_);
  }
};

// co_await on something that makes a coroutine object for the purpose (an as_completed item):
// the awaiter owns it for as long as the co_await lasts.
template <class T>
struct OwnedCoroAwaiter : AwaiterBase {
  explicit OwnedCoroAwaiter(Coro<T> c) : coro(std::move(c)), inner(coro.operator_co_await_()) {}
  Coro<T> coro;
  CoroAwaiter<T> inner;
  bool await_ready() const { return inner.await_ready(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept { return inner.await_suspend(parent); }
  T await_resume() { return inner.await_resume(); }
};

template <class T>
Coro<T> as_completed_next_async_(std::shared_ptr<AsCompletedState> state) {
  Ref<FutureCore> f = co_await state->wait_for_one_async_();
  co_return Future<T>(f).result();
}
}  // namespace detail

// CoroTaskCore: a task whose body is a coroutine. Its step resumes the coroutine where it last
// suspended (a frame deep in a chain of co_awaits) instead of switching to a fiber.
class CoroTaskCore : public TaskCore {
 public:
  // Internal: the coroutine the next step resumes (set by the co_await that suspends).
  void set_resume_point_(std::coroutine_handle<> h) noexcept { resume_point_ = h; }

 protected:
  CoroTaskCore(BaseEventLoop& loop, TaskOptions&& options, std::coroutine_handle<> root, std::uint16_t root_frame_size);
  ~CoroTaskCore() override;
  bool resume_body_(std::exception_ptr& exc) override;
  void unwind_body_() noexcept override;
  // The body returned: move its value into the task's slot.
  virtual void store_value_() = 0;
  // The root coroutine's promise (typed in CoroTaskImpl: no pointer kept for it).
  virtual detail::CoroPromiseBase& root_promise_() noexcept = 0;
  std::uint16_t root_frame_size_;  // first: in the padding TaskCore leaves, no size change
  std::coroutine_handle<> root_;

 private:
  // Makes this task the running one, its outermost frame the one handle_in_ tests ([reach]).
  void set_running_() noexcept;
  std::coroutine_handle<> resume_point_;
};

[[gnu::always_inline]] inline TaskCore& detail::coro_suspend_(std::coroutine_handle<> h, FutureCore* future,
                                                             source_location where) {
  TaskCore* task = running_coro.task;
  if (!task) [[unlikely]] no_coro_task_error_();
  static_cast<CoroTaskCore*>(task)->set_resume_point_(h);
  task->coro_suspend_(future, where);
  return *task;
}

template <class T>
class CoroTaskImpl final : public CoroTaskCore {
 public:
  CoroTaskImpl(BaseEventLoop& loop, TaskOptions&& options, typename Coro<T>::handle_type h)
      : CoroTaskCore(loop, std::move(options), h, h.promise().frame_size_) {}
  void* value_slot_() noexcept override { return &value_; }
  std::string value_repr_() const override { return asyncio::value_repr<T>(*this); }

 private:
  typename Coro<T>::handle_type handle_() const noexcept {
    return Coro<T>::handle_type::from_address(root_.address());
  }
  detail::CoroPromiseBase& root_promise_() noexcept override { return handle_().promise(); }
  void store_value_() override { value_ = std::move(handle_().promise().value_); }
  void clear_value_() noexcept override { value_.reset(); }
  std::optional<stored_t<T>> value_;
};

// loop.create_task(coro) lands here (tasks.hpp's create_task, found by argument lookup).
template <class T>
Task<T> make_coro_task_(BaseEventLoop& loop, TaskOptions options, Coro<T> coro) {
  if (!coro.valid()) throw TypeError("create_task() takes a coroutine object, not an empty Coro");
  if (coro.started_()) throw RuntimeError("cannot reuse already awaited coroutine");
  auto h = coro.release_();
  h.promise().started_ = true;
  return Task<T>(Ref<FutureCore>(new CoroTaskImpl<T>(loop, std::move(options), h)));
}

// ---------------------------------------------------------------- the _async forms
// One naming rule: the awaitable form of a suspending call `f(...)` is `f_async(...)`, used as
// `co_await f_async(...)` in a coroutine; the fiber form stays `f(...)`. Table: docs/06.

namespace detail {
// `co_await sleep_async(delay)`: the sleep's future and timer live in the awaiter, in the frame
// of the coroutine that sleeps; no frame of its own (sleep0_switch, cancel_many: one allocation
// less per sleep). delay <= 0: a bare yield, one pass, no future. The two are counted pointers
// held by hand, not a Future and a TimerHandleRef, so that a sleep(0)'s awaiter is trivially
// empty: its destructor is one test, inline in the sleeping coroutine (sleep0_switch).
struct SleepAwaiter : AwaiterBase {
  SleepAwaiter(double d, source_location w) noexcept : delay(d), where(w) {}
  // Copyable because GCC 12 copies an awaiter into the frame before using it: the copy is made
  // while future and timer are still empty, and copies neither.
  SleepAwaiter(const SleepAwaiter& o) noexcept : delay(o.delay), where(o.where) {}
  SleepAwaiter& operator=(const SleepAwaiter&) = delete;
  // Cancels the timer: also when the frame is destroyed while it sleeps.
  [[gnu::always_inline]] ~SleepAwaiter() {
    if (future) [[unlikely]] release_();
  }
  bool await_ready() const noexcept { return false; }
  [[gnu::always_inline]] void await_suspend(std::coroutine_handle<> h) {
    if (delay <= 0)
      coro_suspend_(h, nullptr, where);
    else
      suspend_timed_(h);
  }
  // Inline (see coro_resumed_): a cancelled sleep raises in the sleeping coroutine's frame.
  [[gnu::always_inline]] void await_resume() {
    TaskCore* task = running_coro.task;
    if (future) [[unlikely]] resume_timed_(task);
    coro_resumed_(task, future);
  }
  void suspend_timed_(std::coroutine_handle<> h);
  // The timed sleep resumes: the `sleep()` label goes, the timer is cancelled (a cancelled sleep).
  void resume_timed_(TaskCore* task) noexcept;
  // Drops the timer (cancelled) and the future.
  void release_() noexcept;
  double delay;
  source_location where;
  FutureCore* future = nullptr;  // one count, while a timed sleep is under way
  TimerHandle* timer = nullptr;  // one count, until the sleep resumes
};
}  // namespace detail

// sleep_async(delay): as sleep(delay). sleep_async(0) yields exactly one pass. An awaiter, not a
// Coro: co_await it (wrap it in a coroutine to make it a task).
inline detail::SleepAwaiter sleep_async(double delay, source_location where = source_location::current()) {
  return detail::SleepAwaiter(delay, where);
}
template <class T>
Coro<T> sleep_async(double delay, T result, source_location where = source_location::current()) {
  co_await sleep_async(delay, where);
  co_return result;
}

namespace detail {
// The 3.11 wait_for on an ensured future, in a coroutine (tasks.cpp's wait_for_core_), with the
// waiter and timer wait_for_timer_ made before the future was ensured.
Coro<void> wait_for_core_async_(Ref<FutureCore> fut, double timeout, WaitForTimer_ timer);
}  // namespace detail

// wait_for_async(aw, timeout): as wait_for, for a future, a task or a coroutine object (run as a
// task first, as ensure_future does). CPython's order, as the fiber wait_for keeps it: the waiter
// and its timer first, then ensure_future, so the timer is scheduled before the inner task.
template <class A>
auto wait_for_async(A aw, std::optional<double> timeout) -> Coro<typename A::value_type> {
  using T = typename A::value_type;
  get_running_loop();
  if (!timeout) {
    if constexpr (detail::is_coro<A>::value) {
      co_return co_await std::move(aw);
    } else {
      co_return co_await Future<T>(aw.core_ref());
    }
  }
  WaitForTimer_ timer = wait_for_timer_(*timeout);
  Future<T> fut;
  if constexpr (detail::is_coro<A>::value) {
    fut = Future<T>(get_running_loop().create_task(std::move(aw)).core_ref());
  } else {
    fut = Future<T>(aw.core_ref());
  }
  co_await detail::wait_for_core_async_(fut.core_ref(), *timeout, std::move(timer));
  co_return fut.result();
}

// ---------------------------------------------------------------- combinators of coroutine objects
// gather, as_completed and the rest take a coroutine object as a Python combinator takes a
// coroutine: it becomes a task (ensure_future). A vector of them is given by value (moved in).

// gather(std::move(coros)): a future of std::vector<T>, in the vector's order; the tasks start
// in that order.
template <class T>
auto gather(std::vector<Coro<T>>&& coros) {
  std::vector<Future<T>> futs;
  futs.reserve(coros.size());
  for (Coro<T>& c : coros) futs.push_back(detail::gather_child(std::move(c)));
  return detail::gather_vector<false>(std::move(futs));
}
template <class T>
auto gather(ReturnExceptions, std::vector<Coro<T>>&& coros) {
  std::vector<Future<T>> futs;
  futs.reserve(coros.size());
  for (Coro<T>& c : coros) futs.push_back(detail::gather_child(std::move(c)));
  return detail::gather_vector<true>(std::move(futs));
}

// as_completed(std::move(coros), timeout): each becomes a task, in the vector's order.
template <class T>
AsCompleted<T> as_completed(std::vector<Coro<T>>&& coros, std::optional<double> timeout = std::nullopt) {
  BaseEventLoop& loop = get_event_loop();
  std::vector<Task<T>> tasks;
  tasks.reserve(coros.size());
  for (Coro<T>& c : coros) tasks.push_back(loop.create_task(std::move(c)));
  return as_completed(tasks, timeout);
}

// wait_async(fs, timeout, return_when): wait's coroutine form, `auto [done, pending] = co_await
// wait_async(tasks)`. Futures and tasks only: 3.11's wait() refuses coroutine objects too
// (TypeError there; here a coroutine object does not compile).
template <FutureLike F>
Coro<std::pair<std::vector<F>, std::vector<F>>> wait_async(std::vector<F> fs,
                                                          std::optional<double> timeout = std::nullopt,
                                                          ReturnWhen return_when = ALL_COMPLETED) {
  if (fs.empty()) throw ValueError("Set of Tasks/Futures is empty.");
  std::vector<F> unique;
  std::vector<Ref<FutureCore>> cores;
  for (const F& f : fs) {
    if (std::find(unique.begin(), unique.end(), f) != unique.end()) continue;
    unique.push_back(f);
    cores.push_back(f.core_ref());
  }
  get_running_loop();
  {
    WaitCall_ call = wait_begin_(cores, timeout, return_when);
    // Also when the frame is destroyed while it waits (its task dropped).
    struct End {
      const std::vector<Ref<FutureCore>>& cores;
      WaitCall_& call;
      ~End() { wait_end_(cores, call); }
    } end{cores, call};
    co_await call.waiter;
  }
  std::pair<std::vector<F>, std::vector<F>> out;
  for (const F& f : unique) (f.done() ? out.first : out.second).push_back(f);
  co_return out;
}

}  // namespace asyncio
