// threads.hpp: how threads reach the loop and the loop reaches threads: wrap_future,
// loop.run_in_executor, to_thread and run_coroutine_threadsafe.
// Mirrors Lib/asyncio/threads.py (to_thread), futures.py (wrap_future, _chain_future),
// tasks.py (run_coroutine_threadsafe) and base_events.py (run_in_executor,
// shutdown_default_executor). Owns the rule that a worker's result reaches the loop only
// through call_soon_threadsafe: an asyncio future is never completed from another thread.
// Course: docs/07-blocking-the-loop.md (to_thread), docs/10-selectors-and-io.md (threads)
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include "asyncio/concurrent.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

namespace detail {

// A counted reference to a loop-thread object that other threads may carry but never touch.
// It travels by move only (the shared_ptr is there because std::function must be copyable),
// so its last holder, and the decref, is always a callback on the loop's thread.
template <class T>
using Carried = std::shared_ptr<Ref<T>>;

// futures._copy_future_state(source, dest) for a concurrent source.
template <class T>
void copy_concurrent_state(const ConcurrentFuture<T>& source, const Future<T>& dest) {
  if (dest.cancelled()) return;
  if (source.cancelled()) {
    dest.cancel();
    return;
  }
  if (std::exception_ptr e = source.exception()) {
    dest.set_exception(e);
  } else if constexpr (std::is_void_v<T>) {
    dest.set_result();
  } else {
    dest.set_result(source.result());
  }
}

}  // namespace detail

// wrap_future(concurrent_future, loop): an asyncio Future that completes (in a later pass,
// through call_soon_threadsafe) when the concurrent one does; cancelling it cancels the
// concurrent future (_chain_future).
template <class T>
Future<T> wrap_future(ConcurrentFuture<T> source, BaseEventLoop& loop) {
  Future<T> dest = loop.create_future<T>();
  dest.add_done_callback(
      [source](const Future<T>& d) {
        if (d.cancelled()) source.cancel();
      },
      "_chain_future.<locals>._call_check_cancel");
  auto carried = std::make_shared<Ref<FutureCore>>(dest.core_ref());
  BaseEventLoop* dest_loop = &loop;
  loop.outside_jobs_.fetch_add(1, std::memory_order_acq_rel);  // [graph] a thread will call back
  source.add_done_callback([carried, dest_loop](const ConcurrentFuture<T>& done) mutable {
    detail::Carried<FutureCore> mine = std::move(carried);
    if (dest_loop->is_closed()) {
      (void)mine->release();  // leak rather than touch the loop's counts from this thread
      return;
    }
    try {
      dest_loop->call_soon_threadsafe_noref_(
          [mine = std::move(mine), done, dest_loop] {
            dest_loop->outside_jobs_.fetch_sub(1, std::memory_order_acq_rel);  // [graph]
            detail::copy_concurrent_state(done, Future<T>(*mine));
          },
          "_chain_future.<locals>._set_state");
    } catch (...) {
      // The loop closed meanwhile (RuntimeError): the callback and its reference are gone
      // with it, as CPython drops the result.
    }
  });
  return dest;
}

template <class F, class... Args>
auto BaseEventLoop::run_in_executor(std::shared_ptr<ThreadPoolExecutor> executor, F&& fn, Args&&... args) {
  check_closed_();
  ThreadPoolExecutor& pool = executor ? *executor : get_default_executor_();
  return wrap_future(pool.submit(detail::bind_task(std::forward<F>(fn), std::forward<Args>(args)...)), *this);
}

// asyncio.to_thread(fn, args...): a coroutine (call it inside a task) that runs fn(args...) in
// the default executor and returns its result.
// Where the task shows waiting in a trace: to_thread(fn) (no arguments) records the caller's
// line (a defaulted `where`, as await's). A parameter pack cannot be followed by a defaulted
// argument, so to_thread(fn, args...) records the line of this header; bind the arguments
// (`to_thread([&] { return fn(a, b); })`) to record the caller's line instead.
template <class F>
auto to_thread(F&& fn, source_location where = source_location::current()) {
  return await(get_running_loop().run_in_executor(nullptr, std::forward<F>(fn)), where);
}
template <class F, class... Args>
auto to_thread(F&& fn, Args&&... args) {
  return await(get_running_loop().run_in_executor(nullptr, std::forward<F>(fn), std::forward<Args>(args)...));
}

// asyncio.run_coroutine_threadsafe(coro, loop), from a thread that is not the loop's: fn runs
// as a task on `loop`; the returned concurrent future gets its outcome. Cancelling that future
// cancels the task (on the loop's thread).
template <class F>
auto run_coroutine_threadsafe(F fn, BaseEventLoop& loop) {
  using R = std::invoke_result_t<F&>;
  ConcurrentFuture<R> future;
  // The task, touched only on the loop's thread; emptied when the task is done.
  auto task_slot = std::make_shared<Ref<FutureCore>>();
  BaseEventLoop* target = &loop;
  loop.foreign_thread_seen_.store(true, std::memory_order_release);  // [graph] it may call again
  future.add_done_callback([task_slot, target](const ConcurrentFuture<R>& f) {
    if (!f.cancelled() || target->is_closed()) return;
    try {
      target->call_soon_threadsafe_noref_(
          [task_slot] {
            if (*task_slot) (*task_slot)->cancel();
          },
          "Future.cancel");
    } catch (...) {
    }
  });
  loop.call_soon_threadsafe_noref_(
      [fn = std::move(fn), future, task_slot, target]() mutable {
        try {
          auto task = target->create_task(std::move(fn));
          *task_slot = task.core_ref();
          task.add_done_callback(
              [future, task_slot](const Future<R>& t) {
                task_slot->reset();
                if (t.cancelled()) {
                  future.cancel();
                } else if (!future.set_running_or_notify_cancel()) {
                  return;
                } else if (std::exception_ptr e = t.exception()) {
                  future.set_exception(e);
                } else if constexpr (std::is_void_v<R>) {
                  future.set_result();
                } else {
                  future.set_result(t.result());
                }
              },
              "_chain_future.<locals>._call_set_state");
        } catch (...) {
          if (future.set_running_or_notify_cancel()) future.set_exception(std::current_exception());
          throw;
        }
      },
      "run_coroutine_threadsafe.<locals>.callback");
  return future;
}

}  // namespace asyncio
