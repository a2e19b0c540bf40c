// warnings.cpp: the runtime's warnings filter and sink.
// Mirrors Lib/warnings.py (warn, simplefilter, showwarning) for the runtime's ResourceWarnings.
// Course: docs/architecture.md ("Who owns what")
#include "asyncio/warnings.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>

namespace asyncio::warnings {

namespace {
struct State {
  std::mutex mutex;
  bool enabled;
  bool runtime_enabled = true;  // RuntimeWarning: shown by Python's default filters
  Sink sink;
  State() {
    const char* env = std::getenv("PYTHONWARNINGS");
    enabled = env && (std::strstr(env, "default") || std::strstr(env, "always"));
  }
};
State& state() {
  static State s;
  return s;
}
}  // namespace

void simplefilter(const std::string& action) {
  std::lock_guard lock(state().mutex);
  state().enabled = action == "default" || action == "always";
  state().runtime_enabled = action != "ignore";
}

void filterwarnings(const std::string& action, const std::string& category) {
  std::lock_guard lock(state().mutex);
  const bool on = action == "default" || action == "always";
  (category == "RuntimeWarning" ? state().runtime_enabled : state().enabled) = on;
}

bool enabled(const std::string& category) noexcept {
  std::lock_guard lock(state().mutex);
  return category == "RuntimeWarning" ? state().runtime_enabled : state().enabled;
}

bool enabled() noexcept {
  std::lock_guard lock(state().mutex);
  return state().enabled;
}

void set_sink(Sink sink) {
  std::lock_guard lock(state().mutex);
  state().sink = std::move(sink);
}

void warn(const std::string& message, const std::string& category) noexcept {
  try {
    Sink sink;
    {
      std::lock_guard lock(state().mutex);
      if (!(category == "RuntimeWarning" ? state().runtime_enabled : state().enabled)) return;
      sink = state().sink;
    }
    if (sink) {
      sink(category, message);
    } else {
      std::cerr << category << ": " << message << std::endl;
    }
  } catch (...) {
    // A warning must never take the program down (it is reported from destructors).
  }
}

}  // namespace asyncio::warnings
