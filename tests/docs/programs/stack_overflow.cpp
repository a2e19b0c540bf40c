// stack_overflow: a task that recurses past its 16 KiB stack hits the guard region below it; the
// runtime's SIGSEGV handler names the task and its stack size, then the process dies (status 139).
// CPython raises RecursionError instead. Quoted in docs/06-tasks-on-fibers.md ("Guard regions").
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

// 1 KiB of stack per call, kept alive across the recursion so the compiler cannot fold it away.
int depth(int n) {
  volatile char frame[1024];
  frame[0] = static_cast<char>(n);
  return n == 0 ? frame[0] : depth(n - 1) + frame[0];
}

}  // namespace

int main() {
  return asyncio::run([] {
    auto t = asyncio::create_task(asyncio::TaskOptions{"deep", 16 * 1024}, [] { return depth(100); });
    return asyncio::await(t);
  });
}
