// trace_program.cpp: a small program whose trace uses every step of a pass: a cancelled timer
// dropped (step 1), a readable fd (step 2), due timers (step 3), tasks that return, raise and
// are cancelled (step 4). Deterministic under ASYNCIO_CLOCK=virtual: its golden traces are in
// tests/trace/golden/. Course: docs/trace.md
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

int worker() {
  asyncio::sleep(1);
  return 42;
}

void failing() {
  asyncio::sleep(0.5);
  throw asyncio::ValueError("boom");
}

void sleeper() { asyncio::sleep(10); }

void main_task() {
  asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw asyncio::RuntimeError("pipe2 failed");
  asyncio::TimerHandleRef never = loop.call_later(5, [] { std::puts("never printed"); }, "never_runs");
  never->cancel();
  asyncio::Future<void> readable = loop.create_future<void>();
  loop.add_reader(fds[0], [&] {
    char c = 0;
    if (::read(fds[0], &c, 1) == 1) std::printf("read %c\n", c);
    loop.remove_reader(fds[0]);
    readable.set_result();
  }, "on_readable");
  loop.call_later(0.25, [&] { (void)!::write(fds[1], "x", 1); }, "write_byte");
  auto w = asyncio::create_task(asyncio::TaskOptions{"worker"}, worker);
  auto f = asyncio::create_task(asyncio::TaskOptions{"failing"}, failing);
  auto s = asyncio::create_task(asyncio::TaskOptions{"sleeper"}, sleeper);
  asyncio::await(readable);
  try {
    asyncio::await(f);
  } catch (const asyncio::ValueError& e) {
    std::printf("failing raised %s\n", e.what());
  }
  std::printf("worker returned %d\n", asyncio::await(w));
  s.cancel();
  try {
    asyncio::await(s);
  } catch (const asyncio::CancelledError&) {
    std::puts("sleeper cancelled");
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace

int main() { asyncio::run(main_task); }
