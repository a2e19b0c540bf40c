// Rule: the asyncio logger's records carry the message template, its arguments and the exception
// (logging.LogRecord): the slow-callback warning of debug mode is 'Executing %s took %.3f seconds'
// with two arguments (base_events.py _run_once), and "Exception in callback ..." is logged at
// ERROR with exc_info set (default_exception_handler). C++: set_log_record_sink.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

void slow() { std::this_thread::sleep_for(std::chrono::milliseconds(150)); }

void bad() { throw asyncio::ValueError("k1"); }

const char* level_name(asyncio::LogLevel level) {
  switch (level) {
    case asyncio::LogLevel::debug: return "DEBUG";
    case asyncio::LogLevel::info: return "INFO";
    case asyncio::LogLevel::warning: return "WARNING";
    case asyncio::LogLevel::error: return "ERROR";
  }
  return "?";
}

}  // namespace

int main() {
  std::vector<asyncio::LogRecord> records;
  asyncio::set_log_record_sink([&records](const asyncio::LogRecord& r) { records.push_back(r); });
  asyncio::set_log_sink(nullptr);  // logger.propagate = False: nothing on stderr
  auto loop = asyncio::new_event_loop();
  loop->set_debug(true);
  loop->slow_callback_duration = 0.1;
  loop->call_soon(slow, "slow");
  loop->call_soon([&] { loop->stop(); }, "stop");
  loop->run_forever();
  loop->set_debug(false);
  loop->call_soon(bad, "bad");
  loop->call_soon([&] { loop->stop(); }, "stop");
  loop->run_forever();
  loop->close();
  for (const auto& r : records) {
    if (r.msg.rfind("Executing", 0) == 0) {
      std::printf("%s %s args: %zu seconds >= 0.1: %s\n", level_name(r.level), asyncio::py_repr(r.msg).c_str(),
                  r.args.size(), std::stod(r.args.at(1)) >= 0.1 ? "True" : "False");
    } else {
      std::string first = r.msg.substr(0, r.msg.find('\n'));
      std::printf("%s %s exc_info: %s\n", level_name(r.level), asyncio::py_repr(first).c_str(),
                  r.exc_info ? asyncio::exception_repr(r.exc_info).c_str() : "None");
    }
  }
  asyncio::set_log_record_sink(nullptr);
}
