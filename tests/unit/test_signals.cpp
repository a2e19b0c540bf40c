// test_signals.cpp: add_signal_handler / remove_signal_handler through the self-pipe.
// Mirrors Lib/test/test_asyncio/test_unix_events.py (SelectorEventLoopSignalTests): the C
// handler only writes the signal number; the callback runs in a later pass of the loop.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::TestLoop;
using test_support::run_one_pass;

namespace {
// doctest catches SIGINT itself; the runner only takes over a SIGINT left at its default.
struct DefaultSigint {
  struct sigaction saved{};
  DefaultSigint() {
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(SIGINT, &dfl, &saved);
  }
  DefaultSigint(const DefaultSigint&) = delete;
  DefaultSigint& operator=(const DefaultSigint&) = delete;
  ~DefaultSigint() { ::sigaction(SIGINT, &saved, nullptr); }
};

bool is_default(int sig) {
  struct sigaction current{};
  ::sigaction(sig, nullptr, &current);
  return current.sa_handler == SIG_DFL;
}
}  // namespace

TEST_SUITE("signals") {
  TEST_CASE("a signal's callback runs in a later pass, never inside the C handler") {
    TestLoop loop;
    std::vector<std::string> order;
    loop->add_signal_handler(SIGUSR1, [&] {
      order.push_back("handler");
      get_running_loop().stop();
    });
    loop->call_soon([&] {
      ::kill(::getpid(), SIGUSR1);
      order.push_back("after kill");
    });
    loop->run_forever();  // blocks in select until the self-pipe has the signal number
    CHECK(order == std::vector<std::string>{"after kill", "handler"});
    CHECK(loop->remove_signal_handler(SIGUSR1));
    CHECK_FALSE(loop->remove_signal_handler(SIGUSR1));
    CHECK(is_default(SIGUSR1));
  }

  TEST_CASE("a signal reaches its callback while the loop always has work ready and never waits") {
    // Passes with work ready skip the zero-timeout poll while only the self-pipe is registered;
    // a signal number written into the pipe must end that, or a busy loop would never see it.
    TestLoop loop;
    bool handled = false;
    int passes_after_kill = -1;
    loop->add_signal_handler(SIGUSR1, [&] { handled = true; });
    std::function<void()> busy = [&] {
      if (passes_after_kill >= 0) ++passes_after_kill;
      if (!handled && passes_after_kill < 100) get_running_loop().call_soon(busy, "busy");
    };
    loop->call_soon(busy, "busy");
    loop->call_soon([&] {
      ::kill(::getpid(), SIGUSR1);
      passes_after_kill = 0;
    });
    for (int i = 0; i < 200 && !handled; ++i) run_one_pass(*loop);
    CHECK(handled);
    // The pass after the kill polls and queues _read_from_self; the one after runs the callback.
    CHECK(passes_after_kill <= 3);
    CHECK(loop->remove_signal_handler(SIGUSR1));
  }

  TEST_CASE("signal numbers are checked as CPython checks them") {
    TestLoop loop;
    CHECK_THROWS_WITH_AS(loop->add_signal_handler(0, [] {}), ("sig 0 out of range(1, " + std::to_string(NSIG) + ")").c_str(),
                         ValueError);
    CHECK_THROWS_WITH_AS(loop->add_signal_handler(SIGKILL, [] {}), "sig 9 cannot be caught", RuntimeError);
  }

  TEST_CASE("closing the loop gives every signal back its default handling") {
    TestLoop loop;
    loop->add_signal_handler(SIGUSR2, [] {});
    CHECK_FALSE(is_default(SIGUSR2));
    loop->close();
    CHECK(is_default(SIGUSR2));
  }
}

TEST_SUITE("signals") {
  TEST_CASE("asyncio::run turns the first Ctrl-C into cancelling the main task, then KeyboardInterrupt") {
    DefaultSigint sigint;
    bool saw_cancel = false;
    CHECK_THROWS_AS(asyncio::run([&] {
      ::kill(::getpid(), SIGINT);
      try {
        await(get_running_loop().create_future<void>());
      } catch (const CancelledError&) {
        saw_cancel = true;
        throw;
      }
    }),
                    KeyboardInterrupt);
    CHECK(saw_cancel);
    CHECK(is_default(SIGINT));  // the runner put the default handling back
  }

  TEST_CASE("a second Ctrl-C while the main task ignores the first raises KeyboardInterrupt") {
    DefaultSigint sigint;
    int cancels = 0;
    CHECK_THROWS_AS(asyncio::run([&] {
      ::kill(::getpid(), SIGINT);
      for (;;) {
        try {
          await(get_running_loop().create_future<void>());
        } catch (const CancelledError&) {
          if (++cancels > 1) throw;         // the runner's shutdown cancels it again
          ::kill(::getpid(), SIGINT);        // swallow the first, ask for a second
        }
      }
    }),
                    KeyboardInterrupt);
    CHECK(cancels == 2);
    CHECK(is_default(SIGINT));
  }
}
