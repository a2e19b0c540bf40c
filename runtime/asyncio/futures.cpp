// futures.cpp: FutureCore, the state machine of every future and task.
// Mirrors Lib/asyncio/futures.py (Future.cancel, set_result, set_exception, result,
// exception, add_done_callback, remove_done_callback, __schedule_callbacks, __del__) with the
// messages of Modules/_asynciomodule.c.
// Course: docs/05-futures.md
#include "asyncio/futures.hpp"

#include "asyncio/graph.hpp"

#include "asyncio/tasks.hpp"

namespace asyncio {

const char* to_string(FutureState state) noexcept {
  switch (state) {
    case FutureState::PENDING: return "PENDING";
    case FutureState::CANCELLED: return "CANCELLED";
    case FutureState::FINISHED: return "FINISHED";
  }
  return "?";
}

namespace {

// A user's done callback and, once the future is done, the handle that runs it: fn(future).
// Made when the callback is added (one allocation for both); it refers to the future only once
// queued, so a pending future and its callbacks make no cycle. Described as CPython describes
// it, "on_done(<Future finished result=1>)", so an error in the callback names both.
class DoneCallbackHandle final : public Handle {
 public:
  // `run` calls the user's fn with the future (add_done_callback_ binds them).
  DoneCallbackHandle(BaseEventLoop* loop, Callback run, const char* name, CallbackKey key, const std::type_info* type)
      : Handle(std::move(run), loop, nullptr), cb_name_(name), key_(key), type_(type) {}
  void set_future_(FutureCore& future) { future_ = Ref<FutureCore>(&future); }
  CallbackKey key() const noexcept { return key_; }
  // The name futures' reprs show in cb=[...].
  std::string short_name() const {
    return cb_name_ ? std::string(cb_name_) : type_ ? demangle(type_->name()) : std::string("<callback>");
  }

 protected:
  std::string describe_callback_() const override {
    if (!callback_) return "<cancelled>";
    if (cb_name_) return cb_name_;
    return demangle(type_->name());
  }
  std::string describe_args_() const override { return "(" + future_->repr() + ")"; }

 private:
  Ref<FutureCore> future_;
  const char* cb_name_;
  CallbackKey key_;
  const std::type_info* type_;  // the user's callable (never nullptr)
};

DoneCallbackHandle& user_handle(Handle& h) noexcept { return static_cast<DoneCallbackHandle&>(h); }

}  // namespace

// ---------------------------------------------------------------- the done-callback list

FutureCore::DoneCallback FutureCore::DoneCallback::waiter(TaskCore& task) noexcept {
  task.incref_();
  DoneCallback cb;
  cb.bits_ = reinterpret_cast<std::uintptr_t>(static_cast<FutureCore*>(&task));
  return cb;
}

FutureCore::DoneCallback FutureCore::DoneCallback::user(Handle& handle) noexcept {
  handle.incref_();
  DoneCallback cb;
  cb.bits_ = reinterpret_cast<std::uintptr_t>(&handle) | 1;
  return cb;
}

TaskCore* FutureCore::DoneCallback::task() const noexcept {
  if (bits_ == 0 || (bits_ & 1)) return nullptr;
  return static_cast<TaskCore*>(reinterpret_cast<FutureCore*>(bits_));
}

void FutureCore::DoneCallback::release_() noexcept {
  const std::uintptr_t bits = std::exchange(bits_, 0);
  if (bits & 1) {
    reinterpret_cast<Handle*>(bits & ~std::uintptr_t{1})->decref_();
  } else {
    reinterpret_cast<FutureCore*>(bits)->decref_();
  }
}

void FutureCore::push_callback_(DoneCallback cb) {
  if (!first_callback_) {
    first_callback_ = std::move(cb);
    return;
  }
  Rare& rare = rare_make_();
  if (!rare.more_callbacks) rare.more_callbacks = std::make_unique<std::vector<DoneCallback>>();
  rare.more_callbacks->push_back(std::move(cb));
}

template <class Pred>
std::size_t FutureCore::erase_callbacks_(Pred pred) {
  std::size_t removed = 0;
  if (first_callback_ && pred(first_callback_)) {
    first_callback_.reset();
    ++removed;
  }
  if (std::vector<DoneCallback>* more = more_callbacks_()) {
    removed += std::erase_if(*more, pred);
    if (!first_callback_ && !more->empty()) {
      first_callback_ = std::move(more->front());
      more->erase(more->begin());
    }
  }
  return removed;
}

const std::string& FutureCore::cancel_message_() const noexcept {
  static const std::string empty;
  return rare_ ? rare_->cancel_message : empty;
}

void FutureCore::set_cancel_message_(std::string msg) {
  if (!msg.empty()) {
    rare_make_().cancel_message = std::move(msg);
  } else if (rare_) {
    rare_->cancel_message.clear();
  }
}

std::exception_ptr FutureCore::make_cancelled_error_() {
  // A task's saved CancelledError (exception_ holds it once cancelled), handed out once.
  if (exception_) return std::exchange(exception_, nullptr);
  return std::make_exception_ptr(CancelledError(cancel_message_()));
}

void FutureCore::check_result_() {
  if (state_ == FutureState::CANCELLED) std::rethrow_exception(make_cancelled_error_());
  if (state_ != FutureState::FINISHED) throw InvalidStateError("Result is not set.");
  log_traceback_ = false;
  if (exception_) std::rethrow_exception(exception_);
}

std::exception_ptr FutureCore::exception() {
  if (state_ == FutureState::CANCELLED) std::rethrow_exception(make_cancelled_error_());
  if (state_ != FutureState::FINISHED) throw InvalidStateError("Exception is not set.");
  log_traceback_ = false;
  return exception_;
}

bool FutureCore::cancel(std::string msg) { return cancel_(std::move(msg)); }

void FutureCore::refuse_set_(const char* op) const {
  if (is_task_) throw RuntimeError(std::string("Task does not support ") + op + " operation");
  throw InvalidStateError("invalid state");
}

bool FutureCore::cancel_(std::string msg) {
  log_traceback_ = false;
  if (state_ != FutureState::PENDING) return false;
  state_ = FutureState::CANCELLED;
  set_cancel_message_(std::move(msg));
  clear_value_();
  schedule_callbacks_();
  return true;
}

void FutureCore::set_exception(std::exception_ptr exception) {
  if (is_task_) throw RuntimeError("Task does not support set_exception operation");
  if (state_ != FutureState::PENDING) throw InvalidStateError("invalid state");
  if (!exception) throw TypeError("set_exception() needs an exception, got nullptr");
  // `type(exception) is StopIteration`: the exact class, not a subclass.
  if (const std::type_info* type = exception.__cxa_exception_type(); type && *type == typeid(StopIteration))
    throw TypeError("StopIteration interacts badly with generators and cannot be raised into a Future");
  set_exception_(std::move(exception));
}

void FutureCore::set_exception_(std::exception_ptr exception) {
  exception_ = std::move(exception);
  state_ = FutureState::FINISHED;
  log_traceback_ = true;
  schedule_callbacks_();
}

void FutureCore::set_result_() {
  state_ = FutureState::FINISHED;
  schedule_callbacks_();
}

// Every callback goes through call_soon, in registration order: none runs inline.
void FutureCore::schedule_callbacks_() {
  if (!is_task_) watch_reach_ = false;  // [reach] done: no task waits on it any more
  if (in_graph_flag_) [[unlikely]] detail::graph_child_done_(*this);  // [graph] no longer awaited
  if (!is_task_) loop_->tracer().emit(*loop_, [&](Observer& o) { o.future_done(*loop_, *this); });
  if (!first_callback_) return;
  DoneCallback first = std::move(first_callback_);
  if (!rare_) [[likely]] {  // one callback, nothing else to take (future_pingpong, every await)
    schedule_callback_(first);
    return;
  }
  std::unique_ptr<std::vector<DoneCallback>> more = std::move(rare_->more_callbacks);
  schedule_callback_(first);
  if (more)
    for (DoneCallback& cb : *more) schedule_callback_(cb);
}

void FutureCore::schedule_callback_(DoneCallback& cb) {
  if (TaskCore* task = cb.task()) {
    task->watch_reach_ = false;  // [reach] woken: no longer waiting
    task->schedule_wakeup_(*this);
  } else {
    Handle& handle = cb.handle();
    user_handle(handle).set_future_(*this);
    loop_->call_soon_handle_(&handle);
    loop_->tracer().emit(*loop_, [&](Observer& o) {
      o.handle_scheduled(*loop_, handle, ScheduleHow::done_callback, this, kNoDelay);
    });
  }
}

CallbackKey FutureCore::add_done_callback_handle_(Callback run, const char* name, CallbackKey key,
                                                  const std::type_info* type) {
  static CallbackKey next_key = 1;
  if (key == 0) key = (next_key += 2);  // odd: never equal to a function's address
  DoneCallback cb = DoneCallback::user(*new DoneCallbackHandle(loop_.get(), std::move(run), name, key, type));
  if (state_ != FutureState::PENDING) {
    schedule_callback_(cb);
  } else {
    push_callback_(std::move(cb));
  }
  return key;
}

std::size_t FutureCore::remove_done_callback_(CallbackKey key) {
  return erase_callbacks_([key](const DoneCallback& cb) {
    return cb.is_user() && user_handle(cb.handle()).key() == key;
  });
}

void FutureCore::add_waiter_(TaskCore& task) {
  if (state_ != FutureState::PENDING) {
    task.schedule_wakeup_(*this);
    return;
  }
  push_callback_(DoneCallback::waiter(task));
  watch_reach_ = true;  // [reach] both counts matter while the task waits
  task.watch_reach_ = true;
}

// [reach] A count went down while a task waits on this future, or while this task waits.
void FutureCore::reach_check_() noexcept {
  if (is_task_) {
    static_cast<TaskCore*>(this)->check_unreachable_();
  } else if (TaskCore* task = first_callback_.task(); task && !more_callbacks_()) {
    task->check_unreachable_();
  }
}

bool FutureCore::remove_waiter_(TaskCore& task) {
  return erase_callbacks_([&task](const DoneCallback& cb) { return cb.task() == &task; }) != 0;
}

std::string FutureCore::state_repr_() const {
  std::string out;
  switch (state_) {
    case FutureState::PENDING: out = "pending"; break;
    case FutureState::CANCELLED: out = "cancelled"; break;
    case FutureState::FINISHED:
      out = "finished";
      if (exception_) {
        out += " exception=" + exception_repr(exception_);
      } else if (std::string value = value_repr_(); !value.empty()) {
        out += " result=" + value;
      }
      break;
  }
  return out;
}

void FutureCore::clear_callbacks_() noexcept {
  first_callback_.reset();
  if (rare_) rare_->more_callbacks.reset();
}

std::string FutureCore::repr() const {
  std::string out = std::string("<") + class_name_() + " " + state_repr_();
  if (first_callback_) {
    auto name = [](const DoneCallback& cb) {
      return cb.task() ? std::string("Task.task_wakeup()") : user_handle(cb.handle()).short_name() + "()";
    };
    out += " cb=[" + name(first_callback_);
    if (const std::vector<DoneCallback>* more = more_callbacks_())
      for (const DoneCallback& cb : *more) out += ", " + name(cb);
    out += "]";
  }
  return out + ">";
}

// The last reference is gone. An exception nobody retrieved is reported now (CPython does it
// in __del__); a handler that keeps the future alive resurrects it, as __del__ can.
void FutureCore::destroy_() noexcept {
  if (log_traceback_ && exception_) {
    log_traceback_ = false;
    refs_ = 1;
    try {
      ExceptionContext context;
      context.message = std::string(class_name_()) + " exception was never retrieved";
      context.exception = exception_;
      context.future = Ref<FutureCore>(this);
      loop_->call_exception_handler(context);
    } catch (...) {
    }
    if (--refs_ > 0) return;
  }
  delete this;
}

}  // namespace asyncio
