// test_fibers.cpp: the fiber switch, exception capture, unwinding, the stack pool, many live
// tasks, and the stack-overflow report.
// A C++-only module (tasks run on fibers where CPython runs generator frames), so these tests
// have no CPython counterpart; the 100,000-task case is the scale requirement.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using asyncio::fibers::Fiber;
using test_support::run_one_pass;
using test_support::TestLoop;

namespace {

// What a test fiber's entry works on: the fiber itself (to suspend) and a log of what it did.
struct Script {
  Fiber fiber;
  std::vector<int> log;
  Fiber* seen_current = nullptr;
};

void suspend_twice(void* arg) {
  auto* s = static_cast<Script*>(arg);
  s->seen_current = Fiber::current();
  s->log.push_back(1);
  s->fiber.suspend();
  s->log.push_back(2);
  s->fiber.suspend();
  s->log.push_back(3);
}

void throw_value_error(void* arg) {
  static_cast<Script*>(arg)->log.push_back(1);
  throw ValueError("from the fiber");
}

// Sets *flag when destroyed: proves a suspended fiber's stack was unwound.
struct SetOnDestroy {
  bool* flag;
  ~SetOnDestroy() { *flag = true; }
};

struct UnwindScript {
  Fiber fiber;
  bool destroyed = false;
  bool resumed_after_suspend = false;
};

void suspend_holding_a_local(void* arg) {
  auto* s = static_cast<UnwindScript*>(arg);
  SetOnDestroy local{&s->destroyed};
  s->fiber.suspend();
  s->resumed_after_suspend = true;
}

struct ExternalFlagScript {
  Fiber fiber;
  bool* destroyed;
};

void suspend_holding_external(void* arg) {
  auto* s = static_cast<ExternalFlagScript*>(arg);
  SetOnDestroy local{s->destroyed};
  s->fiber.suspend();
}

void return_at_once(void*) {}

// Deep enough to pass any stack this runtime hands out; the frame is kept by the use of pad
// after the call, so the compiler cannot turn the recursion into a loop.
int recurse(int depth) {
  volatile char pad[512];
  pad[0] = static_cast<char>(depth);
  if (depth == 0) return pad[0];
  return recurse(depth - 1) + pad[0];
}

}  // namespace

TEST_SUITE("fibers") {
  TEST_CASE("a fiber runs until it suspends, resumes where it left off and finishes") {
    Script s;
    CHECK_FALSE(s.fiber.started());
    s.fiber.start(&suspend_twice, &s, 0, "script");
    CHECK(s.fiber.started());
    CHECK(s.log.empty());  // start() only prepares it

    CHECK_FALSE(s.fiber.resume());
    CHECK(s.log == std::vector<int>{1});
    CHECK(s.fiber.suspended());
    CHECK(s.seen_current == &s.fiber);
    CHECK(Fiber::current() == nullptr);

    CHECK_FALSE(s.fiber.resume());
    CHECK(s.log == std::vector<int>{1, 2});

    CHECK(s.fiber.resume());
    CHECK(s.log == std::vector<int>{1, 2, 3});
    CHECK(s.fiber.finished());
    CHECK_FALSE(s.fiber.suspended());
    CHECK(s.fiber.take_exception() == nullptr);
  }

  TEST_CASE("an exception escaping the entry is captured, not thrown across the switch") {
    Script s;
    s.fiber.start(&throw_value_error, &s, 0, "thrower");
    bool finished = false;
    CHECK_NOTHROW(finished = s.fiber.resume());
    CHECK(finished);
    CHECK(s.log == std::vector<int>{1});
    std::exception_ptr e = s.fiber.take_exception();
    REQUIRE(e != nullptr);
    CHECK(exception_repr(e) == "ValueError('from the fiber')");
    CHECK(s.fiber.take_exception() == nullptr);
  }

  TEST_CASE("unwind() of a suspended fiber runs the destructors on its stack") {
    UnwindScript s;
    s.fiber.start(&suspend_holding_a_local, &s, 0, "holder");
    CHECK_FALSE(s.fiber.resume());
    CHECK_FALSE(s.destroyed);
    s.fiber.unwind();
    CHECK(s.destroyed);
    CHECK_FALSE(s.resumed_after_suspend);  // unwinding does not run the rest of the body
    CHECK(s.fiber.finished());
    s.fiber.unwind();  // a second unwind does nothing
  }

  TEST_CASE("destroying a suspended fiber unwinds it") {
    bool destroyed = false;
    {
      ExternalFlagScript s{{}, &destroyed};
      s.fiber.start(&suspend_holding_external, &s, 0, "holder");
      CHECK_FALSE(s.fiber.resume());
      CHECK_FALSE(destroyed);
    }
    CHECK(destroyed);
  }

  TEST_CASE("a suspended fiber holds a stack; a finished one gives it back to the pool") {
    const fibers::StackStats before = fibers::stack_stats();
    Script s;
    s.fiber.start(&suspend_twice, &s, 0, "script");
    CHECK_FALSE(s.fiber.resume());
    CHECK(fibers::stack_stats().live == before.live + 1);
    CHECK_FALSE(s.fiber.resume());
    CHECK(s.fiber.resume());
    CHECK(fibers::stack_stats().live == before.live);
  }

  TEST_CASE("stacks are reused: 1000 fibers one after another map no new stack") {
    {
      Fiber warm;
      warm.start(&return_at_once, nullptr, 0, "warm");
      CHECK(warm.resume());
    }
    const fibers::StackStats before = fibers::stack_stats();
    for (int i = 0; i < 1000; ++i) {
      Fiber f;
      f.start(&return_at_once, nullptr, 0, "sequential");
      REQUIRE(f.resume());
    }
    const fibers::StackStats after = fibers::stack_stats();
    CHECK(after.mapped == before.mapped);
    CHECK(after.live == before.live);
    CHECK(after.pooled == before.pooled);
  }

  TEST_CASE("stack sizes are rounded up to whole pages, at least four") {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    Fiber f;
    f.start(&return_at_once, nullptr, 1000, "small");
    CHECK(f.stack_size() == 4 * page);
    CHECK(f.resume());
    Fiber g;
    g.start(&return_at_once, nullptr, 64 * 1024 + 1, "odd");
    CHECK(g.stack_size() == 64 * 1024 + page);
    CHECK(g.resume());
    CHECK_THROWS_WITH_AS(fibers::set_default_stack_size(0), "stack size must be positive", ValueError);
  }

  TEST_CASE("100,000 tasks can be suspended at once on one future and all finish") {
    TestLoop loop;
    constexpr int count = 100000;
    Future<int> shared = loop->create_future<int>();
    int suspended = 0;
    long long total = 0;
    int finished = 0;
    for (int i = 0; i < count; ++i) {
      loop->create_task([shared, &suspended, &total, &finished] {
        ++suspended;
        total += asyncio::await(shared);
        ++finished;
      });
    }
    run_one_pass(*loop);  // every first step runs in this pass and suspends on the future
    CHECK(suspended == count);
    CHECK(finished == 0);
    CHECK(all_tasks(*loop).size() == static_cast<std::size_t>(count));
    CHECK(fibers::stack_stats().live >= static_cast<std::size_t>(count));

    shared.set_result(2);
    run_one_pass(*loop);  // the future's done callbacks: every wakeup is queued in one go
    CHECK(finished == count);
    CHECK(total == 2LL * count);
    CHECK(all_tasks(*loop).empty());
  }

  TEST_CASE("a task that overflows its stack dies with SIGSEGV after naming itself" *
            doctest::description("runs the task in a fork()ed child and reads its stderr")) {
#ifdef ASYNCIO_SANITIZE
    // AddressSanitizer reports the overflow itself, in its own words.
    return;
#else
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // The child: stderr goes to the pipe; it must never return into doctest.
      ::dup2(pipe_fds[1], STDERR_FILENO);
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      Ref<BaseEventLoop> loop = new_event_loop();
      loop->create_task(TaskOptions{"", 65536}, [] { return recurse(1 << 20); });
      run_one_pass(*loop);
      ::_exit(0);  // reached only if the overflow went unnoticed
    }
    ::close(pipe_fds[1]);
    std::string err;
    char buf[512];
    for (;;) {
      const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
      if (n > 0) {
        err.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    ::close(pipe_fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    INFO("child stderr: " << err);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGSEGV);
    CHECK(err.find("stack overflow in task 'Task-") != std::string::npos);
    CHECK(err.find("stack size 65536") != std::string::npos);
#endif
  }
}
