// timeouts.hpp: timeout(delay) and timeout_at(when), a deadline around a block of a task.
// Mirrors Lib/asyncio/timeouts.py (Timeout, timeout, timeout_at) as of 3.11.7. Owns one timer
// that cancels the task, and the rule that turns only that cancellation into TimeoutError
// (checked with cancelling()/uncancel()). Course: docs/09-composing-tasks.md
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "asyncio/coroutines.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

// Timeout: `async with asyncio.timeout(d) as cm:`. Used through timeout()/timeout_at() below,
// which run aenter(), the body and aexit(); aenter/aexit are public for the course's sake, but a
// Timeout entered must be exited (its timer points at it).
class Timeout {
 public:
  // The state names print as CPython's _State values.
  enum class State { CREATED, ENTERED, EXPIRING, EXPIRED, EXITED };

  // when: a loop.time() deadline; nullopt never fires; a past one fires on the next pass.
  explicit Timeout(std::optional<double> when) : when_(when) {}
  // A Timeout left without aexit (its task destroyed while suspended) disarms its timer.
  ~Timeout();
  Timeout(const Timeout&) = delete;
  Timeout& operator=(const Timeout&) = delete;

  std::optional<double> when() const noexcept { return when_; }
  // Only while entered: RuntimeError('Timeout has not been entered') before,
  // RuntimeError('Cannot change state of expired Timeout') (or finished/expiring) after.
  void reschedule(std::optional<double> when);
  bool expired() const noexcept { return state_ == State::EXPIRING || state_ == State::EXPIRED; }
  State state() const noexcept { return state_; }
  // "<Timeout [active] when=12.5>", "<Timeout [expired]>"
  std::string repr() const;

  // __aenter__: RuntimeError('Timeout has already been entered') / ('Timeout should be used
  // inside a task'). Remembers the task and its cancelling() count, then arms the timer.
  void aenter();
  // __aexit__(exc): disarms the timer. If it fired, and uncancel() brings the task's count back
  // to what it was at entry, and the block is leaving with CancelledError: raises TimeoutError.
  // Otherwise returns, and the caller lets exc (if any) go on.
  void aexit(const std::exception_ptr& exc);

 private:
  void on_timeout_();
  State state_ = State::CREATED;
  HandleRef timeout_handler_;
  Ref<TaskCore> task_;
  std::optional<double> when_;
  int cancelling_ = 0;
};

const char* to_string(Timeout::State state) noexcept;

// async_with(cm, body): `async with cm: body` for a context manager with aenter()/aexit(exc)
// (Timeout, TaskGroup). body() or body(cm) runs between them; its exception is captured first,
// so aexit can suspend outside any catch block, then goes on unless aexit raised instead.
// Returns body's value. (For locks, async_with(lock) in locks.hpp is a scope guard.)
namespace detail {
// False for an exception that is not a std::exception: in practice the fiber's forced unwind
// (a task destroyed while suspended), which must go on at once, with no aexit that could suspend.
inline bool is_std_exception(const std::exception_ptr& e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception&) {
    return true;
  } catch (...) {
    return false;
  }
}
}  // namespace detail

// `where` reaches aexit when it takes one (TaskGroup's waits for its children); Timeout's
// aenter/aexit never suspend, so timeout() records no location of its own.
template <class CM, class F>
  requires(!std::is_same_v<std::decay_t<F>, source_location>)
auto async_with(CM& cm, F&& body, source_location where = source_location::current()) {
  constexpr bool takes_cm = std::is_invocable_v<F&, CM&>;
  using R = typename std::conditional_t<takes_cm, std::invoke_result<F&, CM&>, std::invoke_result<F&>>::type;
  cm.aenter();
  std::exception_ptr error;
  std::optional<stored_t<R>> result;
  try {
    if constexpr (std::is_void_v<R>) {
      if constexpr (takes_cm) body(cm); else body();
      result.emplace();
    } else {
      if constexpr (takes_cm) result.emplace(body(cm)); else result.emplace(body());
    }
  } catch (...) {
    error = std::current_exception();
  }
  if (error && !detail::is_std_exception(error)) std::rethrow_exception(error);
  if constexpr (requires { cm.aexit(error, where); }) {
    cm.aexit(error, where);
  } else {
    cm.aexit(error);
  }
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<R>) return std::move(*result);
}

// timeout(delay, body): runs body() (or body(Timeout&), to reschedule or ask expired()) with a
// deadline delay seconds from now (nullopt: none) and returns its value. When the deadline
// passes, the task is cancelled; the CancelledError that reaches the end of the block becomes
// TimeoutError. A cancellation from anyone else stays a CancelledError.
template <class F>
auto timeout(std::optional<double> delay, F&& body) {
  BaseEventLoop& loop = get_running_loop();
  Timeout cm(delay ? std::optional<double>(loop.time() + *delay) : std::nullopt);
  return async_with(cm, body);
}
// timeout_at(when, body): the same with an absolute loop.time() deadline.
template <class F>
auto timeout_at(std::optional<double> when, F&& body) {
  Timeout cm(when);
  return async_with(cm, body);
}

// timeout_at_async(when, body) / timeout_async(delay, body): the coroutine forms, with the body a
// coroutine object: `co_await asyncio::timeout_async(0.5, fetch(url))`. The same rules as above
// (Timeout's aenter/aexit never suspend, so they serve both kinds of task).
template <class T>
Coro<T> timeout_at_async(std::optional<double> when, Coro<T> body) {
  Timeout cm(when);
  cm.aenter();
  std::exception_ptr error;
  std::optional<stored_t<T>> result;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await body;
      result.emplace();
    } else {
      result.emplace(co_await body);
    }
  } catch (...) {
    error = std::current_exception();
  }
  cm.aexit(error);
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<T>) co_return std::move(*result);
}
template <class T>
Coro<T> timeout_async(std::optional<double> delay, Coro<T> body) {
  BaseEventLoop& loop = get_running_loop();
  return timeout_at_async(delay ? std::optional<double>(loop.time() + *delay) : std::nullopt, std::move(body));
}

}  // namespace asyncio
