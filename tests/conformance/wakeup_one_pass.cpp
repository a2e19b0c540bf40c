// Rule: a task resumes one pass after the future it awaits completes: the wakeup is a done
// callback queued with call_soon (CPYTHON-RULES 6.2, 18.2); awaiting a task adds one more pass.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

int passes = 0;

void ticker() {
  passes += 1;
  if (passes < 8) asyncio::get_running_loop().call_soon(ticker, "ticker");
}

void resolve(const asyncio::Future<std::string>& fut) {
  std::printf("pass %d: callback sets the future's result\n", passes);
  fut.set_result("value");
}

std::string child() {
  std::printf("pass %d: child starts\n", passes);
  asyncio::sleep(0);
  std::printf("pass %d: child returns\n", passes);
  return "child result";
}

void main_() {
  auto& loop = asyncio::get_running_loop();
  loop.call_soon(ticker, "ticker");
  auto fut = loop.create_future<std::string>();
  loop.call_soon([fut] { resolve(fut); }, "resolve");
  std::printf("pass %d: main awaits the future\n", passes);
  std::string value = asyncio::await(fut);
  std::printf("pass %d: main resumes with %s\n", passes, value.c_str());
  auto task = asyncio::create_task(child);
  value = asyncio::await(task);
  std::printf("pass %d: main resumes with %s\n", passes, value.c_str());
}

}  // namespace

int main() { asyncio::run(main_); }
