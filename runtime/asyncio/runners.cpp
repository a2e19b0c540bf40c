// runners.cpp: Runner's set-up and shutdown.
// Mirrors Lib/asyncio/runners.py (Runner._lazy_init, Runner.close, _cancel_all_tasks).
// Course: docs/06-tasks-on-fibers.md
#include "asyncio/runners.hpp"

namespace asyncio {

Runner::Runner(bool debug, std::string selector_kind) : debug_(debug), selector_kind_(std::move(selector_kind)) {}

Runner::~Runner() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; close() reports through the loop's exception handler.
  }
}

void Runner::check_can_run_() const {
  if (closed_) throw RuntimeError("Runner is closed");
  if (get_running_loop_or_null() != nullptr)
    throw RuntimeError("Runner.run() cannot be called from a running event loop");
}

void Runner::lazy_init_() {
  if (loop_) return;
  loop_ = new_event_loop(selector_kind_);
  set_event_loop(loop_);
  loop_->set_debug(debug_);
}

BaseEventLoop& Runner::get_loop() {
  if (closed_) throw RuntimeError("Runner is closed");
  lazy_init_();
  return *loop_;
}

void Runner::close() {
  if (closed_) return;
  closed_ = true;
  if (!loop_) return;
  struct Finally {
    Runner* r;
    ~Finally() {
      set_event_loop(nullptr);
      r->loop_->close();
      r->loop_.reset();
    }
  } finally{this};
  cancel_all_tasks_();
  // loop.shutdown_asyncgens() and loop.shutdown_default_executor() run as two tasks in CPython;
  // with no async generators and no executor they finish at once, but they still take their
  // Task-N numbers and their passes, which a faithful port keeps.
  loop_->run_until_complete([] {});
  loop_->run_until_complete([] {});
}

// Cancel every pending task, then wait for all of them (gather(..., return_exceptions=True));
// report any that ended with an exception other than cancellation.
void Runner::cancel_all_tasks_() {
  std::vector<Ref<TaskCore>> to_cancel = all_tasks(*loop_);
  if (to_cancel.empty()) return;
  for (auto& task : to_cancel) task->cancel();
  Future<void> all_done = loop_->create_future<void>();
  auto remaining = std::make_shared<std::size_t>(to_cancel.size());
  for (auto& task : to_cancel) {
    task->add_done_callback_(
        [all_done, remaining](FutureCore& child) {
          if (!child.cancelled()) (void)child.exception();  // retrieve, as gather does
          if (--*remaining == 0 && !all_done.done()) all_done.set_result();
        },
        "_GatheringFuture._done_callback");
  }
  loop_->run_until_complete(all_done);
  for (auto& task : to_cancel) {
    if (task->cancelled()) continue;
    if (std::exception_ptr exc = task->exception()) {
      ExceptionContext context;
      context.message = "unhandled exception during asyncio.run() shutdown";
      context.exception = exc;
      context.task = task;
      loop_->call_exception_handler(context);
    }
  }
}

}  // namespace asyncio
