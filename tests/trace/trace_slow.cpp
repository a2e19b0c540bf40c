// trace_slow.cpp: a task that reads a pipe with a blocking read(2) inside the loop: the whole
// loop stalls until another thread writes, 0.2 s later. asyncio-trace --summary must name it as
// a slow callback (over slow_callback_duration, 0.1 s). Course: docs/trace.md
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "asyncio/asyncio.hpp"

namespace {

void blocking_reader(int fd, int write_fd) {
  asyncio::sleep(0);
  // The writer starts here, so the read below blocks at least 0.2 s however loaded the machine.
  std::thread writer([write_fd] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    (void)!::write(write_fd, "data", 4);
  });
  char buffer[16];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);  // blocks the whole loop: the bug to find
  writer.join();
  std::printf("read %zd bytes\n", n);
}

}  // namespace

int main() {
  int fds[2];
  if (::pipe(fds) != 0) return 1;
  asyncio::run([&] {
    auto task = asyncio::create_task(asyncio::TaskOptions{"reader"}, blocking_reader, fds[0], fds[1]);
    asyncio::await(task);
  });
}
