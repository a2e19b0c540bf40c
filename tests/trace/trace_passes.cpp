// trace_passes.cpp: a program whose ASYNCIO_TRACE=passes printout contains every line the plain
// pass printer can write: each step's line, each timeout reason (ready, stopping, next timer,
// nothing scheduled), readable and writable fds, and each task outcome. Its stderr is compared
// with golden/trace_passes.txt. Course: docs/trace.md
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "asyncio/asyncio.hpp"

int main() {
  auto loop = asyncio::new_event_loop();
  loop->use_virtual_clock(0.0);
  // stopping: stop() before run_forever; the pass asks for 0 with nothing ready.
  loop->stop();
  loop->run_forever();
  // step 1: the head timer cancelled and dropped; next timer: wait for the live one.
  auto dropped = loop->call_later(0.05, [] {}, "dropped");
  loop->call_later(0.1, [&] { loop->stop(); }, "stop");
  dropped->cancel();
  loop->run_forever();
  // step 1: the heap rebuilt (101 timers, 51 cancelled), on a second loop closed with the rest.
  {
    auto loop2 = asyncio::new_event_loop();
    std::vector<asyncio::TimerHandleRef> timers;
    for (int i = 0; i < 101; ++i) timers.push_back(loop2->call_later(10 + i, [] {}, "later"));
    for (int i = 0; i < 51; ++i) timers[static_cast<std::size_t>(2 * i)]->cancel();
    loop2->call_soon([&] { loop2->stop(); }, "stop");
    loop2->run_forever();
    loop2->close();
  }
  // Task outcomes: awaited, yielded, returned, raised, cancelled.
  loop->run_until_complete([] {
    auto fut = asyncio::get_running_loop().create_future<int>();
    auto setter = asyncio::create_task(asyncio::TaskOptions{.name = "setter", .stack_size = 0}, [fut] {
      asyncio::sleep(0);
      fut.set_result(1);
    });
    auto raiser = asyncio::create_task(asyncio::TaskOptions{.name = "raiser", .stack_size = 0}, [] { throw asyncio::ValueError("x"); });
    auto victim = asyncio::create_task(asyncio::TaskOptions{.name = "victim", .stack_size = 0}, [] { asyncio::sleep(5); });
    asyncio::await(fut);
    victim.cancel();
    try {
      asyncio::await(raiser);
    } catch (const asyncio::ValueError&) {
    }
    try {
      asyncio::await(victim);
    } catch (const asyncio::CancelledError&) {
    }
    asyncio::await(setter);
  });
  // nothing scheduled: block with no timeout; an fd that is already readable and one that is
  // writable wake the pass.
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return 1;
  // Fixed numbers, so the golden text does not depend on what the test runner left open.
  for (int i = 0; i < 2; ++i) {
    if (::dup2(fds[i], 100 + i) < 0) return 1;
    ::close(fds[i]);
    fds[i] = 100 + i;
  }
  if (::write(fds[1], "x", 1) != 1) return 1;
  loop->add_reader(fds[0], [&] {
    loop->remove_reader(fds[0]);
    loop->stop();
  }, "on_readable");
  loop->add_writer(fds[1], [&] { loop->remove_writer(fds[1]); }, "on_writable");
  loop->run_forever();
  loop->close();
  ::close(fds[0]);
  ::close(fds[1]);
}
