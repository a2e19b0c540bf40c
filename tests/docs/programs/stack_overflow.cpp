// stack_overflow: a task that recurses past its 16 KiB stack hits the guard region below it; the
// runtime's SIGSEGV handler names the task and its stack size, then the process dies (status 139).
// CPython raises RecursionError instead. Quoted in docs/06-tasks-on-fibers.md ("Guard regions").
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

// 1 KiB of stack per call: indexed by n so the whole array must exist, and read after the
// recursive call returns so that no compiler can turn the recursion into a loop.
int depth(int n) {
  volatile char frame[1024];
  frame[n] = static_cast<char>(n);
  if (n == 0) return frame[0];
  frame[n + 1] = static_cast<char>(depth(n - 1));
  return frame[n] + frame[n + 1];
}

}  // namespace

int main() {
  return asyncio::run([] {
    auto t = asyncio::create_task(asyncio::TaskOptions{"deep", 16 * 1024}, [] { return depth(100); });
    return asyncio::await(t);
  });
}
