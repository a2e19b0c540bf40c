// trace.cpp: the observer facade's slow path and the observer chosen by the environment.
// After Trio's instrumentation (trio/_core/_instrumentation.py): a failing observer is
// detached and reported once; the program goes on.
// Course: docs/trace.md
#include "asyncio/trace.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "asyncio/base_events.hpp"
#include "asyncio/exceptions.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

const char* to_string(TimeoutReason reason) noexcept {
  switch (reason) {
    case TimeoutReason::ready: return "ready queue not empty";
    case TimeoutReason::stopping: return "stopping";
    case TimeoutReason::timer: return "next timer";
    case TimeoutReason::none: return "nothing scheduled";
  }
  return "?";
}

const char* to_string(StepOutcome outcome) noexcept {
  switch (outcome) {
    case StepOutcome::awaited: return "awaited";
    case StepOutcome::yielded: return "yielded";
    case StepOutcome::returned: return "returned";
    case StepOutcome::raised: return "raised";
    case StepOutcome::cancelled: return "cancelled";
  }
  return "?";
}

void Tracer::observer_failed_(BaseEventLoop& loop, std::exception_ptr e) {
  observer_ = nullptr;
  ExceptionContext context;
  context.message = "Trace observer raised an exception and was detached";
  context.exception = std::move(e);
  loop.call_exception_handler(context);
}

namespace {

// A plain per-pass printout on stderr (ASYNCIO_TRACE=passes): what each step did, in the
// words of docs/03-the-loop.md.
class PassPrinter final : public Observer {
 public:
  explicit PassPrinter(std::FILE* out) : out_(out) {}
  void pass_begin(BaseEventLoop&, std::size_t index, double) override {
    std::fprintf(out_, "pass %zu\n", index);
  }
  void timer_dropped(BaseEventLoop&, const TimerHandle& t) override {
    std::fprintf(out_, "  step 1: drop cancelled timer %s\n", t.description().c_str());
  }
  void heap_rebuilt(BaseEventLoop&, std::size_t before, std::size_t after) override {
    std::fprintf(out_, "  step 1: rebuild timer heap %zu -> %zu\n", before, after);
  }
  void select_begin(BaseEventLoop&, const char* kind, std::optional<double> timeout, TimeoutReason reason) override {
    if (timeout) {
      std::fprintf(out_, "  step 2: %s(timeout=%.3f) [%s]\n", kind, *timeout, to_string(reason));
    } else {
      std::fprintf(out_, "  step 2: %s(timeout=None) [%s]\n", kind, to_string(reason));
    }
  }
  void io_event(BaseEventLoop&, int fd, int mask, const Handle& h) override {
    std::fprintf(out_, "  step 2: fd %d %s -> %s\n", fd, mask == 1 ? "readable" : "writable", h.description().c_str());
  }
  void timer_ready(BaseEventLoop&, const TimerHandle& t, double) override {
    std::fprintf(out_, "  step 3: timer due -> %s\n", t.description().c_str());
  }
  void callback_begin(BaseEventLoop&, const Handle& h) override {
    if (const TaskCore* task = h.task_()) {
      std::fprintf(out_, "  step 4: run %s (%s)\n", h.description().c_str(), task->get_name().c_str());
    } else {
      std::fprintf(out_, "  step 4: run %s\n", h.description().c_str());
    }
  }
  void task_step_end(BaseEventLoop&, const TaskCore& task, StepOutcome outcome, const FutureCore*) override {
    std::fprintf(out_, "          %s %s\n", task.get_name().c_str(), to_string(outcome));
  }

 private:
  std::FILE* out_;
};

}  // namespace

Observer* observer_from_environment() {
  const char* value = std::getenv("ASYNCIO_TRACE");
  if (!value || !*value) return nullptr;
  if (std::strcmp(value, "passes") == 0) {
    static PassPrinter printer(stderr);
    return &printer;
  }
  return nullptr;
}

}  // namespace asyncio
