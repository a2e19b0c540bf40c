// trace_stuck.cpp: programs whose loop can never wake up again, for the stuck report
// (docs/trace.md, "Stuck programs"): `cycle` (two tasks awaiting each other, under a gather),
// `orphan` (a task awaiting a future nothing holds); with `debug` after either, the loop runs in
// debug mode (the runtime logs the report once on stderr and goes on waiting).
// `sigquit`: waits for a line on stdin (fd registered: not stuck; and a Queue) so a test can send SIGQUIT.
// Course: docs/trace.md
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <utility>

#include "asyncio/asyncio.hpp"

namespace {

void cycle() {
  asyncio::Task<void> b;
  auto a = asyncio::create_task(asyncio::TaskOptions{"a"}, [&b] {
    asyncio::sleep(0);
    asyncio::await(b);
  });
  b = asyncio::create_task(asyncio::TaskOptions{"b"}, [a] { asyncio::await(a); });
  asyncio::await(asyncio::gather(a, b));
}

void orphan() {
  auto lonely = asyncio::create_task(asyncio::TaskOptions{"lonely"}, [] {
    asyncio::sleep(0.5);
    auto never = asyncio::get_running_loop().create_future<int>();
    return asyncio::await(never);
  });
  asyncio::await(lonely);
}

void sigquit() {
  asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
  auto line = loop.create_future<std::string>();
  loop.add_reader(STDIN_FILENO, [&loop, line] {
    char buf[256];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    loop.remove_reader(STDIN_FILENO);
    if (!line.done()) line.set_result(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0));
  });
  auto waiter = asyncio::create_task(asyncio::TaskOptions{"stdin_waiter"}, [line] { return asyncio::await(line); });
  // A second task waits in Queue.get(): the live table and tree name its wait by that call.
  asyncio::Queue<std::string> lines;
  auto getter = asyncio::create_task(asyncio::TaskOptions{"queue_getter"}, [&lines] { return lines.get(); });
  asyncio::sleep(0.01);
  std::cerr << "ready pid=" << ::getpid() << std::endl;
  lines.put_nowait(asyncio::await(waiter));
  const std::string got = asyncio::await(getter);
  std::cout << "got " << got.size() << " bytes" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "cycle";
  const bool debug = argc > 2 && std::string(argv[2]) == "debug";
  auto body = what == "orphan" ? orphan : what == "sigquit" ? sigquit : cycle;
  asyncio::RunOptions options;
  options.debug = debug;
  asyncio::run(body, std::move(options));
  std::puts("done");
}
