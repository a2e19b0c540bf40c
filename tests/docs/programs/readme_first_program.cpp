// readme_first_program: the program of README.md's "Writing a program", kept compiling and running
// (docs.check quotes it and its output). Mirrors asyncio.run, create_task and await in
// Lib/asyncio/runners.py and tasks.py. Course: README.md, then docs/06-tasks-on-fibers.md.
#include <cstdio>
#include "asyncio/asyncio.hpp"

int main() {
  int total = asyncio::run([] {
    auto a = asyncio::create_task([] { asyncio::sleep(0.1); return 1; });
    auto b = asyncio::create_task([] { asyncio::sleep(0.2); return 2; });
    return asyncio::await(a) + asyncio::await(b);  // `await a` in Python
  });
  std::printf("%d\n", total);
}
