// fibers.cpp: the stack pool, guard regions, the overflow report and the bookkeeping around a
// switch (the switch itself is inline in fibers.hpp, except in sanitizer builds: see below).
// Boost.Context rules kept here (boost/context/fiber.hpp docs): forced_unwind must pass
// through every catch, and no switch happens inside a catch block. Sanitizer builds announce
// each switch to ASan (__sanitizer_start/finish_switch_fiber); Boost's fcontext does not.
// Course: docs/06-tasks-on-fibers.md
#include "asyncio/fibers.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "asyncio/exceptions.hpp"
#include "asyncio/overflow_report.hpp"

// libstdc++'s per-thread exception-handling globals (libsupc++/unwind-cxx.h, __cxa_eh_globals).
namespace __cxxabiv1 {
struct __cxa_eh_globals;
extern "C" __cxa_eh_globals* __cxa_get_globals() noexcept;
}  // namespace __cxxabiv1

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define ASYNCIO_ASAN_FIBERS 1
// Only sanitizer builds keep the resumer's stack bounds in the fiber.
#define ASYNCIO_CALLER_STACK caller_bottom_, caller_size_
#define ASYNCIO_CALLER_STACK_OUT &caller_bottom_, &caller_size_
#else
#define ASYNCIO_CALLER_STACK nullptr, 0
#define ASYNCIO_CALLER_STACK_OUT nullptr, nullptr
#endif

namespace asyncio::fibers {

namespace detail {
thread_local constinit Fiber* current_fiber = nullptr;
}  // namespace detail

namespace ctx = boost::context;

namespace {

#ifndef MADV_GUARD_INSTALL
constexpr int MADV_GUARD_INSTALL = 102;
#endif

const std::size_t page_size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));

#ifdef ASYNCIO_ASAN_FIBERS
std::size_t default_size = 256 * 1024;
#else
std::size_t default_size = 64 * 1024;
#endif

std::size_t round_to_pages(std::size_t bytes) {
  if (bytes < 4 * page_size) bytes = 4 * page_size;
  return (bytes + page_size - 1) / page_size * page_size;
}

// The guard below a stack: as large as the stack, so that a frame which is not probed page by page
// (code built without -fstack-clash-protection) and writes only its lowest bytes still lands in
// the guard unless it is larger than the stack and the guard together; at least 64 KiB, the
// size of a common recv() or snprintf() buffer, for small stacks.
std::size_t guard_bytes(std::size_t stack_size) { return std::max(stack_size, round_to_pages(64 * 1024)); }

// ---------------------------------------------------------------- the stack pool

// Stacks of one size, carved out of growing mappings: [guard][stack][guard][stack]...
// Each guard is guard_bytes(size) long: address space only, no memory is ever given to it.
// Freed stacks are kept (their pages stay resident) and reused last-in first-out.
struct SizeClass {
  std::size_t size = 0;
  std::vector<void*> free;  // stack bottoms (lowest usable address)
  std::size_t next_slab = 16;
};

// ASYNCIO_STACK_GUARD=mprotect forces the fallback (to try the path Linux < 6.13 takes).
GuardMethod initial_guard_method() {
  const char* forced = std::getenv("ASYNCIO_STACK_GUARD");
  return forced && std::strcmp(forced, "mprotect") == 0 ? GuardMethod::mprotect : GuardMethod::madvise;
}

struct Pool {
  std::vector<SizeClass> classes;
  StackStats stats{0, 0, 0, initial_guard_method()};
};

Pool& pool() {
  thread_local Pool p;
  return p;
}

SizeClass& size_class(std::size_t size) {
  for (SizeClass& c : pool().classes)
    if (c.size == size) return c;
  pool().classes.push_back(SizeClass{size, {}, 16});
  return pool().classes.back();
}

std::string max_map_count_text() {
  std::ifstream in("/proc/sys/vm/max_map_count");
  std::string value;
  if (!(in >> value)) value = "unknown";
  return value;
}

// A stack could not be mapped or guarded. ENOMEM from these calls means the process reached
// vm.max_map_count (each mprotect-guarded stack splits its mapping in two) or, for mmap, its
// address-space limit: say which limit, its value and how to raise it. Never an unguarded stack.
[[noreturn]] void throw_stack_error(const char* call, int err) {
  const std::string what = std::string(call) + " failed: [Errno " + std::to_string(err) + "] " + std::strerror(err);
  if (err != ENOMEM) throw OSError(err, "cannot create a stack for a new task: " + what);
  const StackStats& stats = pool().stats;
  throw RuntimeError(
      "cannot create a stack for a new task: " + what + ", with " + std::to_string(stats.live) +
      " task stacks live. Each guarded stack takes " +
      (stats.method == GuardMethod::mprotect ? "two memory mappings (its guard is mprotect()ed)"
                                             : "part of a memory mapping") +
      " and a process may have at most vm.max_map_count mappings (now " + max_map_count_text() +
      "): raise it with `sudo sysctl -w vm.max_map_count=262144` (or in /etc/sysctl.d/), or run "
      "fewer tasks at once" +
      (std::strcmp(call, "mmap") == 0 ? "; an address-space limit (ulimit -v) ends here too" : ""));
}

void install_guard(char* guard, std::size_t bytes) {
  Pool& p = pool();
  if (p.stats.method == GuardMethod::madvise) {
    if (madvise(guard, bytes, MADV_GUARD_INSTALL) == 0) return;
    const int err = errno;
    if (err != EINVAL && err != ENOSYS) throw_stack_error("madvise(MADV_GUARD_INSTALL)", err);
    p.stats.method = GuardMethod::mprotect;  // a kernel older than 6.13: from now on, mprotect
  }
  if (mprotect(guard, bytes, PROT_NONE) != 0) throw_stack_error("mprotect", errno);
}

void refill(SizeClass& c) {
  const std::size_t guard = guard_bytes(c.size);
  const std::size_t stride = guard + c.size;
  const std::size_t count = c.next_slab;
  void* mem = mmap(nullptr, stride * count, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) throw_stack_error("mmap", errno);
  char* base = static_cast<char*>(mem);
  std::size_t made = 0;
  try {
    for (; made < count; ++made) install_guard(base + made * stride, guard);
  } catch (...) {
    if (made == 0) {
      munmap(mem, stride * count);
      throw;
    }
    munmap(base + made * stride, stride * (count - made));
  }
  // Pushed in reverse so the lowest stack is handed out first.
  for (std::size_t i = made; i-- > 0;) c.free.push_back(base + i * stride + guard);
  pool().stats.mapped += made;
  pool().stats.pooled += made;
  if (c.next_slab < 1024) c.next_slab *= 2;
}

void* take_stack(std::size_t size) {
  SizeClass& c = size_class(size);
  if (c.free.empty()) refill(c);
  void* bottom = c.free.back();
  c.free.pop_back();
  --pool().stats.pooled;
  ++pool().stats.live;
  return bottom;
}

void give_stack(void* bottom, std::size_t size) noexcept {
  SizeClass& c = size_class(size);
  try {
    c.free.push_back(bottom);
  } catch (...) {
    return;  // out of memory for the free list: the stack stays mapped, unused
  }
  ++pool().stats.pooled;
  --pool().stats.live;
}

// Boost's StackAllocator concept over the pool.
struct PoolAllocator {
  Fiber* fiber;
  std::size_t size;
  void** bottom_out;
  ctx::stack_context allocate() {
    void* bottom = take_stack(size);
    *bottom_out = bottom;
    ctx::stack_context sctx;
    sctx.size = size;
    sctx.sp = static_cast<char*>(bottom) + size;
    return sctx;
  }
  void deallocate(ctx::stack_context& sctx) noexcept {
    give_stack(static_cast<char*>(sctx.sp) - sctx.size, sctx.size);
  }
};

// ---------------------------------------------------------------- stack overflow report

using detail::current_fiber;
// What the SIGSEGV handler reads: the running fiber's guard region and name.
thread_local const char* overflow_label = nullptr;
thread_local unsigned long long overflow_number = 0;  // "Task-<number>" when the label is null
thread_local char* overflow_guard = nullptr;
thread_local std::size_t overflow_size = 0;
thread_local std::size_t overflow_guard_size = 0;
struct sigaction previous_segv;
// Where the report goes (overflow_report.hpp): stderr, or the fd a trace's capture saved it as.
volatile sig_atomic_t overflow_report_fd = STDERR_FILENO;

void write_str(const char* s) {
  [[maybe_unused]] ssize_t n = write(overflow_report_fd, s, std::strlen(s));
}

// Decimal digits without the C library (the handler may only make async-signal-safe calls).
void format_number(unsigned long long v, char (&out)[32]) {
  int len = 0;
  char digits[32];
  do {
    digits[len++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  for (int i = 0; i < len; ++i) out[i] = digits[len - 1 - i];
  out[len] = '\0';
}

void on_segv(int sig, siginfo_t* info, void* uctx) {
  char* addr = static_cast<char*>(info->si_addr);
  if (overflow_guard && addr >= overflow_guard && addr < overflow_guard + overflow_guard_size) {
    char size_text[32];
    format_number(overflow_size, size_text);
    write_str("asyncio: stack overflow in task '");
    if (overflow_label) {
      write_str(overflow_label);
    } else {
      char number_text[32];
      format_number(overflow_number, number_text);
      write_str("Task-");
      write_str(number_text);
    }
    write_str("' (stack size ");
    write_str(size_text);
    write_str(" bytes): give the task a larger stack with TaskOptions::stack_size, or "
              "asyncio::fibers::set_default_stack_size()\n");
    signal(SIGSEGV, SIG_DFL);
    return;  // the faulting access repeats and the default action ends the process
  }
  if (previous_segv.sa_flags & SA_SIGINFO) {
    if (previous_segv.sa_sigaction) {
      previous_segv.sa_sigaction(sig, info, uctx);
      return;
    }
  } else if (previous_segv.sa_handler != SIG_DFL && previous_segv.sa_handler != SIG_IGN) {
    previous_segv.sa_handler(sig);
    return;
  }
  signal(SIGSEGV, SIG_DFL);
}

// Checked again whenever a fiber starts while no other fiber of this thread is alive, not once:
// code that installs its own SIGSEGV handler or alternate stack and later puts the old ones back
// (doctest does, around each test case, when no task is alive) would otherwise switch the report
// off for good. Not on every start: the two system calls cost more than the rest of a task's
// creation on a virtual machine.
void prepare_overflow_report() {
  struct sigaction current {};
  if (sigaction(SIGSEGV, nullptr, &current) == 0 &&
      !((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_segv)) {
    static std::mutex install_mutex;  // previous_segv is shared by every thread
    std::lock_guard lock(install_mutex);
    struct sigaction sa {};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    struct sigaction replaced {};
    if (sigaction(SIGSEGV, &sa, &replaced) == 0 &&
        !((replaced.sa_flags & SA_SIGINFO) && replaced.sa_sigaction == on_segv))
      previous_segv = replaced;
  }
  // The handler needs a stack of its own: the overflowing one has no room left.
  stack_t alt{};
  if (sigaltstack(nullptr, &alt) == 0 && !(alt.ss_flags & SS_DISABLE)) return;
  const std::size_t size = 64 * 1024;
  static thread_local std::vector<char> altstack(size);
  stack_t ss{};
  ss.ss_sp = altstack.data();
  ss.ss_size = size;
  sigaltstack(&ss, nullptr);
}

// The fiber now running on this thread (nullptr: the thread's own stack), for current() and the
// overflow report.
void enter_fiber(Fiber* f, void* stack_bottom, std::size_t size, const char* label, unsigned long long number) noexcept {
  current_fiber = f;
  overflow_guard_size = f ? guard_bytes(size) : 0;
  overflow_guard = f ? static_cast<char*>(stack_bottom) - overflow_guard_size : nullptr;
  overflow_size = size;
  overflow_label = label;
  overflow_number = number;
}

// ---------------------------------------------------------------- exception state per fiber

struct EhGlobals {  // the layout of __cxa_eh_globals
  void* caught;
  unsigned int uncaught;
};

// The thread's record, asked for once: its address does not change while the thread lives, so a
// switch need not call into libstdc++ for it.
thread_local constinit EhGlobals* thread_eh_globals = nullptr;

// Exchange the thread's exception state with the one kept in (caught, uncaught). Nothing to do
// when no exception is being handled on either side, which is nearly every switch.
inline void swap_eh_state(void*& caught, unsigned int& uncaught) noexcept {
  EhGlobals* g = thread_eh_globals;
  if (!g) [[unlikely]]
    g = thread_eh_globals = reinterpret_cast<EhGlobals*>(__cxxabiv1::__cxa_get_globals());
  if (!g->caught && !g->uncaught && !caught && !uncaught) return;
  std::swap(g->caught, caught);
  std::swap(g->uncaught, uncaught);
}

// ---------------------------------------------------------------- sanitizer annotations

#ifdef ASYNCIO_ASAN_FIBERS
void asan_start(void** fake, const void* bottom, std::size_t size) { __sanitizer_start_switch_fiber(fake, bottom, size); }
void asan_finish(void* fake, const void** bottom_old, std::size_t* size_old) {
  __sanitizer_finish_switch_fiber(fake, bottom_old, size_old);
}
#else
void asan_start(void**, const void*, std::size_t) {}
void asan_finish(void*, const void**, std::size_t*) {}
#endif

}  // namespace

std::size_t default_stack_size() noexcept { return default_size; }

void set_default_stack_size(std::size_t bytes) {
  if (bytes == 0) throw ValueError("stack size must be positive");
  default_size = round_to_pages(bytes);
}

StackStats stack_stats() noexcept { return pool().stats; }

std::size_t guard_size(std::size_t stack_size) noexcept { return guard_bytes(round_to_pages(stack_size)); }

void set_guard_method(GuardMethod method) noexcept { pool().stats.method = method; }

void set_overflow_report_fd(int fd) noexcept { overflow_report_fd = fd; }

Fiber* Fiber::current() noexcept { return current_fiber; }

Fiber::~Fiber() { unwind(); }

void Fiber::set_stack_size(std::size_t bytes) noexcept { stack_size_ = round_to_pages(bytes ? bytes : default_size); }

void Fiber::start(Entry entry, void* arg, std::size_t stack_size, const char* label) {
  if (pool().stats.live == 0) prepare_overflow_report();
  entry_ = entry;
  arg_ = arg;
  label_ = label;
  stack_size_ = round_to_pages(stack_size ? stack_size : stack_size_ ? stack_size_ : default_size);
  context_ = ctx::fiber(std::allocator_arg, PoolAllocator{this, stack_size_, &stack_bottom_},
                        [this](ctx::fiber&& caller) { return run_(std::move(caller)); });
  started_ = true;
}

ctx::fiber Fiber::run_(ctx::fiber&& caller) {
  asan_finish(nullptr, ASYNCIO_CALLER_STACK_OUT);
  entered_ = true;
  caller_ = std::move(caller);
  try {
    entry_(arg_);
  } catch (const ctx::detail::forced_unwind&) {
    asan_start(nullptr, ASYNCIO_CALLER_STACK);
    throw;
  } catch (...) {
    exception_ = std::current_exception();
  }
  finished_ = true;
  asan_start(nullptr, ASYNCIO_CALLER_STACK);
  return std::move(caller_);
}

void Fiber::enter_() noexcept {
  previous_ = current_fiber;
  enter_fiber(this, stack_bottom_, stack_size_, label_, label_number_);
  running_ = true;
  swap_eh_state(eh_caught_, eh_uncaught_);  // ours in, the resumer's kept here meanwhile
}

bool Fiber::leave_() noexcept {
  swap_eh_state(eh_caught_, eh_uncaught_);
  running_ = false;
  Fiber* prev = std::exchange(previous_, nullptr);
  if (prev) {
    enter_fiber(prev, prev->stack_bottom_, prev->stack_size_, prev->label_, prev->label_number_);
  } else {
    enter_fiber(nullptr, nullptr, 0, nullptr, 0);
  }
  return finished_;
}

#ifdef ASYNCIO_ASAN_FIBERS
// Sanitizer builds: resume() and suspend() with each switch announced to ASan (fibers.hpp calls
// these only there).
bool Fiber::resume_annotated_() {
  enter_();
  void* fake = nullptr;
  asan_start(&fake, stack_bottom_, stack_size_);
  context_ = std::move(context_).resume();
  asan_finish(fake, nullptr, nullptr);
  return leave_();
}

void Fiber::suspend_annotated_() {
  void* fake = nullptr;
  asan_start(&fake, ASYNCIO_CALLER_STACK);
  try {
    caller_ = std::move(caller_).resume();
  } catch (const ctx::detail::forced_unwind&) {
    asan_finish(fake, ASYNCIO_CALLER_STACK_OUT);
    throw;
  }
  asan_finish(fake, ASYNCIO_CALLER_STACK_OUT);
}
#endif

void Fiber::unwind() noexcept {
  if (!started_ || finished_ || running_ || !context_) return;
  Fiber* prev = current_fiber;
  enter_fiber(this, stack_bottom_, stack_size_, label_, label_number_);
  // A fiber that never ran its body unwinds inside Boost only: nothing to tell the sanitizer.
  void* fake = nullptr;
  swap_eh_state(eh_caught_, eh_uncaught_);  // ours in, the resumer's kept here meanwhile
  if (entered_) asan_start(&fake, stack_bottom_, stack_size_);
  {
    ctx::fiber doomed = std::move(context_);
  }  // ~fiber throws forced_unwind inside it; it comes back here once unwound
  if (entered_) asan_finish(fake, nullptr, nullptr);
  swap_eh_state(eh_caught_, eh_uncaught_);
  finished_ = true;
  if (prev) {
    enter_fiber(prev, prev->stack_bottom_, prev->stack_size_, prev->label_, prev->label_number_);
  } else {
    enter_fiber(nullptr, nullptr, 0, nullptr, 0);
  }
}

}  // namespace asyncio::fibers
