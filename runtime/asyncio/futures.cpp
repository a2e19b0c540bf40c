// futures.cpp: FutureCore, the state machine of every future and task.
// Mirrors Lib/asyncio/futures.py (Future.cancel, set_result, set_exception, result,
// exception, add_done_callback, remove_done_callback, __schedule_callbacks, __del__) with the
// messages of Modules/_asynciomodule.c.
// Course: docs/05-futures.md
#include "asyncio/futures.hpp"

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

// A done callback is either a waiting task (its wakeup) or a user function.
struct FutureCore::DoneCallbackUser {
  std::function<void(FutureCore&)> fn;
  const char* name;
  CallbackKey key;
  const std::type_info* type;
};

struct FutureCore::DoneCallback {
  Ref<TaskCore> task;
  std::unique_ptr<DoneCallbackUser> user;
};

namespace {

// The handle of a scheduled done callback: fn(future). Described as CPython describes it,
// "on_done(<Future finished result=1>)", so an error in the callback names both.
class DoneCallbackHandle final : public Handle {
 public:
  using User = std::shared_ptr<FutureCore::DoneCallbackUser>;
  DoneCallbackHandle(FutureCore& future, User user)
      : Handle(Callback(), &future.get_loop(), nullptr), future_(&future), user_(std::move(user)) {}
  void run_() override {
    try {
      user_->fn(*future_);
    } catch (...) {
      ExceptionContext context;
      context.message = "Exception in callback " + description();
      context.exception = std::current_exception();
      context.handle = HandleRef(this);
      loop_->call_exception_handler(context);
    }
  }
  void cancel() override {
    Handle::cancel();
    user_.reset();
  }

 protected:
  std::string describe_callback_() const override {
    if (!user_) return "<cancelled>";
    if (user_->name) return user_->name;
    if (user_->type) return demangle(user_->type->name());
    return demangle(user_->fn.target_type().name());
  }
  std::string describe_args_() const override { return "(" + future_->repr() + ")"; }

 private:
  Ref<FutureCore> future_;
  User user_;
};

}  // namespace

void FutureCore::schedule_user_callback_(std::unique_ptr<DoneCallbackUser> user) {
  HandleRef handle(new DoneCallbackHandle(*this, std::shared_ptr<DoneCallbackUser>(std::move(user))));
  loop_->call_soon_handle_(handle.get());
}

FutureCore::FutureCore(BaseEventLoop& loop) : loop_(&loop) {}

FutureCore::~FutureCore() = default;

const std::string& FutureCore::cancel_message_() const noexcept {
  static const std::string empty;
  return cancel_message_ptr_ ? *cancel_message_ptr_ : empty;
}

std::exception_ptr FutureCore::make_cancelled_error_() {
  if (cancelled_exc_) return std::exchange(cancelled_exc_, nullptr);
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

bool FutureCore::cancel_(std::string msg) {
  log_traceback_ = false;
  if (state_ != FutureState::PENDING) return false;
  state_ = FutureState::CANCELLED;
  cancel_message_ptr_ = msg.empty() ? nullptr : std::make_unique<std::string>(std::move(msg));
  clear_value_();
  schedule_callbacks_();
  return true;
}

void FutureCore::set_exception(std::exception_ptr exception) {
  if (is_task_) throw RuntimeError("Task does not support set_exception operation");
  if (state_ != FutureState::PENDING) throw InvalidStateError("invalid state");
  if (!exception) throw TypeError("set_exception() needs an exception, got nullptr");
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
  if (!is_task_) loop_->tracer().emit(*loop_, [&](Observer& o) { o.future_done(*loop_, *this); });
  if (callbacks_.empty()) return;
  std::vector<DoneCallback> callbacks;
  callbacks.swap(callbacks_);
  for (DoneCallback& cb : callbacks) {
    if (cb.task) {
      cb.task->schedule_wakeup_(*this);
    } else {
      schedule_user_callback_(std::move(cb.user));
    }
  }
}

CallbackKey FutureCore::add_done_callback_(std::function<void(FutureCore&)> fn, const char* name, CallbackKey key,
                                           const std::type_info* type) {
  static CallbackKey next_key = 1;
  if (key == 0) key = (next_key += 2);  // odd: never equal to a function's address
  auto user = std::make_unique<DoneCallbackUser>(DoneCallbackUser{std::move(fn), name, key, type});
  if (state_ != FutureState::PENDING) {
    schedule_user_callback_(std::move(user));
  } else {
    callbacks_.push_back(DoneCallback{nullptr, std::move(user)});
  }
  return key;
}

std::size_t FutureCore::remove_done_callback_(CallbackKey key) {
  const auto before = callbacks_.size();
  std::erase_if(callbacks_, [key](const DoneCallback& cb) { return cb.user && cb.user->key == key; });
  return before - callbacks_.size();
}

void FutureCore::add_waiter_(TaskCore& task) {
  if (state_ != FutureState::PENDING) {
    task.schedule_wakeup_(*this);
    return;
  }
  callbacks_.push_back(DoneCallback{Ref<TaskCore>(&task), nullptr});
}

bool FutureCore::remove_waiter_(TaskCore& task) {
  const auto before = callbacks_.size();
  std::erase_if(callbacks_, [&task](const DoneCallback& cb) { return cb.task.get() == &task; });
  return before != callbacks_.size();
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
      } else if (value_repr_) {
        out += " result=" + value_repr_(*this);
      }
      break;
  }
  return out;
}

std::string FutureCore::repr() const {
  std::string out = "<Future " + state_repr_();
  if (!callbacks_.empty()) {
    out += " cb=[";
    for (std::size_t i = 0; i < callbacks_.size(); ++i) {
      if (i) out += ", ";
      const DoneCallback& cb = callbacks_[i];
      out += cb.task ? std::string("Task.task_wakeup()")
                     : (cb.user->name ? std::string(cb.user->name)
                        : cb.user->type ? demangle(cb.user->type->name())
                                        : std::string("<callback>")) + "()";
    }
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
      context.message = std::string(is_task_ ? "Task" : "Future") + " exception was never retrieved";
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
