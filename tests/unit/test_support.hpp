// test_support.hpp: small fixtures shared by the unit tests of the runtime core.
// A loop that is closed at the end of the test, a recorder for the loop's exception handler,
// a capture of the asyncio logger's lines (set_log_sink), and a connected socket pair.
// Course: none (test scaffolding).
#pragma once

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace test_support {

// A fresh loop (epoll unless told otherwise), closed when the test ends, as CPython's
// test_utils.TestCase closes its loop in tearDown.
struct TestLoop {
  asyncio::Ref<asyncio::BaseEventLoop> loop;
  explicit TestLoop(const std::string& selector_kind = "epoll") : loop(asyncio::new_event_loop(selector_kind)) {}
  TestLoop(const TestLoop&) = delete;
  TestLoop& operator=(const TestLoop&) = delete;
  ~TestLoop() {
    if (loop && !loop->is_running() && !loop->is_closed()) loop->close();
  }
  asyncio::BaseEventLoop* operator->() const noexcept { return loop.get(); }
  asyncio::BaseEventLoop& operator*() const noexcept { return *loop; }
};

// One pass with the loop running, CPython's test_utils.run_once: stop() queued behind what is
// ready ends run_forever after exactly this pass. Tasks need this rather than a bare
// run_once(): await and get_running_loop() look for the running loop.
inline void run_one_pass(asyncio::BaseEventLoop& loop) {
  loop.call_soon([&loop] { loop.stop(); }, "stop");
  loop.run_forever();
}

// Records what reaches the loop's exception handler: messages and the exceptions' reprs.
struct HandlerRecorder {
  std::vector<std::string> messages;
  std::vector<std::string> exceptions;  // exception_repr, "" when the context has none
  void attach(asyncio::BaseEventLoop& loop) {
    loop.set_exception_handler([this](asyncio::BaseEventLoop&, const asyncio::ExceptionContext& context) {
      messages.push_back(context.message);
      exceptions.push_back(context.exception ? asyncio::exception_repr(context.exception) : std::string());
    });
  }
};

// Captures every line the asyncio logger writes while it lives; restores a stderr sink
// (warnings and up, the library's default) afterwards.
struct LogCapture {
  std::vector<std::pair<asyncio::LogLevel, std::string>> lines;
  LogCapture() {
    asyncio::set_log_sink([this](asyncio::LogLevel level, const std::string& message) {
      lines.emplace_back(level, message);
    });
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  ~LogCapture() {
    asyncio::set_log_sink([](asyncio::LogLevel level, const std::string& message) {
      if (level >= asyncio::LogLevel::warning) std::cerr << message << std::endl;
    });
  }
  bool contains(const std::string& text) const {
    for (const auto& line : lines)
      if (line.second.find(text) != std::string::npos) return true;
    return false;
  }
};

// A connected AF_UNIX stream pair; closes whatever ends are still open.
struct SocketPair {
  int a = -1;
  int b = -1;
  SocketPair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    a = fds[0];
    b = fds[1];
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
  ~SocketPair() {
    close_a();
    close_b();
  }
  void close_a() {
    if (a >= 0) ::close(a);
    a = -1;
  }
  void close_b() {
    if (b >= 0) ::close(b);
    b = -1;
  }
};

}  // namespace test_support
