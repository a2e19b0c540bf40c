// events.cpp: Handle and TimerHandle, and the per-thread current loop.
// Mirrors Lib/asyncio/events.py (Handle._run, Handle.cancel, TimerHandle.cancel,
// get_running_loop, get_event_loop, set_event_loop, new_event_loop).
// Course: docs/04-handles-and-timers.md
#include "asyncio/events.hpp"

#include <cstdio>
#include <sstream>
#include <typeinfo>
#include <unordered_map>

#include "asyncio/base_events.hpp"
#include "asyncio/exceptions.hpp"
#include "asyncio/futures.hpp"
#include "asyncio/selector_events.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

Handle::Handle(Callback&& callback, BaseEventLoop* loop, const char* name) noexcept
    : callback_(std::move(callback)), loop_(loop), name_(name) {}

void Handle::cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  if (loop_) loop_->tracer().emit(*loop_, [&](Observer& o) { o.handle_cancelled(*loop_, *this); });
  // CPython keeps repr(self) only in debug mode (Handle.cancel); otherwise repr forgets the callback.
  repr_keeps_callback_ = loop_ != nullptr && loop_->get_debug();
  // Drop what the callback captured now, as CPython sets _callback and _args to None; but
  // not under a callback that is running (a reader removing itself): run_() drops it after.
  if (!running_) drop_callback_();
}

namespace {
// What a cancelled handle keeps in debug mode in place of its callback: the printed arguments.
struct KeptArgs {
  std::string text;
  void operator()() const noexcept {}
  std::string args_repr() const { return text; }
};
}  // namespace

void Handle::drop_callback_() noexcept {
  if (!callback_type_) callback_type_ = &callback_.target_type();  // the description keeps naming it
  if (repr_keeps_callback_ && callback_.describes_args()) {
    try {
      callback_ = Callback(KeptArgs{callback_.args_repr()});
      return;
    } catch (...) {
      // Out of memory while printing: the repr shows "()" instead of the arguments.
    }
  }
  callback_.reset();
}

std::string Handle::describe_args_() const {
  return callback_.describes_args() ? callback_.args_repr() : std::string("()");
}

namespace {
// A callback type's demangled name, worked out once per type and thread: a trace describes the
// handle in every event it writes, and __cxa_demangle was a quarter of the cost of an event.
// Keyed by the type_info, whose name lives as long as the program.
const std::string& demangled_name(const std::type_info& type) {
  thread_local std::unordered_map<const std::type_info*, std::string> names;
  auto it = names.find(&type);
  if (it == names.end()) it = names.emplace(&type, demangle(type.name())).first;
  return it->second;
}
}  // namespace

std::string Handle::describe_callback_() const {
  if (name_) return name_;
  const std::type_info& type = callback_type_ ? *callback_type_ : callback_.target_type();
  if (type == typeid(void)) return "<empty callback>";
  return demangled_name(type);
}

std::string Handle::description() const { return describe_callback_() + describe_args_(); }

std::string Handle::repr() const {
  if (!cancelled_) return "<Handle " + description() + ">";
  return repr_keeps_callback_ ? "<Handle cancelled " + description() + ">" : std::string("<Handle cancelled>");
}

void Handle::run_() {
  struct Running {
    Handle& h;
    explicit Running(Handle& handle) : h(handle) { h.running_ = true; }
    ~Running() {
      h.running_ = false;
      if (h.cancelled_) h.drop_callback_();
    }
  };
  try {
    Running running(*this);
    callback_();
  } catch (...) {
    report_exception_(std::current_exception());
  }
}

void Handle::report_exception_(std::exception_ptr exception) {
  // Handle._run: SystemExit and KeyboardInterrupt are never swallowed; they leave the loop.
  if (is_exit_or_interrupt(exception)) std::rethrow_exception(exception);
  loop_->tracer().emit(*loop_, [&](Observer& o) {
    o.callback_raised(*loop_, *this, exception, static_cast<bool>(loop_->get_exception_handler()));
  });
  ExceptionContext context;
  context.message = "Exception in callback " + description();
  context.exception = std::move(exception);
  context.handle = HandleRef(this);
  loop_->call_exception_handler(context);
}

void TimerHandle::cancel() {
  if (!cancelled_) loop_->timer_handle_cancelled_(*this);
  Handle::cancel();
}

std::string TimerHandle::repr() const {
  std::ostringstream out;
  out << "<TimerHandle " << (cancelled_ ? "cancelled " : "") << "when=" << py_float_repr(when_);
  if (!cancelled_ || repr_keeps_callback_) out << " " << description();
  out << ">";
  return out.str();
}

ExceptionContext::ExceptionContext() = default;
ExceptionContext::ExceptionContext(const ExceptionContext&) = default;
ExceptionContext::ExceptionContext(ExceptionContext&&) noexcept = default;
ExceptionContext& ExceptionContext::operator=(const ExceptionContext&) = default;
ExceptionContext& ExceptionContext::operator=(ExceptionContext&&) noexcept = default;
ExceptionContext::~ExceptionContext() = default;

namespace {
thread_local BaseEventLoop* running_loop = nullptr;
thread_local Ref<BaseEventLoop> thread_loop;
}  // namespace

void set_running_loop_(BaseEventLoop* loop) noexcept { running_loop = loop; }

BaseEventLoop* get_running_loop_or_null() noexcept { return running_loop; }

BaseEventLoop& get_running_loop() {
  if (!running_loop) throw RuntimeError("no running event loop");
  return *running_loop;
}

BaseEventLoop& get_event_loop() {
  if (running_loop) return *running_loop;
  if (!thread_loop) thread_loop = new_event_loop();
  return *thread_loop;
}

void set_event_loop(Ref<BaseEventLoop> loop) { thread_loop = std::move(loop); }

Ref<BaseEventLoop> new_event_loop() {
  return Ref<BaseEventLoop>(new SelectorEventLoop(std::make_unique<selectors::DefaultSelector>()));
}

}  // namespace asyncio
