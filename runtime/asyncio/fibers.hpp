// fibers.hpp: stackful fibers on pooled, guarded stacks: what a task runs on.
// A C++-only idea standing in for CPython's generator frames (Objects/genobject.c): a task's
// body runs on its own stack and suspends by switching back to the loop. The only file that
// touches Boost.Context. Owns stacks (pool, guard regions, overflow report) and the switch.
// Course: docs/06-tasks-on-fibers.md
#pragma once

#include <boost/context/fiber.hpp>
#include <cstddef>
#include <exception>

namespace asyncio::fibers {

// Stack size for new fibers, rounded up to whole pages. Default: 64 KiB (256 KiB in sanitizer
// builds, whose frames are larger). Tasks may ask for their own (TaskOptions::stack_size).
std::size_t default_stack_size() noexcept;
void set_default_stack_size(std::size_t bytes);

// How stacks are guarded. Below each stack lies a guard region as large as the stack (at least
// 64 KiB) that may not be touched; touching it is a stack overflow, reported with the task's name
// and stack size before the process dies. Being that large, no frame smaller than the stack plus
// the guard can jump over it into the next stack down, probed or not (code built with
// -fstack-clash-protection, as everything on asyncio::asyncio is, touches every page and cannot
// jump over it at all). The guard is address space, not memory.
//   madvise: MADV_GUARD_INSTALL (Linux 6.13+): no extra memory mapping per stack.
//   mprotect: PROT_NONE, which splits the mapping: each stack then takes two of the process's
//             vm.max_map_count mappings (65,530 by default), which bounds live stacks at about
//             32,700; past that, the task fails with a RuntimeError that names the limit, its
//             value and how to raise it, rather than run on an unguarded stack.
// The runtime uses madvise where the kernel has it and falls back to mprotect where it does not;
// the environment variable ASYNCIO_STACK_GUARD=mprotect (or set_guard_method) forces the fallback.
enum class GuardMethod { madvise, mprotect };
struct StackStats {
  std::size_t live = 0;     // stacks in use by fibers
  std::size_t pooled = 0;   // stacks free for reuse
  std::size_t mapped = 0;   // stacks carved out of mappings so far
  GuardMethod method = GuardMethod::madvise;
};
StackStats stack_stats() noexcept;
// The guard below a stack of this many bytes (rounded to pages): its size, at least 64 KiB.
std::size_t guard_size(std::size_t stack_size) noexcept;
// Guard stacks mapped from now on (on this thread) with this method; madvise falls back to
// mprotect where the kernel lacks it. For tests and for trying the Debian 12 (Linux 6.1) path.
void set_guard_method(GuardMethod method) noexcept;

class Fiber {
 public:
  using Entry = void (*)(void* arg);

  Fiber() noexcept = default;
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;
  // A fiber destroyed while suspended is unwound first (its destructors run).
  ~Fiber();

  // Prepare the fiber to run entry(arg) on a pooled stack of stack_size bytes (0: the size
  // set_stack_size gave, else the default). `label` names it in a stack-overflow report; it
  // must stay valid while the fiber lives. A null label with a number reads "Task-<number>".
  void start(Entry entry, void* arg, std::size_t stack_size, const char* label);
  void set_label(const char* label, unsigned long long number = 0) noexcept {
    label_ = label;
    label_number_ = number;
  }
  unsigned long long label_number() const noexcept { return label_number_; }
  // Before start(): the stack size start() uses when given 0 (rounded up to whole pages).
  void set_stack_size(std::size_t bytes) noexcept;
  // Switch into the fiber until it suspends or finishes. Returns true once it has finished;
  // an exception that escaped entry is then available from take_exception().
  // Both switches are inline, so that they add no frame of their own across the jump: after a
  // switch the CPU's return-stack predictor still holds the other stack's return addresses, and
  // every frame that was live across the jump mispredicts its return (~15 ns each here;
  // docs/performance.md, "Frames across a switch"). Sanitizer builds keep them out of line, where
  // each switch is announced to ASan.
  [[gnu::always_inline]] bool resume() {
#if defined(__SANITIZE_ADDRESS__)
    return resume_annotated_();
#else
    enter_();
    context_ = std::move(context_).resume();
    return leave_();
#endif
  }
  // Inside the fiber: switch back to the caller of resume().
  [[gnu::always_inline]] void suspend() {
#if defined(__SANITIZE_ADDRESS__)
    suspend_annotated_();
#else
    caller_ = std::move(caller_).resume();
#endif
  }
  // Destroy a suspended fiber, unwinding its stack (destructors run). No effect otherwise.
  void unwind() noexcept;

  bool started() const noexcept { return started_; }
  bool finished() const noexcept { return finished_; }
  bool suspended() const noexcept { return started_ && !finished_ && !running_; }
  std::size_t stack_size() const noexcept { return stack_size_; }
  std::exception_ptr take_exception() noexcept { return std::exchange(exception_, nullptr); }
  // The entry caught what its body let out itself (a task's body: one frame less to unwind);
  // take_exception() returns it as if it had escaped entry.
  void set_exception_(std::exception_ptr e) noexcept { exception_ = std::move(e); }
  // The argument given to start() (the task, for tasks).
  void* arg() const noexcept { return arg_; }

  // The fiber running on this thread, or nullptr on the thread's own stack.
  static Fiber* current() noexcept;
  // The same, inline (Future handles ask on every copy: docs/architecture.md, "Who owns what").
  static Fiber* current_inline() noexcept;
  // Whether p lies on this fiber's stack.
  bool stack_contains(const void* p) const noexcept {
    const char* c = static_cast<const char*>(p);
    const char* bottom = static_cast<const char*>(stack_bottom_);
    return c >= bottom && c < bottom + stack_size_;
  }

 private:
  boost::context::fiber run_(boost::context::fiber&& caller);
  // resume(): the bookkeeping before the switch in (which fiber runs, its overflow report's
  // label, its exception state) and after the switch back; calls made and returned on one side
  // of the jump cost no misprediction.
  void enter_() noexcept;
  bool leave_() noexcept;
  bool resume_annotated_();
  void suspend_annotated_();

  // Kept small: every idle task holds one (the fields are ordered to leave no padding).
  boost::context::fiber context_;  // the fiber while it is suspended
  boost::context::fiber caller_;   // inside the fiber: whoever resumed it
  Entry entry_ = nullptr;
  void* arg_ = nullptr;
  std::exception_ptr exception_;
  const char* label_ = "";
  unsigned long long label_number_ = 0;
  void* stack_bottom_ = nullptr;   // lowest usable address (above the guard region)
  std::size_t stack_size_ = 0;
#if defined(__SANITIZE_ADDRESS__)
  const void* caller_bottom_ = nullptr;  // for the sanitizer's bookkeeping
  std::size_t caller_size_ = 0;
#endif
  Fiber* previous_ = nullptr;
  // The C++ runtime's record of exceptions being handled (`catch` blocks in progress) is per
  // thread; each fiber keeps its own and swaps it in while it runs, so `throw;` inside a catch
  // block that awaited rethrows this fiber's exception, not another task's.
  void* eh_caught_ = nullptr;
  unsigned int eh_uncaught_ = 0;
  bool started_ = false;
  bool finished_ = false;
  bool running_ = false;
  bool entered_ = false;  // run_() has begun on the fiber's stack
};

namespace detail {
extern thread_local constinit Fiber* current_fiber;
}  // namespace detail
inline Fiber* Fiber::current_inline() noexcept { return detail::current_fiber; }

}  // namespace asyncio::fibers
