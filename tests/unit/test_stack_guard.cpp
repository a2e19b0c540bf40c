// test_stack_guard.cpp: no task writes into another task's stack unnoticed (issue 11, part 1).
// The guard below each stack is as large as the stack (madvise(MADV_GUARD_INSTALL), or
// mprotect(PROT_NONE) where the kernel lacks it); a frame bigger than a page, probed or not,
// lands in it and the overflow report names the task. Running out of vm.max_map_count (the
// mprotect path's limit) is a clear RuntimeError. Each case runs in a fork()ed child.
// C++ only (CPython's frames are heap objects): no CPython counterpart.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"
#include "unprobed_frames.hpp"

using namespace asyncio;
using fibers::GuardMethod;

#ifndef ASYNCIO_SANITIZE  // the child-process cases below are left out under sanitizers
namespace {

struct ChildResult {
  int status = 0;
  std::string output;  // stdout and stderr together
};

// Runs body in a fork()ed child with stdout and stderr going to a pipe; the child never returns
// into doctest (it _exits with 0 when body returns).
ChildResult run_in_child(void (*body)()) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    body();
    std::fflush(nullptr);
    ::_exit(0);
  }
  ::close(fds[1]);
  ChildResult result;
  char buf[1024];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(fds[0]);
  REQUIRE(::waitpid(pid, &result.status, 0) == pid);
  return result;
}

void say(const char* text) {
  std::fputs(text, stdout);
  std::fflush(stdout);
}

const char* method_name(GuardMethod m) { return m == GuardMethod::madvise ? "madvise" : "mprotect"; }

constexpr std::size_t stack_bytes = 64 * 1024;
constexpr std::size_t canary_bytes = 40 * 1024;
constexpr unsigned char canary_value = 0xA5;

// The neighbour: fills a 40 KiB canary on its own stack, waits, then checks it. Created first on
// a fresh thread's pool, it gets the stack right below the attacker's: where a frame that jumps
// a too-small guard would land.
void victim(Future<void> wake) {
  unsigned char canary[canary_bytes];
  std::memset(canary, canary_value, sizeof canary);
  asm volatile("" : : "r"(canary) : "memory");
  asyncio::await(wake);
  for (std::size_t i = 0; i < sizeof canary; ++i) {
    if (canary[i] != canary_value) {
      say("victim: its stack was overwritten\n");
      return;
    }
  }
  say("victim: canary intact\n");
}

// Probed (this file is built with -fstack-clash-protection, as asyncio::asyncio asks): the same
// 96 KiB buffer as unprobed::write_low_end_of_96k_buffer, only its lowest bytes written.
[[gnu::noinline]] int probed_write_low_end_of_96k_buffer() {
  volatile char buffer[96 * 1024];
  for (int i = 0; i < 64; ++i) buffer[i] = static_cast<char>(i);
  return buffer[0] + buffer[63];
}

GuardMethod scenario_method = GuardMethod::madvise;
int (*scenario_attack)() = nullptr;

// In the child: a fresh thread (so a fresh stack pool: victim and attacker get neighbouring
// stacks of a new mapping), the victim waiting, the attacker overflowing its 64 KiB stack. Only
// if the overflow went unnoticed does the attacker return and the victim check its canary.
void overflow_scenario() {
  std::thread([] {
    fibers::set_guard_method(scenario_method);
    Ref<BaseEventLoop> loop = new_event_loop();
    Future<void> wake = loop->create_future<void>();
    auto neighbour = loop->create_task(TaskOptions{"victim", stack_bytes}, victim, wake);
    auto attacker = loop->create_task(TaskOptions{"attacker", stack_bytes}, [] {
      std::printf("guard: %s\n", method_name(fibers::stack_stats().method));
      std::fflush(stdout);
      return scenario_attack();
    });
    loop->run_until_complete(attacker);
    say("attacker returned: the overflow went unnoticed\n");
    wake.set_result();
    loop->run_until_complete(neighbour);
    loop->close();
  }).join();
}

void check_overflow_reported(const ChildResult& child) {
  INFO("child output: " << child.output);
  REQUIRE(WIFSIGNALED(child.status));
  CHECK(WTERMSIG(child.status) == SIGSEGV);
  CHECK(child.output.find("asyncio: stack overflow in task 'attacker' (stack size 65536 bytes)") != std::string::npos);
  // The process died at the first write below the attacker's stack: nothing reached the victim.
  CHECK(child.output.find("attacker returned") == std::string::npos);
  CHECK(child.output.find("overwritten") == std::string::npos);
}

}  // namespace
#endif

TEST_SUITE("stack guards") {
  TEST_CASE("the guard below a stack is as large as the stack, at least 64 KiB") {
    CHECK(fibers::guard_size(64 * 1024) == 64 * 1024);
    CHECK(fibers::guard_size(256 * 1024) == 256 * 1024);
    CHECK(fibers::guard_size(16 * 1024) == 64 * 1024);
    CHECK(fibers::guard_size(100 * 1000) == 102400);  // rounded up to pages, as the stack is
  }

#ifdef ASYNCIO_SANITIZE
  // The overflow cases below need the runtime's SIGSEGV report; under AddressSanitizer its own
  // SIGSEGV handler answers first (see tests/docs/CMakeLists.txt).
#else
  TEST_CASE("a 96 KiB frame on a 64 KiB stack, only its lowest bytes written, is reported, not let into the next stack" *
            doctest::description("unprobed code (built without -fstack-clash-protection); both guard methods")) {
    scenario_attack = unprobed::write_low_end_of_96k_buffer;
    for (GuardMethod method : {GuardMethod::madvise, GuardMethod::mprotect}) {
      CAPTURE(method_name(method));
      scenario_method = method;
      const ChildResult child = run_in_child(overflow_scenario);
      check_overflow_reported(child);
      if (method == GuardMethod::mprotect) CHECK(child.output.find("guard: mprotect") != std::string::npos);
    }
  }

  TEST_CASE("the same frame in probed code is reported at its first page") {
    scenario_attack = probed_write_low_end_of_96k_buffer;
    for (GuardMethod method : {GuardMethod::madvise, GuardMethod::mprotect}) {
      CAPTURE(method_name(method));
      scenario_method = method;
      check_overflow_reported(run_in_child(overflow_scenario));
    }
  }

  // Not under AddressSanitizer either: it maps memory of its own as the program runs (shadow,
  // allocator regions), and with the process's mappings used up it may fail first, in its own words.
  TEST_CASE("running out of vm.max_map_count fails the task with a RuntimeError that names the limit" *
            doctest::description("a child uses up its memory mappings, then creates tasks on mprotect-guarded stacks")) {
    const ChildResult child = run_in_child([] {
      std::string limit;
      std::ifstream("/proc/sys/vm/max_map_count") >> limit;
      std::printf("limit %s\n", limit.c_str());
      std::fflush(stdout);
      fibers::set_guard_method(GuardMethod::mprotect);  // the Debian 12 (Linux 6.1) path
      Ref<BaseEventLoop> loop = new_event_loop();
      Future<void> release = loop->create_future<void>();
      std::vector<Task<void>> tasks;
      tasks.reserve(100000);
      // Use up the mappings: one region, every other page made inaccessible, each split costing
      // one more, until the kernel refuses. Then give back enough for the loop's own needs.
      const long page = ::sysconf(_SC_PAGESIZE);
      const std::size_t pages = 2 * 70000;
      char* region = static_cast<char*>(::mmap(nullptr, pages * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
      if (region == MAP_FAILED) return say("mmap failed\n");
      std::size_t split = 0;
      for (std::size_t i = 1; i < pages; i += 2, ++split)
        if (::mprotect(region + i * page, page, PROT_NONE) != 0) break;
      if (errno != ENOMEM) return say("mprotect did not run out\n");
      // Join 24 splits back (each gives one mapping back): room for a few stacks and no more.
      for (std::size_t k = 0; k < 24 && split > 0; ++k) ::mprotect(region + (2 * --split + 1) * page, page, PROT_READ);
      std::string error;
      for (int i = 0; i < 100000 && error.empty(); ++i) {
        tasks.push_back(loop->create_task(TaskOptions{"", 16 * 1024}, [release] { asyncio::await(release); }));
        test_support::run_one_pass(*loop);
        if (tasks.back().done()) {
          try {
            tasks.back().result();
          } catch (const RuntimeError& e) {
            error = e.what();
          }
        }
      }
      ::munmap(region, pages * page);  // every mapping back: the loop goes on
      std::printf("tasks created %zu\nerror: %s\n", tasks.size(), error.c_str());
      release.set_result();
      loop->run_until_complete([] { asyncio::sleep(0); });
      std::size_t finished = 0;
      for (auto& t : tasks) finished += t.done() ? 1 : 0;
      std::printf("finished %zu\n", finished);
      loop->close();
    });
    INFO("child output: " << child.output);
    REQUIRE(WIFEXITED(child.status));
    CHECK(WEXITSTATUS(child.status) == 0);
    std::string limit;
    std::ifstream("/proc/sys/vm/max_map_count") >> limit;
    CHECK(child.output.find("error: cannot create a stack for a new task: mprotect failed: [Errno 12] Cannot allocate memory") != std::string::npos);
    CHECK(child.output.find("at most vm.max_map_count mappings (now " + limit + "): raise it with `sudo sysctl -w vm.max_map_count=262144`") != std::string::npos);
    // Every task ended: the ones with a stack ran to the end, the one without failed.
    const auto created = child.output.find("tasks created ");
    REQUIRE(created != std::string::npos);
    const std::string count = child.output.substr(created + 14, child.output.find('\n', created) - created - 14);
    CHECK(child.output.find("finished " + count + "\n") != std::string::npos);
  }
#endif
}
