// runners.hpp: asyncio::run(main) and Runner: a fresh loop, the main task, and a clean
// shutdown (leftover tasks cancelled and awaited, then the loop closed).
// Mirrors Lib/asyncio/runners.py (run, Runner.run, Runner.close, _cancel_all_tasks).
// Course: docs/06-tasks-on-fibers.md
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "asyncio/selector_events.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

// What makes the Runner's loop (CPython's Runner(loop_factory=)): called once, on first use.
using LoopFactory = std::function<Ref<BaseEventLoop>()>;

// asyncio.run's keyword arguments: asyncio::run(main, {.debug = true}).
struct RunOptions {
  std::optional<bool> debug;  // None: leave the loop's debug mode as it is
  LoopFactory loop_factory;   // empty: new_event_loop()
};

class Runner {
 public:
  // debug: the loop's debug mode; selector_kind: "epoll" (default), "poll" or "select".
  explicit Runner(bool debug = false, std::string selector_kind = "epoll");
  // CPython's Runner(debug=None, loop_factory=None). A loop from the factory is not made the
  // thread's current loop (runners.py _lazy_init: only new_event_loop's is).
  explicit Runner(RunOptions options);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Runs main(args...) as the main task until it is done and returns its result.
  template <class F, class... Args>
  auto run(F&& main, Args&&... args) {
    check_can_run_();
    lazy_init_();
    auto task = loop_->create_task(std::forward<F>(main), std::forward<Args>(args)...);
    using T = typename decltype(task)::value_type;
    // Held until close(), as the traceback of an exception leaving run() holds CPython's `task`:
    // a main task left pending (KeyboardInterrupt) stays reachable for close()'s cancellation.
    main_task_ = task.core_ref();
    // In the main thread with SIGINT at its default: the first Ctrl-C cancels the main task,
    // the second raises KeyboardInterrupt (Runner._on_sigint).
    const bool sigint_installed = install_sigint_(task.core_ref());
    struct RemoveSigint {
      Runner& r;
      bool installed;
      ~RemoveSigint() {
        if (installed) r.remove_sigint_();
      }
    } remove_sigint{*this, sigint_installed};
    try {
      return loop_->run_until_complete(static_cast<Future<T>>(task));
    } catch (const CancelledError&) {
      if (interrupt_count_ > 0 && task.uncancel() == 0) raise_in_except(KeyboardInterrupt());
      throw;
    }
  }
  // Cancel leftover tasks and wait for them, shut down, close the loop. Idempotent.
  void close();
  BaseEventLoop& get_loop();

 private:
  void check_can_run_() const;
  void lazy_init_();
  void cancel_all_tasks_();
  bool install_sigint_(Ref<FutureCore> main_task);
  void remove_sigint_() noexcept;
  int interrupt_count_ = 0;

  Ref<BaseEventLoop> loop_;
  Ref<FutureCore> main_task_;  // the last run()'s, until close()
  std::optional<bool> debug_;
  std::string selector_kind_;
  LoopFactory loop_factory_;
  bool set_event_loop_ = false;
  bool closed_ = false;
};

// asyncio.run(main): RuntimeError if a loop is already running in this thread.
// An exception that leaves it is thrown on to the caller, after the loop is closed, as in
// CPython. If nothing catches a KeyboardInterrupt or SystemExit, the program ends as CPython's
// does (see install_exit_handler below), with no code in main.
template <class F, class... Args>
auto run(F&& main, Args&&... args) {
  if (get_running_loop_or_null() != nullptr)
    throw RuntimeError("asyncio.run() cannot be called from a running event loop");
  try {
    Runner runner;
    return runner.run(std::forward<F>(main), std::forward<Args>(args)...);
  } catch (...) {
    // Caught only to be thrown on: an exception that no handler catches may end the program
    // without unwinding (GCC and Clang do so), which would skip ~Runner: leftover tasks would
    // not be cancelled nor the loop closed, as CPython's `with Runner()` does in every case.
    throw;
  }
}

// What CPython's interpreter does with an exception that reaches the top of the program, for
// the two exceptions that end programs on purpose. Installed (once, as a std::terminate handler
// that keeps the previous one for everything else) by every Runner, so asyncio::run needs no
// help from main. A KeyboardInterrupt nobody catches prints `KeyboardInterrupt` on stderr (the
// last line of Python's traceback; C++ has no traceback to print), flushes stdout and kills the
// process with SIGINT under the default action (Modules/main.c, exit_sigint): a shell shows
// 130. A SystemExit exits with status 0 when it has no message, else prints the message on
// stderr and exits with status 1 (Python/pythonrun.c, handle_system_exit).
void install_exit_handler();

// asyncio.run(main, debug=..., loop_factory=...): asyncio::run(main, {.debug = true}).
template <class F>
auto run(F&& main, RunOptions options) {
  if (get_running_loop_or_null() != nullptr)
    throw RuntimeError("asyncio.run() cannot be called from a running event loop");
  try {
    Runner runner(std::move(options));
    return runner.run(std::forward<F>(main));
  } catch (...) {
    throw;  // as above: close the Runner before the exception goes on
  }
}

}  // namespace asyncio
