// 07_blocking_read: a blocking file read inside a task freezes the loop; to_thread does not.
// Builds on 06: adds threads: to_thread hands blocking work to the default executor.
// Chapter: docs/10-selectors-and-io.md (threads) · Python twin: examples/07_blocking_read.py
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

constexpr std::size_t SIZE = 8 * 1024 * 1024;

// A plain blocking read: the calling thread waits for the disk.
std::size_t read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  std::string data(SIZE, '\0');
  std::size_t total = 0;
  for (ssize_t n; (n = ::read(fd, data.data() + total, SIZE - total)) > 0;) total += static_cast<std::size_t>(n);
  ::close(fd);
  return total;
}

struct State {
  bool done = false;
  int ticks = 0;
};

void ticker(std::shared_ptr<State> state) {
  while (!state->done) {
    ++state->ticks;
    asyncio::sleep(0);  // one pass per tick
  }
}

std::pair<std::size_t, int> measure(const std::string& path, bool use_thread) {
  auto state = std::make_shared<State>();
  auto tick_task = asyncio::create_task(ticker, state);
  asyncio::sleep(0);  // let the ticker start
  const int before = state->ticks;
  const std::size_t n = use_thread ? asyncio::to_thread(read_file, path) : read_file(path);
  const int during = state->ticks - before;
  state->done = true;
  asyncio::await(tick_task);
  return {n, during};
}

void main_task() {
  char path[] = "/tmp/blocking_readXXXXXX";
  const int fd = ::mkstemp(path);
  const std::string data(SIZE, 'x');
  if (::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) std::abort();
  ::close(fd);
  auto [n, during] = measure(path, false);
  std::printf("blocking read: %zu bytes, ticker passes during the read: %d\n", n, during);
  std::tie(n, during) = measure(path, true);
  std::printf("to_thread read: %zu bytes, ticker kept running: %s\n", n, during > 0 ? "True" : "False");
  ::unlink(path);
  std::printf("conclusion: blocking calls stall every task; to_thread keeps the loop turning\n");
}

}  // namespace

int main() {
  asyncio::run(main_task);
  return 0;
}
