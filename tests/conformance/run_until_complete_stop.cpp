// Rule: run_until_complete stops one pass after its future completes, and raises RuntimeError if
// the loop is stopped before the future is done (CPYTHON-RULES 2.5); stop() ends the run after the pass.
#include <cstdio>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

void say(const std::string& word) { std::puts(word.c_str()); }

std::string slow() {
  std::puts("slow starts");
  asyncio::sleep(0);
  std::puts("slow resumes in the second run");
  asyncio::sleep(0);
  std::puts("slow resumes once more");
  return "slow result";
}

}  // namespace

int main() {
  auto loop = asyncio::new_event_loop();
  auto task = loop->create_task(slow);
  loop->call_soon(asyncio::named("say", say), "callback before stop");
  loop->call_soon([&] { loop->stop(); }, "stop");
  loop->call_soon(asyncio::named("say", say), "callback after stop, same pass");
  try {
    loop->run_until_complete(task);
  } catch (const asyncio::RuntimeError&) {
    std::printf("%s\n", asyncio::exception_line(std::current_exception()).c_str());
  }
  std::printf("task done: %s\n", task.done() ? "True" : "False");
  std::printf("second run returns %s\n", loop->run_until_complete(task).c_str());
  auto fut = loop->create_future<std::string>();
  loop->call_soon([fut] { fut.set_result("fut value"); }, "set_result");
  loop->call_soon(asyncio::named("say", say), "queued after set_result");
  std::printf("third run returns %s\n", loop->run_until_complete(fut).c_str());
  loop->close();
}
