// 07_blocking_read: a blocking file read inside a task freezes the loop; to_thread does not.
// Builds on 06: adds threads: to_thread hands blocking work to the default executor.
// Chapter: docs/07-blocking-the-loop.md · Python twin: examples/07_blocking_read.py
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "asyncio/asyncio.hpp"

namespace {

constexpr std::size_t SIZE = 8 * 1024 * 1024;
constexpr double DISK_SECONDS = 0.3;  // a slow disk: an SD card, a network share

// A cached file reads in a few milliseconds, so the slow disk is a wait. On the virtual clock
// (asyncio-trace --clock virtual) a callback takes no time: there the loop's own thread moves
// the clock on instead of waiting, so the trace shows the same stall on every run.
void wait_for_disk() {
  asyncio::BaseEventLoop* loop = asyncio::get_running_loop_or_null();  // null in a worker thread
  if (loop && loop->virtual_clock()) {
    loop->use_virtual_clock(loop->time() + DISK_SECONDS);
  } else {
    std::this_thread::sleep_for(std::chrono::duration<double>(DISK_SECONDS));
  }
}

// A plain blocking read: the calling thread waits for the disk.
std::size_t read_file(const std::string& path) {
  wait_for_disk();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  std::string data(SIZE, '\0');
  std::size_t total = 0;
  for (ssize_t n; (n = ::read(fd, data.data() + total, SIZE - total)) > 0;) total += static_cast<std::size_t>(n);
  ::close(fd);
  return total;
}

// Three beats 0.05 s apart: a task that needs the loop to turn on time.
void heartbeat(std::shared_ptr<int> beats) {
  for (int i = 0; i < 3; ++i) {
    asyncio::sleep(0.05);
    ++*beats;
  }
}

std::pair<std::size_t, int> measure(const std::string& path, bool use_thread) {
  auto beats = std::make_shared<int>(0);
  auto beat_task = asyncio::create_task(asyncio::TaskOptions{"heartbeat"}, heartbeat, beats);
  asyncio::sleep(0);  // let the heartbeat start
  const std::size_t n = use_thread ? asyncio::to_thread(read_file, path) : read_file(path);
  const int during = *beats;
  asyncio::await(beat_task);
  return {n, during};
}

void main_task() {
  char path[] = "/tmp/blocking_readXXXXXX";
  const int fd = ::mkstemp(path);
  const std::string data(SIZE, 'x');
  if (::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) std::abort();
  ::close(fd);
  auto [n, during] = measure(path, false);
  std::printf("blocking read: %zu bytes, heartbeats during the read: %d of 3\n", n, during);
  std::tie(n, during) = measure(path, true);
  std::printf("to_thread read: %zu bytes, heartbeats during the read: %d of 3\n", n, during);
  ::unlink(path);
  std::printf("conclusion: blocking calls stall every task; to_thread keeps the loop turning\n");
}

}  // namespace

int main() {
  asyncio::run(main_task);
  return 0;
}
