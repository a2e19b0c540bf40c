// Rule: when main returns, asyncio.run cancels the tasks still pending and runs the loop until they
// finish, so their except/finally blocks print after main's last line (CPYTHON-RULES 12).
#include <cstdio>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

void background() {
  std::puts("background starts");
  std::exception_ptr error;  // re-raised after the finally part
  try {
    asyncio::sleep(10);
  } catch (const asyncio::CancelledError&) {
    error = std::current_exception();
    std::printf("background caught %s; cancelling() = %d\n", asyncio::exception_repr(error).c_str(),
                asyncio::current_task()->cancelling());
  }
  // finally: written after the catch block, because a fiber must not switch inside one.
  std::puts("background finally: cleanup awaits once more");
  asyncio::sleep(0);
  std::puts("background cleanup done");
  if (error) std::rethrow_exception(error);
}

std::string main_() {
  asyncio::create_task(background);
  asyncio::sleep(0);
  std::puts("main returns while background is pending");
  return "main result";
}

}  // namespace

int main() { std::printf("asyncio.run returned %s\n", asyncio::run(main_).c_str()); }
