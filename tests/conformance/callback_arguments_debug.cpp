// Rule: in debug mode the loop's logs name a callback with its arguments, as its handle's repr
// does: the slow-callback warning's first argument is `<Handle slow('k1', 2)>` (or a TimerHandle),
// and the exception handler's log says "Exception in callback bad_callback('k1')" with a handle
// line (base_events.py _run_once, default_exception_handler; events.py Handle._repr_info).
// C++: call_soon(named("slow", slow), "k1", 2).
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

// The TimerHandle's clock value differs from run to run; the twin drops it too.
std::string clean(std::string text) {
  if (const auto when = text.find("when="); when != std::string::npos) text.erase(when, text.find(' ', when) + 1 - when);
  return text;
}

template <class N>
void slow(const std::string&, const N&) {
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
}

void bad_callback(const std::string& key) { throw asyncio::ValueError(key); }

const char* level_name(asyncio::LogLevel level) {
  return level == asyncio::LogLevel::warning ? "WARNING" : level == asyncio::LogLevel::error ? "ERROR" : "OTHER";
}

}  // namespace

int main() {
  using asyncio::named;
  std::vector<asyncio::LogRecord> records;
  asyncio::set_log_record_sink([&records](const asyncio::LogRecord& r) { records.push_back(r); });
  asyncio::set_log_sink(nullptr);  // logger.propagate = False: nothing on stderr
  auto loop = asyncio::new_event_loop();
  loop->set_debug(true);
  loop->slow_callback_duration = 0.1;
  loop->call_soon(named("slow", slow<int>), "k1", 2);
  using Item = std::variant<int, double>;
  loop->call_later(0.001, named("slow", slow<std::vector<Item>>), "k2", std::vector<Item>{3, 4.5});
  loop->call_soon(named("bad_callback", bad_callback), "k3");
  loop->call_later(0.05, [&] { loop->stop(); }, "stop");
  loop->run_forever();
  loop->close();
  for (const auto& r : records) {
    if (r.msg.rfind("Executing", 0) == 0) {
      std::printf("%s %s\n", level_name(r.level), clean(r.args.at(0)).c_str());
    } else if (r.msg.rfind("Exception in callback", 0) == 0) {
      // The message's lines up to the exception's, which the logger's traceback prints.
      std::string text = r.msg.substr(0, r.msg.rfind('\n'));
      for (auto& c : text)
        if (c == '\n') c = '|';
      std::printf("%s %s %s\n", level_name(r.level), text.c_str(), asyncio::exception_repr(r.exc_info).c_str());
    }
  }
  asyncio::set_log_record_sink(nullptr);
}
