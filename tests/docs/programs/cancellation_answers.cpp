// cancellation_answers: chapter 8's exercises done on examples/08_cancellation.cpp. The argument
// picks the exercise: `swallow` (1: worker's catch block without `throw;`), `no-reschedule`
// (2: case 4 without cm.reschedule) or `no-shield` (3: case 5 waits on saving itself, not on
// shield(saving); main() catches what escapes asyncio::run). Quoted in docs/answers/08.md.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {

std::string mode;
const char* py(bool b) { return b ? "True" : "False"; }

void worker() {
  std::printf("worker: started, sleeping\n");
  try {
    asyncio::sleep(10);
  } catch (const CancelledError&) {
    std::printf("worker: CancelledError at my await, closing the file\n");
    if (mode != "swallow") throw;  // exercise 1: without it, the worker swallows the cancellation
  }
}

std::string stubborn() {
  try {
    asyncio::sleep(0);
  } catch (const CancelledError&) {
    std::printf("stubborn: cancelling() = %d, ", current_task()->cancelling());
    std::printf("uncancel() -> %d\n", current_task()->uncancel());
  }
  return "finished anyway";
}

std::string save() {
  asyncio::sleep(0.3);
  std::printf("save: written\n");
  return "saved";
}

void main_task() {
  auto task = create_task(TaskOptions{"worker"}, worker);
  asyncio::sleep(0);
  std::printf("main: cancel() -> %s, ", py(task.cancel()));
  std::printf("done() -> %s, cancelling() -> %d\n", py(task.done()), task.cancelling());
  try {
    await(task);
  } catch (const CancelledError&) {
    std::printf("main: worker.cancelled() -> %s\n", py(task.cancelled()));
  }
  auto stub = create_task(TaskOptions{"stubborn"}, stubborn);
  asyncio::sleep(0);
  stub.cancel();
  std::printf("main: stubborn returned '%s'\n", await(stub).c_str());
  try {
    wait_for(worker, 0.1);
  } catch (const TimeoutError&) {
    std::printf("main: wait_for raised TimeoutError\n");
  }
  try {
    timeout(0.1, [&](Timeout& cm) {
      if (mode != "no-reschedule") cm.reschedule(get_running_loop().time() + 0.3);  // exercise 2
      asyncio::sleep(0.2);
      std::printf("main: 0.2 s in, still inside, expired() -> %s\n", py(cm.expired()));
      try {
        asyncio::sleep(10);
      } catch (const CancelledError&) {
        std::printf("main: CancelledError in the block, cancelling() -> %d\n", current_task()->cancelling());
        throw;
      }
    });
  } catch (const TimeoutError&) {
    std::printf("main: TimeoutError, cancelling() -> %d\n", current_task()->cancelling());
  }
  auto saving = create_task(TaskOptions{"save"}, save);
  try {
    if (mode == "no-shield") {
      wait_for(saving, 0.1);  // exercise 3: the timeout cancels save itself
    } else {
      wait_for(shield(saving), 0.1);
    }
  } catch (const TimeoutError&) {
    std::printf("main: gave up waiting; save.cancelled() -> %s\n", py(saving.cancelled()));
  }
  std::printf("main: save returned '%s'\n", await(saving).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  mode = argc > 1 ? argv[1] : "swallow";
  try {
    asyncio::run(main_task);
  } catch (const CancelledError&) {  // exercise 3: what escapes the main task, caught to end cleanly
    std::printf("main(): CancelledError escaped asyncio::run\n");
    return 1;
  }
  return 0;
}
