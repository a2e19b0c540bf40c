// Rule: create_task runs nothing until the next pass; tasks start in creation order, and the
// creator runs on until it awaits (CPYTHON-RULES 6.1, 18.2).
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

void worker(std::string name) {
  std::printf("%s starts\n", name.c_str());
  asyncio::sleep(0);
  std::printf("%s resumes\n", name.c_str());
}

void plain_callback() { std::puts("callback queued between the tasks"); }

void main_() {
  auto& loop = asyncio::get_running_loop();
  std::puts("main creates w1");
  asyncio::create_task(worker, "w1");
  loop.call_soon(plain_callback, "plain_callback");
  std::puts("main creates w2 and w3");
  auto t2 = asyncio::create_task(worker, "w2");
  asyncio::create_task(worker, "w3");
  std::printf("main still running; w2 done: %s\n", t2.done() ? "True" : "False");
  asyncio::sleep(0);
  std::puts("main after its first sleep(0)");
  asyncio::sleep(0);
  std::puts("main after its second sleep(0)");
}

}  // namespace

int main() { asyncio::run(main_); }
