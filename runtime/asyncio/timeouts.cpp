// timeouts.cpp: the Timeout state machine and its timer.
// Mirrors Lib/asyncio/timeouts.py (Timeout.reschedule, __aenter__, __aexit__, _on_timeout) as
// of 3.11.7 (uncancel() compared with the count at entry). Course: docs/09-composing-tasks.md
#include "asyncio/timeouts.hpp"

#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace asyncio {

const char* to_string(Timeout::State state) noexcept {
  switch (state) {
    case Timeout::State::CREATED: return "created";
    case Timeout::State::ENTERED: return "active";
    case Timeout::State::EXPIRING: return "expiring";
    case Timeout::State::EXPIRED: return "expired";
    case Timeout::State::EXITED: return "finished";
  }
  return "?";
}

Timeout::~Timeout() {
  if (timeout_handler_) timeout_handler_->cancel();
}

void Timeout::reschedule(std::optional<double> when) {
  if (state_ != State::ENTERED) {
    if (state_ == State::CREATED) throw RuntimeError("Timeout has not been entered");
    throw RuntimeError(std::string("Cannot change state of ") + to_string(state_) + " Timeout");
  }
  when_ = when;
  if (timeout_handler_) timeout_handler_->cancel();
  if (!when) {
    timeout_handler_ = nullptr;
    return;
  }
  BaseEventLoop& loop = get_running_loop();
  if (*when <= loop.time()) {
    timeout_handler_ = loop.call_soon([this] { on_timeout_(); }, "Timeout._on_timeout");
  } else {
    timeout_handler_ = loop.call_at(*when, [this] { on_timeout_(); }, "Timeout._on_timeout");
  }
}

std::string Timeout::repr() const {
  std::string info;
  if (state_ == State::ENTERED) {
    if (when_) {
      // round(when, 3), printed as Python prints a float (shortest repr).
      const double rounded = std::round(*when_ * 1000.0) / 1000.0;
      char buf[64];
      for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, rounded);
        if (std::strtod(buf, nullptr) == rounded) break;
      }
      std::string text = buf;
      if (text.find_first_of(".en") == std::string::npos) text += ".0";
      info = " when=" + text;
    } else {
      info = " when=None";
    }
  }
  return std::string("<Timeout [") + to_string(state_) + "]" + info + ">";
}

void Timeout::aenter() {
  if (state_ != State::CREATED) throw RuntimeError("Timeout has already been entered");
  Ref<TaskCore> task = current_task();
  if (!task) throw RuntimeError("Timeout should be used inside a task");
  state_ = State::ENTERED;
  task_ = std::move(task);
  cancelling_ = task_->cancelling();
  reschedule(when_);
}

void Timeout::aexit(const std::exception_ptr& exc) {
  assert(state_ == State::ENTERED || state_ == State::EXPIRING);
  if (timeout_handler_) {
    timeout_handler_->cancel();
    timeout_handler_ = nullptr;
  }
  if (state_ == State::EXPIRING) {
    state_ = State::EXPIRED;
    // Ours only if no one else asked for a cancellation since we entered. `raise TimeoutError
    // from exc_val` while exc_val is handled: the CancelledError is cause and context.
    if (task_->uncancel() <= cancelling_ && is_cancelled_error(exc)) throw with_cause(TimeoutError(), exc, exc);
  } else if (state_ == State::ENTERED) {
    state_ = State::EXITED;
  }
}

void Timeout::on_timeout_() {
  assert(state_ == State::ENTERED);
  task_->cancel();
  state_ = State::EXPIRING;
  timeout_handler_ = nullptr;
}

}  // namespace asyncio
