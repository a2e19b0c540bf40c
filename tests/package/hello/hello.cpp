// hello.cpp: a program of your own, outside this tree, built against an installed asyncio-cpp
// (tests/package builds it with find_package, hello/CMakeLists.txt, and with pkg-config).
// Course: README.md ("Using it from your own project")
#include <cstdio>

#include "asyncio/asyncio.hpp"

int main() {
  int total = asyncio::run([] {
    auto a = asyncio::create_task([] { asyncio::sleep(0.01); return 1; });
    auto b = asyncio::create_task([] { asyncio::sleep(0.02); return 2; });
    return asyncio::await(a) + asyncio::await(b);
  });
  std::printf("asyncio-cpp %s (headers %s): %d\n", asyncio::version(), ASYNCIO_VERSION, total);
}
