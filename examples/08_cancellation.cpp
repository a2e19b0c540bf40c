// 08_cancellation: cancel() is a request the task receives at its next await; timeouts are
// cancellations with a deadline. Builds on 06: adds cancel, cancelling/uncancel, wait_for,
// timeout and shield. Chapter: docs/08-cancellation-and-timeouts.md · Python twin: 08_cancellation.py
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {

const char* py(bool b) { return b ? "True" : "False"; }

void worker() {
  std::printf("worker: started, sleeping\n");
  try {
    asyncio::sleep(10);
  } catch (const CancelledError&) {
    std::printf("worker: CancelledError at my await, closing the file\n");
    throw;  // let the cancellation finish the task
  }
}

std::string stubborn() {
  try {
    asyncio::sleep(0);  // a bare yield: no future here for cancel() to cancel
  } catch (const CancelledError&) {
    std::printf("stubborn: cancelling() = %d, ", current_task()->cancelling());
    std::printf("uncancel() -> %d\n", current_task()->uncancel());  // I take it back: 0 requests left
  }
  return "finished anyway";
}

std::string save() {
  asyncio::sleep(0.3);
  std::printf("save: written\n");
  return "saved";
}

void main_task() {
  auto task = create_task(TaskOptions{"worker"}, worker);  // 1. cancel() while the task waits
  asyncio::sleep(0);  // the worker starts and sleeps
  std::printf("main: cancel() -> %s, ", py(task.cancel()));  // only a request: nothing has run yet
  std::printf("done() -> %s, cancelling() -> %d\n", py(task.done()), task.cancelling());
  try {
    await(task);
  } catch (const CancelledError&) {
    std::printf("main: worker.cancelled() -> %s\n", py(task.cancelled()));
  }
  auto stub = create_task(TaskOptions{"stubborn"}, stubborn);  // 2. a cancel that finds no future
  asyncio::sleep(0);
  stub.cancel();
  std::printf("main: stubborn returned '%s'\n", await(stub).c_str());
  try {
    wait_for(worker, 0.1);  // 3. a timer cancels the inner task, then TimeoutError
  } catch (const TimeoutError&) {
    std::printf("main: wait_for raised TimeoutError\n");
  }
  try {
    timeout(0.1, [&](Timeout& cm) {  // 4. a deadline around a block
      cm.reschedule(get_running_loop().time() + 0.3);  // more time, please
      asyncio::sleep(0.2);
      std::printf("main: 0.2 s in, still inside, expired() -> %s\n", py(cm.expired()));
      try {
        asyncio::sleep(10);
      } catch (const CancelledError&) {
        std::printf("main: CancelledError in the block, cancelling() -> %d\n", current_task()->cancelling());
        throw;  // the timeout turns its own cancellation into TimeoutError
      }
    });
  } catch (const TimeoutError&) {
    std::printf("main: TimeoutError, cancelling() -> %d\n", current_task()->cancelling());
  }
  auto saving = create_task(TaskOptions{"save"}, save);  // 5. shield: stop waiting, not working
  try {
    wait_for(shield(saving), 0.1);
  } catch (const TimeoutError&) {
    std::printf("main: gave up waiting; save.cancelled() -> %s\n", py(saving.cancelled()));
  }
  std::printf("main: save returned '%s'\n", await(saving).c_str());
}

}  // namespace

int main() { asyncio::run(main_task); }
