// blocking_read_answers: chapter 7's exercises done on examples/07_blocking_read.cpp (its default,
// simulated disk). The argument picks the exercise: `polite` (1: the disk's wait is a sleep of the
// loop, then the read), `slow` (2: DISK_SECONDS = 1.0) or `two` (3: two to_thread reads at once,
// awaited with gather). Quoted in docs/answers/07.md.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "../../../examples/07_real_file.hpp"
#include "asyncio/asyncio.hpp"

namespace {

constexpr std::size_t SIZE = 8 * 1024 * 1024;
double DISK_SECONDS = 0.3;  // exercise 2 makes it 1.0

void wait_for_disk() {
  asyncio::BaseEventLoop* loop = asyncio::get_running_loop_or_null();  // null in a worker thread
  if (loop && loop->virtual_clock()) {
    loop->use_virtual_clock(loop->time() + DISK_SECONDS);
  } else {
    std::this_thread::sleep_for(std::chrono::duration<double>(DISK_SECONDS));
  }
}

std::size_t read_file(const std::string& path) {
  wait_for_disk();
  return real_file::read_all(path);
}

// Exercise 1: the disk's wait is a timer of the loop; only the read itself blocks.
std::size_t polite_read(const std::string& path) {
  asyncio::sleep(DISK_SECONDS);
  return real_file::read_all(path);
}

void heartbeat(std::shared_ptr<int> beats) {
  for (int i = 0; i < 3; ++i) {
    asyncio::sleep(0.05);
    ++*beats;
  }
}

// Exercise 3: two reads, each in a task of its own that hands it to a worker thread.
std::size_t two_reads(const std::string& path) {
  auto one = asyncio::create_task(asyncio::TaskOptions{"read-1"}, [path] { return asyncio::to_thread(read_file, path); });
  auto two = asyncio::create_task(asyncio::TaskOptions{"read-2"}, [path] { return asyncio::to_thread(read_file, path); });
  const auto [a, b] = asyncio::await(asyncio::gather(one, two));
  return a + b;
}

std::pair<std::size_t, int> measure(const std::string& path, const std::string& mode, bool use_thread) {
  auto beats = std::make_shared<int>(0);
  auto beat_task = asyncio::create_task(asyncio::TaskOptions{"heartbeat"}, heartbeat, beats);
  asyncio::sleep(0);  // let the heartbeat start
  std::size_t n = 0;
  if (use_thread) {
    n = mode == "two" ? two_reads(path) : asyncio::to_thread(read_file, path);
  } else {
    n = mode == "polite" ? polite_read(path) : read_file(path);
  }
  const int during = *beats;
  asyncio::await(beat_task);
  return {n, during};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "polite";
  if (mode == "slow") DISK_SECONDS = 1.0;
  asyncio::run([mode] {
    const std::string path = real_file::write(real_file::directory(), SIZE, false);
    auto [n, during] = measure(path, mode, false);
    std::printf("%s read: %zu bytes, heartbeats during the read: %d of 3\n", mode == "polite" ? "polite" : "blocking", n,
                during);
    std::tie(n, during) = measure(path, mode, true);
    std::printf("to_thread read: %zu bytes, heartbeats during the read: %d of 3\n", n, during);
    ::unlink(path.c_str());
  });
  return 0;
}
