// catch_across_await: two tasks each catch their own error, sleep inside the catch block, then
// rethrow with `throw;`. Each fiber keeps its own record of the exception being handled
// (fibers.hpp, EhState), so each rethrows its own, as in Python. Quoted in docs/06-tasks-on-fibers.md.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "asyncio/asyncio.hpp"

void worker(const char* name, double delay) {
  try {
    try {
      throw std::runtime_error(std::string(name) + "'s error");
    } catch (const std::runtime_error& e) {
      asyncio::sleep(delay);  // another task runs, throws and catches meanwhile
      std::printf("%s still handling: %s\n", name, e.what());
      throw;
    }
  } catch (const std::runtime_error& e) {
    std::printf("%s rethrew: %s\n", name, e.what());
  }
}

int main() {
  asyncio::run([] {
    auto a = asyncio::create_task(asyncio::TaskOptions{"A"}, worker, "A", 0.01);
    auto b = asyncio::create_task(asyncio::TaskOptions{"B"}, worker, "B", 0.02);
    asyncio::await(a);
    asyncio::await(b);
  });
}
