// Rule: a KeyboardInterrupt that nothing catches leaves asyncio::run after the loop is closed (the
// leftover task is cancelled and cleans up first), then ends the program: `KeyboardInterrupt` is
// the last line on stderr and the process dies by SIGINT (a shell shows 130). No code in main:
// asyncio::run's exit handler does it (runners.hpp, install_exit_handler).
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

struct Finally {
  ~Finally() { std::puts("worker cleaned up"); }
};

void worker() {
  Finally cleanup;
  asyncio::sleep(10);
}

void main_() {
  asyncio::create_task(worker);
  asyncio::sleep(0);
  std::puts("main raises KeyboardInterrupt");
  throw asyncio::KeyboardInterrupt();
}

}  // namespace

int main() {
  asyncio::run(main_);
  std::puts("never printed");
}
