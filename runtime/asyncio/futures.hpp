// futures.hpp: asyncio.Future, a result that arrives later, and its done callbacks.
// Mirrors Lib/asyncio/futures.py (Future) and base_futures.py (states, repr); the messages are
// those of the C accelerator (_asyncio.Future) that CPython really runs.
// Owns the PENDING -> CANCELLED | FINISHED machine and done-callback scheduling.
// Course: docs/05-futures.md
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

#include "asyncio/arena.hpp"
#include "asyncio/base_events.hpp"
#include "asyncio/exceptions.hpp"
#include "asyncio/fibers.hpp"

namespace asyncio {

class FutureCore;

namespace detail {
// [coro] The coroutine task whose step runs on this thread now (tasks.cpp defines it, the step,
// CoroTaskCore::resume_body_, sets it), and [reach] its body's outermost frame: a handle made in
// that frame is the task's own, as one on a fiber task's stack is. The frame is kept beside the
// task so that FutureCore::handle_in_ tests it inline, with no call into coroutines.cpp.
struct RunningCoro {
  TaskCore* task = nullptr;
  std::uintptr_t frame = 0;
  std::size_t frame_size = 0;
  bool in_frame(const void* where) const noexcept {  // unsigned: below the frame wraps to large
    return reinterpret_cast<std::uintptr_t>(where) - frame < frame_size;
  }
};
extern thread_local constinit RunningCoro running_coro;
// [coro] A fiber-only suspending call made in a coroutine task's body: RuntimeError naming the
// call and the `_async` form to co_await instead (tasks.cpp). Checked at the call's entry, so
// the error comes whether or not the call would have suspended this time.
[[noreturn]] void fiber_only_error_(const char* call, const char* instead);
// [graph] graph.hpp's: a future in the awaited-by registry is destroyed (~FutureCore, inline).
void graph_forget_(FutureCore& future) noexcept;
inline void fiber_only_(const char* call, const char* instead) {
  if (running_coro.task) [[unlikely]] fiber_only_error_(call, instead);
}
}  // namespace detail

// The printed names are CPython's (futures._PENDING, ...).
enum class FutureState : std::uint8_t { PENDING, CANCELLED, FINISHED };
const char* to_string(FutureState state) noexcept;

// Identifies a done callback for remove_done_callback. Every registration of the same plain
// function has the same key (CPython removes every registration equal to fn).
using CallbackKey = std::uintptr_t;

// A callable with an identity, for closures: a lambda has no identity a program can name again,
// so CPython's `cb = make_closure(); fut.add_done_callback(cb); ... fut.remove_done_callback(cb)`
// becomes `auto cb = asyncio::same_callback([..](Future<T>) {...});` with the same calls. Copies of
// `cb` are the same callback (as Python names bound to one object), so remove_done_callback(cb)
// removes every registration of it and returns how many, as CPython's does.
template <class F>
class SameCallback {
 public:
  explicit SameCallback(F fn) : fn_(std::make_shared<F>(std::move(fn))) {}
  template <class... A>
  decltype(auto) operator()(A&&... args) const {
    return (*fn_)(std::forward<A>(args)...);
  }
  // The heap address of the shared callable: even, so never one of the odd keys handed out for
  // other callables, and never a function's address.
  CallbackKey key() const noexcept { return reinterpret_cast<CallbackKey>(fn_.get()); }

 private:
  std::shared_ptr<F> fn_;
};
template <class F>
SameCallback<std::decay_t<F>> same_callback(F&& fn) {
  return SameCallback<std::decay_t<F>>(std::forward<F>(fn));
}
template <class T>
inline constexpr bool is_same_callback_v = false;
template <class F>
inline constexpr bool is_same_callback_v<SameCallback<F>> = true;

// FutureCore: every rule of a future, with no templates. Future<T> is a typed handle on it.
// Counted (Ref<FutureCore>): handles, done callbacks and waiting tasks share it.
class FutureCore {
 public:
  // Futures and tasks come from the block arena (arena.hpp), as handles do: a program makes and
  // drops one per hand-off, or holds 100,000 tasks at once, and fresh heap pages cost a page fault
  // each. One holding an over-aligned value uses the heap.
  static void* operator new(std::size_t size) { return detail::arena_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { detail::arena_free(p, size); }
  static void* operator new(std::size_t size, std::align_val_t al) { return ::operator new(size, al); }
  // The unsized global form: Clang declares the sized one only under -fsized-deallocation.
  static void operator delete(void* p, std::size_t, std::align_val_t al) noexcept { ::operator delete(p, al); }

  explicit FutureCore(BaseEventLoop& loop) : loop_(&loop) {}
  FutureCore(const FutureCore&) = delete;
  FutureCore& operator=(const FutureCore&) = delete;

  bool done() const noexcept { return state_ != FutureState::PENDING; }
  bool cancelled() const noexcept { return state_ == FutureState::CANCELLED; }
  FutureState state() const noexcept { return state_; }
  // Raises CancelledError if cancelled, InvalidStateError("Exception is not set.") if pending;
  // else the exception (nullptr if there is none). Marks the exception as retrieved.
  std::exception_ptr exception();
  // Cancel the future and schedule its callbacks; false if it was already done.
  // Tasks override this (Task.cancel is a request, see tasks.hpp).
  virtual bool cancel(std::string msg = {});
  // set_exception: InvalidStateError("invalid state") when done; TypeError for a
  // StopIteration-like misuse does not exist in C++. On a task: RuntimeError.
  void set_exception(std::exception_ptr exception);
  template <class E>
    requires std::is_base_of_v<std::exception, std::decay_t<E>>
  void set_exception(E&& exception) {
    set_exception(std::make_exception_ptr(std::forward<E>(exception)));
  }

  // add_done_callback(fn): fn(future) is scheduled with call_soon when the future is done
  // (at once if it already is), in registration order. Returns the key remove_done_callback
  // takes. `name` describes the callback in traces.
  // `type` is the user's callable, to name it in descriptions when `name` is not given.
  // fn is kept in the handle's own Callback with this future's address beside it (the handle
  // runs only once queued, holding the future): captures up to 24 bytes need no allocation of
  // their own (gather's, wait's and the task group's callbacks; spawn_gather: one malloc less
  // per child).
  template <class F>
    requires std::is_invocable_v<F&, FutureCore&>
  CallbackKey add_done_callback_(F fn, const char* name = nullptr, CallbackKey key = 0,
                                 const std::type_info* type = nullptr) {
    return add_done_callback_handle_(Callback([fn = std::move(fn), self = this]() mutable { fn(*self); }), name, key,
                                     type ? type : &typeid(F));
  }
  // Removes every registration with this key that has not been scheduled yet; returns how many.
  std::size_t remove_done_callback_(CallbackKey key);

  BaseEventLoop& get_loop() const noexcept { return *loop_; }
  bool is_task() const noexcept { return is_task_; }
  // For observers (issue 12 part 1), without marking anything retrieved: the stored exception
  // (nullptr if none), and whether any done callback or waiting task is registered.
  const std::exception_ptr& exception_ptr_() const noexcept {
    static const std::exception_ptr none;
    return state_ == FutureState::CANCELLED ? none : exception_;  // a cancelled one keeps its CancelledError there
  }
  bool has_done_callbacks_() const noexcept { return static_cast<bool>(first_callback_); }
  // "<Future pending>", "<Future finished result=...>", "<Future cancelled>",
  // "<Future finished exception=ValueError('x')>"; tasks print their name too.
  virtual std::string repr() const;

  // Internal (the runtime's own callers) ---------------------------------------
  // Raises what result() raises when the future is not finished with a value; marks the
  // exception as retrieved.
  void check_result_();
  // The value is already in place (the typed handle stored it): finish and schedule callbacks.
  void set_result_();
  void set_exception_(std::exception_ptr exception);
  bool cancel_(std::string msg);
  // set_result on a task (RuntimeError naming `op`) or on a done future (InvalidStateError).
  [[noreturn]] void refuse_set_(const char* op) const;
  // A task waits on this future: its wakeup is scheduled when the future is done.
  void add_waiter_(TaskCore& task);
  bool remove_waiter_(TaskCore& task);
  // CPython's _make_cancelled_error: the saved CancelledError once, else a new one.
  std::exception_ptr make_cancelled_error_();
  // Drops every done callback unscheduled (the loop is closed: they can never run).
  void clear_callbacks_() noexcept;
  // The Python class name reprs and log messages show: "Future", "Task", "_GatheringFuture".
  virtual const char* class_name_() const noexcept { return is_task_ ? "Task" : "Future"; }
  const std::string& cancel_message_() const noexcept;
  void incref_() noexcept { ++refs_; }
  void decref_() noexcept {
    if (--refs_ == 0) {
      destroy_();
    } else if (watch_reach_) [[unlikely]] {
      // [reach] The full test (TaskCore::check_unreachable_) needs every count of the future but
      // its stack handles gone, and of the task all but those and the wakeup's one: while more
      // are left, it is reachable, and the test is not called.
      if (refs_ <= stack_handles_ + int{is_task_}) reach_check_();
    }
  }
  long refcount_() const noexcept { return refs_; }
  // [reach] Future<T>/Task<T> handles count themselves in and out (docs/architecture.md, "Who
  // owns what"): a handle on the stack of the fiber running when it was made is a *stack*
  // handle of that fiber, any other a *loose* one (the program's, or a closure's). Returns the
  // fiber for a stack handle (the handle keeps it to count itself out the same way).
  // [coro] A handle made in the outermost frame of the coroutine task whose step runs is that
  // task's own in the same way: its key is the task (coro_owner_key_), in place of a fiber.
  fibers::Fiber* handle_in_(const void* where) noexcept {
    fibers::Fiber* fiber = fibers::Fiber::current_inline();
    if (fiber && fiber->stack_contains(where)) [[likely]] {
      count_owned_(fiber);
      return fiber;
    }
    if (TaskCore* task = detail::running_coro.task; task && detail::running_coro.in_frame(where)) {
      fibers::Fiber* key = coro_owner_key_(task);
      count_owned_(key);
      return key;
    }
    ++loose_count_;
    return nullptr;
  }
  static fibers::Fiber* coro_owner_key_(const TaskCore* task) noexcept {
    return reinterpret_cast<fibers::Fiber*>(const_cast<TaskCore*>(task));
  }
  [[gnu::always_inline]] void handle_out_(fibers::Fiber* fiber) noexcept {
    if (fiber) {
      if (--stack_handles_ == 0) stack_owner_ = nullptr;
    } else if (--loose_count_ == 0 && is_task_ && loop_->drop_deferred_()) [[unlikely]] {
      loop_->dropped_();
    }
  }
  int loose_handles_() const noexcept { return loose_count_; }
  // How many handles sit on this fiber's stack (0 unless every stack handle is on it).
  int stack_handles_of_(const fibers::Fiber* fiber) const noexcept {
    return stack_owner_ == fiber ? stack_handles_ : 0;
  }
  // The typed future's std::optional<T> (nullptr: none), and its value for repr() (empty: none).
  // Virtual, not two pointers per future: every future and task is 16 bytes smaller.
  virtual void* value_slot_() noexcept { return nullptr; }
  const void* value_slot_() const noexcept { return const_cast<FutureCore*>(this)->value_slot_(); }
  virtual std::string value_repr_() const { return {}; }
  // [graph] In graph.cpp's awaited_by registry (a combinator's future or child): completing or
  // destroying it updates the registry.
  bool in_graph_() const noexcept { return in_graph_flag_; }
  void set_in_graph_() noexcept { in_graph_flag_ = true; }
  // gather's test for a child given twice: set the mark, returning whether it was set already.
  bool mark_seen_() noexcept {
    const bool was = seen_mark_;
    seen_mark_ = true;
    return was;
  }
  void clear_seen_mark_() noexcept { seen_mark_ = false; }

 protected:
  // Inline: a plain future's destruction (FutureImpl::destroy_) is then one call, to free it.
  virtual ~FutureCore() {
    if (in_graph_flag_) [[unlikely]] detail::graph_forget_(*this);  // [graph]
  }
  virtual void destroy_() noexcept;
  virtual void clear_value_() noexcept {}
  void schedule_callbacks_();
  std::string state_repr_() const;
  CallbackKey add_done_callback_handle_(Callback run, const char* name, CallbackKey key, const std::type_info* type);

  InnerRef<BaseEventLoop> loop_;  // a future keeps its loop's memory, not its use
  // FINISHED: the exception set, if any. CANCELLED: the CancelledError a task's body let out
  // (CPython's _cancelled_exc), handed out once by make_cancelled_error_; a cancelled future has
  // no exception of its own, so the two share one field.
  std::exception_ptr exception_;

  // One done callback, one counted pointer: a waiting task (its wakeup is queued) or a user
  // function's handle (made when the callback is added and queued as is). The low bit tells
  // which, so a future's first callback needs no allocation beyond its handle.
  class DoneCallback {
   public:
    DoneCallback() noexcept = default;
    static DoneCallback waiter(TaskCore& task) noexcept;
    static DoneCallback user(Handle& handle) noexcept;
    DoneCallback(DoneCallback&& o) noexcept : bits_(std::exchange(o.bits_, 0)) {}
    DoneCallback& operator=(DoneCallback&& o) noexcept {
      std::swap(bits_, o.bits_);
      return *this;
    }
    ~DoneCallback() { reset(); }
    // Inline when empty (every future's slot once its callbacks are scheduled): no call.
    void reset() noexcept {
      if (bits_) release_();
    }
    explicit operator bool() const noexcept { return bits_ != 0; }
    TaskCore* task() const noexcept;  // nullptr for a user callback
    bool is_user() const noexcept { return (bits_ & 1) != 0; }
    // The user callback's handle (is_user() must be true).
    Handle& handle() const noexcept { return *reinterpret_cast<Handle*>(bits_ & ~std::uintptr_t{1}); }

   private:
    void release_() noexcept;  // drops the count held (bits_ is not 0)
    std::uintptr_t bits_ = 0;
  };
  // Registration order: first_callback_, then more_callbacks (only when there are two or
  // more; first_callback_ is empty only when there are none).
  DoneCallback first_callback_;
  // What few futures need, out of line and made on first use (one pointer in every future): the
  // cancel message (empty: none) and the done callbacks after the first.
  struct Rare {
    std::string cancel_message;
    std::unique_ptr<std::vector<DoneCallback>> more_callbacks;
  };
  std::unique_ptr<Rare> rare_;
  Rare& rare_make_() {
    if (!rare_) rare_ = std::make_unique<Rare>();
    return *rare_;
  }
  std::vector<DoneCallback>* more_callbacks_() const noexcept { return rare_ ? rare_->more_callbacks.get() : nullptr; }
  void set_cancel_message_(std::string msg);
  void push_callback_(DoneCallback cb);
  template <class Pred>
  std::size_t erase_callbacks_(Pred pred);
  bool has_callbacks_() const noexcept { return static_cast<bool>(first_callback_); }
  void schedule_callback_(DoneCallback& cb);

  fibers::Fiber* stack_owner_ = nullptr;  // the fiber holding every stack handle, or mixed
  static fibers::Fiber* mixed_owner_() noexcept { return reinterpret_cast<fibers::Fiber*>(alignof(fibers::Fiber)); }
  void count_owned_(fibers::Fiber* owner) noexcept {
    if (stack_handles_++ == 0) {
      stack_owner_ = owner;
    } else if (stack_owner_ != owner) {
      stack_owner_ = mixed_owner_();
    }
  }
  void reach_check_() noexcept;
  int refs_ = 0;
  int stack_handles_ = 0;
  int loose_count_ = 0;
  // The state and the flags in two bytes after the counts (a future is 64 bytes; a typed
  // future's small value, or a task's own flags, fit in the 2 bytes after them).
  FutureState state_ = FutureState::PENDING;
  // [reach] A task waits on this future, or this task waits: a count going down may leave a
  // pending task nothing can reach (TaskCore::check_unreachable_).
  bool watch_reach_ : 1 = false;
  bool log_traceback_ : 1 = false;
  bool is_task_ : 1 = false;
  bool in_graph_flag_ : 1 = false;  // [graph]
  bool seen_mark_ : 1 = false;  // gather's test for a child given twice (repeats_of), set and cleared there

  friend class TaskCore;
};

// Storage for a future's value: void futures store std::monostate.
template <class T>
using stored_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T>
std::string value_repr(const FutureCore& core);

// FutureImpl<T>: a plain future's shared state (core + value).
template <class T>
class FutureImpl final : public FutureCore {
 public:
  explicit FutureImpl(BaseEventLoop& loop) : FutureCore(loop) {}
  std::optional<stored_t<T>> value;
  void* value_slot_() noexcept override { return &value; }
  std::string value_repr_() const override { return asyncio::value_repr<T>(*this); }

 private:
  void clear_value_() noexcept override { value.reset(); }
  // The last count went: as FutureCore::destroy_, with the class known, so the destructor and
  // the arena's free are inline here (future_pingpong frees two futures a round trip).
  void destroy_() noexcept override {
    if (log_traceback_ && exception_) [[unlikely]] {
      FutureCore::destroy_();  // reports the exception nobody retrieved first
      return;
    }
    delete this;
  }
};

// Future<T>: a copyable handle to shared future state, compared by identity. Default-
// constructed handles are empty (valid() is false).
template <class T = void>
class Future {
 public:
  using value_type = T;

  Future() = default;
  explicit Future(Ref<FutureCore> core) : core_(std::move(core)) { track_(); }
  Future(const Future& o) noexcept : core_(o.core_) { track_(); }
  Future(Future&& o) noexcept {
    o.untrack_();
    core_ = std::move(o.core_);
    track_();
  }
  Future& operator=(const Future& o) noexcept {
    if (this != &o) {
      untrack_();
      core_ = o.core_;
      track_();
    }
    return *this;
  }
  Future& operator=(Future&& o) noexcept {
    if (this != &o) {
      untrack_();
      o.untrack_();
      core_ = std::move(o.core_);
      track_();
    }
    return *this;
  }
  ~Future() { untrack_(); }

  bool valid() const noexcept { return static_cast<bool>(core_); }
  bool done() const noexcept { return core_->done(); }
  bool cancelled() const noexcept { return core_->cancelled(); }
  // The value; raises the stored exception, CancelledError if cancelled, or
  // InvalidStateError("Result is not set.") while pending.
  T result() const {
    core_->check_result_();
    if constexpr (!std::is_void_v<T>) return *slot_();
  }
  std::exception_ptr exception() const { return core_->exception(); }

  template <class U = T>
    requires(!std::is_void_v<U>)
  void set_result(U&& value) const {
    check_can_set_("set_result");
    slot_().emplace(std::forward<U>(value));
    core_->set_result_();
  }
  template <class U = T>
    requires std::is_void_v<U>
  void set_result() const {
    check_can_set_("set_result");
    slot_().emplace();
    core_->set_result_();
  }
  template <class E>
  void set_exception(E&& exception) const {
    core_->set_exception(std::forward<E>(exception));
  }
  bool cancel(std::string msg = {}) const { return core_->cancel(std::move(msg)); }

  // fn is called as fn(Future<T>) in a later callback once the future is done.
  template <class F>
    requires std::is_invocable_v<F, Future<T>>
  CallbackKey add_done_callback(F fn, const char* name = nullptr) const {
    CallbackKey key = 0;
    if constexpr (std::is_convertible_v<F, void (*)(Future<T>)>)
      key = reinterpret_cast<CallbackKey>(static_cast<void (*)(Future<T>)>(fn));
    if constexpr (is_same_callback_v<F>) key = fn.key();
    return core_->add_done_callback_(
        [fn = std::move(fn)](FutureCore& core) mutable { fn(Future<T>(Ref<FutureCore>(&core))); }, name, key,
        &typeid(F));
  }
  // By the key add_done_callback returned, or by the plain function itself.
  std::size_t remove_done_callback(CallbackKey key) const { return core_->remove_done_callback_(key); }
  std::size_t remove_done_callback(void (*fn)(Future<T>)) const {
    return core_->remove_done_callback_(reinterpret_cast<CallbackKey>(fn));
  }
  // Every registration of this callable (same_callback above).
  template <class F>
  std::size_t remove_done_callback(const SameCallback<F>& fn) const {
    return core_->remove_done_callback_(fn.key());
  }

  BaseEventLoop& get_loop() const noexcept { return core_->get_loop(); }
  std::string repr() const { return core_->repr(); }
  FutureCore& core() const noexcept { return *core_; }
  const Ref<FutureCore>& core_ref() const noexcept { return core_; }

  friend bool operator==(const Future& a, const Future& b) noexcept { return a.core_ == b.core_; }

 protected:
  std::optional<stored_t<T>>& slot_() const noexcept {
    return *static_cast<std::optional<stored_t<T>>*>(core_->value_slot_());
  }
  void check_can_set_(const char* op) const {
    if (core_->is_task() || core_->done()) [[unlikely]] core_->refuse_set_(op);
  }
  Ref<FutureCore> core_;

 private:
  // [reach] Count this handle in (on which stack it lives) and out, see FutureCore::handle_in_.
  void track_() noexcept {
    if (core_) stack_ = core_->handle_in_(this);
  }
  void untrack_() noexcept {
    if (core_) core_->handle_out_(stack_);
    stack_ = nullptr;
  }
  fibers::Fiber* stack_ = nullptr;
};

namespace detail {
template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T>
struct is_tuple : std::false_type {};
template <class... Ts>
struct is_tuple<std::tuple<Ts...>> : std::true_type {};
template <class T>
struct is_variant : std::false_type {};
template <class... Ts>
struct is_variant<std::variant<Ts...>> : std::true_type {};
}  // namespace detail

// Python's repr() of a value, for future reprs; types without one print as "<T>". A vector is
// a list, a tuple a tuple, an exception_ptr the exception's repr, a variant its alternative.
template <class T>
std::string value_repr_of(const T& value) {
  if constexpr (std::is_same_v<T, std::monostate>) {
    return "None";
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? "True" : "False";
  } else if constexpr (std::is_floating_point_v<T>) {
    return py_float_repr(static_cast<double>(value));
  } else if constexpr (std::is_arithmetic_v<T>) {
    return std::to_string(value);
  } else if constexpr (std::is_convertible_v<T, std::string>) {
    return py_repr(std::string(value));
  } else if constexpr (std::is_same_v<T, std::exception_ptr>) {
    return value ? exception_repr(value) : std::string("None");
  } else if constexpr (detail::is_variant<T>::value) {
    return std::visit([](const auto& v) { return value_repr_of(v); }, value);
  } else if constexpr (detail::is_vector<T>::value) {
    std::string out = "[";
    for (std::size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + value_repr_of(value[i]);
    return out + "]";
  } else if constexpr (detail::is_tuple<T>::value) {
    std::string out = "(";
    std::apply([&](const auto&... v) { ((out += (out.size() > 1 ? ", " : "") + value_repr_of(v)), ...); }, value);
    return out + (std::tuple_size_v<T> == 1 ? ",)" : ")");
  } else {
    return "<" + demangle(typeid(T).name()) + ">";
  }
}

template <class T>
std::string value_repr(const FutureCore& core) {
  const auto& slot = *static_cast<const std::optional<stored_t<T>>*>(core.value_slot_());
  return slot ? value_repr_of(*slot) : std::string("None");
}

// A callable and its arguments, kept as CPython's Handle keeps (_callback, _args): run as
// fn(args...), printed as "('k1', 2)" (a one-element tuple shows no trailing comma, as
// format_helpers._format_args_and_kwargs prints it).
// A string literal (or any char pointer) is kept as a std::string, so nothing dangles.
template <class A>
using kept_arg_t = std::conditional_t<std::is_same_v<std::decay_t<A>, const char*> || std::is_same_v<std::decay_t<A>, char*>,
                                      std::string, std::decay_t<A>>;

template <class F, class... Args>
struct BoundCall {
  F fn;
  std::tuple<Args...> args;
  void operator()() { std::apply(fn, args); }
  std::string args_repr() const {
    std::string out = "(";
    std::apply([&](const auto&... v) { ((out += (out.size() > 1 ? ", " : "") + value_repr_of(v)), ...); }, args);
    return out + ")";
  }
};

template <class F, class... Args>
HandleRef BaseEventLoop::call_soon(Named<F> callback, Args&&... args) {
  return call_soon(BoundCall<F, kept_arg_t<Args>...>{std::move(callback.fn), {std::forward<Args>(args)...}},
                   callback.name);
}

template <class F, class... Args>
TimerHandleRef BaseEventLoop::call_later(double delay, Named<F> callback, Args&&... args) {
  return call_later(delay, BoundCall<F, kept_arg_t<Args>...>{std::move(callback.fn), {std::forward<Args>(args)...}},
                    callback.name);
}

template <class F, class... Args>
TimerHandleRef BaseEventLoop::call_at(double when, Named<F> callback, Args&&... args) {
  return call_at(when, BoundCall<F, kept_arg_t<Args>...>{std::move(callback.fn), {std::forward<Args>(args)...}},
                 callback.name);
}

template <class F, class... Args>
HandleRef BaseEventLoop::call_soon_threadsafe(Named<F> callback, Args&&... args) {
  return call_soon_threadsafe(
      BoundCall<F, kept_arg_t<Args>...>{std::move(callback.fn), {std::forward<Args>(args)...}}, callback.name);
}

// loop.create_future()
template <class T>
Future<T> BaseEventLoop::create_future() {
  return Future<T>(Ref<FutureCore>(new FutureImpl<T>(*this)));
}

template <class T>
T BaseEventLoop::run_until_complete(Future<T> future) {
  run_until_complete_(future.core());
  return future.result();
}

// futures._set_result_unless_cancelled, the callback sleep() schedules.
template <class T, class U>
void set_result_unless_cancelled(const Future<T>& future, U&& value) {
  if (future.cancelled()) return;
  future.set_result(std::forward<U>(value));
}

}  // namespace asyncio

namespace asyncio {
inline void set_result_unless_cancelled(const Future<void>& future) {
  if (future.cancelled()) return;
  future.set_result();
}
}  // namespace asyncio
