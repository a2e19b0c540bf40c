// 07_blocking_read: a blocking file read inside a task freezes the loop; to_thread does not.
// Builds on 06: adds threads: to_thread hands blocking work to the default executor.
// Chapter: docs/07-blocking-the-loop.md · Python twin: examples/07_blocking_read.py
// --real-file: read a real file, dropped from the page cache, instead of simulating a slow disk.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "07_real_file.hpp"
#include "asyncio/asyncio.hpp"

namespace {

constexpr std::size_t SIZE = 8 * 1024 * 1024;
constexpr double DISK_SECONDS = 0.3;  // a slow disk: an SD card, a network share
bool real_disk = false;               // --real-file

// By default the file is cached and reads in milliseconds, so the slow disk is a wait. On the virtual
// clock a callback takes no time: there the loop's thread moves the clock on, the same stall every run.
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
  if (!real_disk) wait_for_disk();
  return real_file::read_all(path);
}

// Three beats 0.05 s apart: a task that needs the loop to turn on time.
void heartbeat(std::shared_ptr<int> beats) {
  for (int i = 0; i < 3; ++i) {
    asyncio::sleep(0.05);
    ++*beats;
  }
}

struct Measured { std::size_t bytes; int beats; double seconds; };  // bytes read, beats during it, wall time

Measured measure(const std::string& path, bool use_thread) {
  auto beats = std::make_shared<int>(0);
  auto beat_task = asyncio::create_task(asyncio::TaskOptions{"heartbeat"}, heartbeat, beats);
  asyncio::sleep(0);  // let the heartbeat start
  const auto start = std::chrono::steady_clock::now();
  const std::size_t n = use_thread ? asyncio::to_thread(read_file, path) : read_file(path);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  const int during = *beats;
  asyncio::await(beat_task);
  return {n, during, took.count()};
}

// Prints one measurement; with a real file (dropped from the cache first), also how long it took.
void report(const char* how, const std::string& path, bool use_thread) {
  if (real_disk) real_file::drop_from_cache(path);
  const Measured m = measure(path, use_thread);
  std::printf("%s read: %zu bytes, heartbeats during the read: %d of 3", how, m.bytes, m.beats);
  if (real_disk) std::printf(" (%.3f s)", m.seconds);
  std::printf("\n");
}

void main_task() {
  const std::string dir = real_file::directory();
  const std::size_t size = real_disk ? real_file::choose_size(dir) : SIZE;
  // A real file is big: written (and fsynced) by a worker thread, so as not to block the loop.
  const std::string path = real_disk ? asyncio::to_thread(real_file::write, dir, size, true) : real_file::write(dir, size, false);
  if (real_disk) std::printf("real file: %zu bytes in %s, fsynced, dropped from the page cache\n", size, dir.c_str());
  report("blocking", path, false);
  report("to_thread", path, true);
  ::unlink(path.c_str());
  std::printf("conclusion: blocking calls stall every task; to_thread keeps the loop turning\n");
}

}  // namespace

int main(int argc, char** argv) {
  real_disk = argc > 1 && std::strcmp(argv[1], "--real-file") == 0;
  asyncio::run(main_task);
  return 0;
}
