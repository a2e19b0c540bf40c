// threads.cpp: the loop's default executor: created on first use, shut down by the runner.
// Mirrors Lib/asyncio/base_events.py (run_in_executor's lazy ThreadPoolExecutor,
// _check_default_executor, set_default_executor, shutdown_default_executor, _do_shutdown).
// Course: docs/07-blocking-the-loop.md (to_thread), docs/10-selectors-and-io.md (threads)
#include "asyncio/threads.hpp"

#include <thread>

namespace asyncio {

ThreadPoolExecutor& BaseEventLoop::get_default_executor_() {
  if (executor_shutdown_called_) throw RuntimeError("Executor shutdown has been called");
  if (!default_executor_) default_executor_ = std::make_shared<ThreadPoolExecutor>(0, "asyncio");
  return *default_executor_;
}

void BaseEventLoop::set_default_executor(std::shared_ptr<ThreadPoolExecutor> executor) {
  default_executor_ = std::move(executor);
}

// The pool's shutdown joins its workers, which may take a while: a helper thread waits for
// it and reports back through call_soon_threadsafe, so the loop keeps running meanwhile.
void BaseEventLoop::shutdown_default_executor(source_location where) {
  executor_shutdown_called_ = true;
  if (!default_executor_) return;
  Future<void> future = create_future<void>();
  auto carried = std::make_shared<Ref<FutureCore>>(future.core_ref());
  std::shared_ptr<ThreadPoolExecutor> executor = default_executor_;
  outside_jobs_.fetch_add(1, std::memory_order_acq_rel);  // [graph] the thread below calls back
  std::thread thread([this, executor, carried]() mutable {
    detail::Carried<FutureCore> mine = std::move(carried);
    executor->shutdown(true);
    if (is_closed()) {
      (void)mine->release();
      return;
    }
    call_soon_threadsafe_noref_(
        [this, mine = std::move(mine)] {
          outside_jobs_.fetch_sub(1, std::memory_order_acq_rel);  // [graph]
          Future<void> f(*mine);
          if (!f.done()) f.set_result();
        },
        "Future.set_result");
  });
  struct Join {
    std::thread& t;
    ~Join() { t.join(); }
  } join{thread};
  await(future, where);
}

}  // namespace asyncio
