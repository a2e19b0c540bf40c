// test_uncaught_exit.cpp: how a program ends when a KeyboardInterrupt or SystemExit is never
// caught (issue 11, part 5), as CPython's interpreter ends it (Modules/main.c exit_sigint,
// Python/pythonrun.c handle_system_exit); and every runtime exception's what() says something.
// Each ending runs in a fork()ed child; the exception leaves a noexcept function there, which
// calls std::terminate exactly as an exception leaving main does.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {

struct Ending {
  int status = 0;
  std::string out, err;
};

std::string drain(int fd) {
  std::string text;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      text.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(fd);
  return text;
}

// The last line of text (with its newline). Before it, stderr may hold the loop's "Task exception
// was never retrieved" log of the main task, which CPython does not print at exit (left to the
// log-record work of issue 14).
std::string last_line(const std::string& text) {
  if (text.empty()) return text;
  const auto start = text.rfind('\n', text.size() - 2);
  return start == std::string::npos ? text : text.substr(start + 1);
}

// Runs main_ under asyncio::run in a child (or main_ alone, when it calls asyncio::run itself),
// nothing catching what leaves it.
Ending end_child(void (*main_)(), bool under_run = true) {
  int out[2], err[2];
  REQUIRE(::pipe(out) == 0);
  REQUIRE(::pipe(err) == 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    ::signal(SIGINT, SIG_DFL);
    [main_, under_run]() noexcept {
      if (under_run) {
        asyncio::run(main_);
      } else {
        main_();
      }
    }();
    std::puts("asyncio::run returned");
    std::fflush(nullptr);
    ::_exit(0);
  }
  ::close(out[1]);
  ::close(err[1]);
  Ending e;
  e.err = drain(err[0]);  // the child writes little: one pipe after the other cannot block it
  e.out = drain(out[0]);
  REQUIRE(::waitpid(pid, &e.status, 0) == pid);
  return e;
}

}  // namespace

TEST_SUITE("uncaught exit") {
  TEST_CASE("an uncaught KeyboardInterrupt prints KeyboardInterrupt, flushes stdout and dies by SIGINT") {
    const Ending e = end_child([] {
      asyncio::create_task([] {
        std::printf("buffered line\n");  // still in stdout's buffer: flushed before dying
        throw KeyboardInterrupt();
      });
      asyncio::sleep(1);
    });
    INFO("stdout: " << e.out << "stderr: " << e.err);
    REQUIRE(WIFSIGNALED(e.status));
    CHECK(WTERMSIG(e.status) == SIGINT);
    CHECK(last_line(e.err) == "KeyboardInterrupt\n");
    CHECK(e.err.find("KeyboardInterrupt\nKeyboardInterrupt\n") != std::string::npos);  // log, then the ending
    CHECK(e.out == "buffered line\n");
  }

  TEST_CASE("a KeyboardInterrupt with a message prints it as Python's last traceback line does") {
    const Ending e = end_child([] { throw KeyboardInterrupt("stop"); });
    INFO("stderr: " << e.err);
    REQUIRE(WIFSIGNALED(e.status));
    CHECK(WTERMSIG(e.status) == SIGINT);
    CHECK(last_line(e.err) == "KeyboardInterrupt: stop\n");
  }

  TEST_CASE("an uncaught SystemExit() exits with status 0, SystemExit(message) prints it and exits with 1") {
    const Ending quiet = end_child([] { throw SystemExit(); });
    REQUIRE(WIFEXITED(quiet.status));
    CHECK(WEXITSTATUS(quiet.status) == 0);
    // python3 -c 'import asyncio\nasync def main(): raise SystemExit()\nasyncio.run(main())' prints
    // nothing: _run_until_complete_cb retrieved the main task's exception (no "never retrieved"
    // log), and a SystemExit() with no message ends the program silently.
    CHECK(quiet.err.empty());
    CHECK(quiet.out.empty());  // not "asyncio::run returned": the program ended inside
    const Ending loud = end_child([] { throw SystemExit("bye"); });
    REQUIRE(WIFEXITED(loud.status));
    CHECK(WEXITSTATUS(loud.status) == 1);
    CHECK(last_line(loud.err) == "bye\n");
  }

  TEST_CASE("other exceptions keep the C++ runtime's ending (std::terminate's previous handler)") {
    const Ending e = end_child([] { throw ValueError("boom"); });
    REQUIRE(WIFSIGNALED(e.status));
    CHECK(WTERMSIG(e.status) == SIGABRT);
    CHECK(e.err.find("boom") != std::string::npos);
  }

  TEST_CASE("a KeyboardInterrupt that main catches is not ended by the handler") {
    const Ending e = end_child([] {
      try {
        asyncio::run([] { throw KeyboardInterrupt(); });
      } catch (const KeyboardInterrupt&) {
        std::puts("caught");
      }
    }, false);
    INFO("stderr: " << e.err);
    REQUIRE(WIFEXITED(e.status));
    CHECK(e.out == "caught\nasyncio::run returned\n");
  }
}

TEST_SUITE("exceptions") {
  TEST_CASE("every runtime exception has a non-empty what(): its message, else its class name") {
#define ASYNCIO_CHECK_WHAT(Name)                                  \
  do {                                                            \
    const Name e;                                                 \
    CHECK(std::string(e.what()) == #Name);                        \
    CHECK(std::string(Name("why").what()) == "why");              \
  } while (false)
    ASYNCIO_CHECK_WHAT(BaseException);
    ASYNCIO_CHECK_WHAT(Exception);
    ASYNCIO_CHECK_WHAT(RuntimeError);
    ASYNCIO_CHECK_WHAT(NotImplementedError);
    ASYNCIO_CHECK_WHAT(RecursionError);
    ASYNCIO_CHECK_WHAT(ValueError);
    ASYNCIO_CHECK_WHAT(TypeError);
    ASYNCIO_CHECK_WHAT(LookupError);
    ASYNCIO_CHECK_WHAT(KeyError);
    ASYNCIO_CHECK_WHAT(IndexError);
    ASYNCIO_CHECK_WHAT(EOFError);
    ASYNCIO_CHECK_WHAT(ZeroDivisionError);
    ASYNCIO_CHECK_WHAT(OSError);
    ASYNCIO_CHECK_WHAT(ConnectionError);
    ASYNCIO_CHECK_WHAT(ConnectionResetError);
    ASYNCIO_CHECK_WHAT(ConnectionRefusedError);
    ASYNCIO_CHECK_WHAT(ConnectionAbortedError);
    ASYNCIO_CHECK_WHAT(BrokenPipeError);
    ASYNCIO_CHECK_WHAT(BlockingIOError);
    ASYNCIO_CHECK_WHAT(InterruptedError);
    ASYNCIO_CHECK_WHAT(FileNotFoundError);
    ASYNCIO_CHECK_WHAT(PermissionError);
    ASYNCIO_CHECK_WHAT(gaierror);
    ASYNCIO_CHECK_WHAT(TimeoutError);
    ASYNCIO_CHECK_WHAT(CancelledError);
    ASYNCIO_CHECK_WHAT(KeyboardInterrupt);
    ASYNCIO_CHECK_WHAT(SystemExit);
    ASYNCIO_CHECK_WHAT(InvalidStateError);
    ASYNCIO_CHECK_WHAT(SendfileNotAvailableError);
    ASYNCIO_CHECK_WHAT(BrokenBarrierError);
    ASYNCIO_CHECK_WHAT(QueueEmpty);
    ASYNCIO_CHECK_WHAT(QueueFull);
#undef ASYNCIO_CHECK_WHAT
    // The classes that always carry a message.
    CHECK(std::string(IncompleteReadError("", 4).what()) == "0 bytes read on a total of 4 expected bytes");
    CHECK(std::string(LimitOverrunError("", 0).what()) == "LimitOverrunError");
    CHECK(std::string(ExceptionGroup("", {std::make_exception_ptr(ValueError())}).what()) != "");
    CHECK(std::string(BaseExceptionGroup("", {std::make_exception_ptr(CancelledError())}).what()) != "");
    // str() stays Python's: empty without a message.
    CHECK(exception_str(std::make_exception_ptr(KeyboardInterrupt())).empty());
  }
}
