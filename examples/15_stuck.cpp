// 15_stuck: two tasks that await each other wait for ever; a timeout on one side breaks the cycle.
// Builds on 09: adds a deadlock: with --forever, asyncio-trace reports it (would block forever: stuck).
// Chapter: docs/09-composing-tasks.md · Python twin: examples/15_stuck.py
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

// Two friends at a door: each leaves only after the other has left, so each awaits the other's task.
struct Door {
  asyncio::Task<void> alice, bob;
  bool forever = false;  // --forever: nobody gives up
};

// Waits until `other` has left; gives up after `patience` seconds unless door.forever.
void leave_after(const char* me, const asyncio::Task<void>& other, const char* name, double patience,
                 const Door& door) {
  std::printf("%s: I leave after %s\n", me, name);
  std::optional<double> timeout;
  if (!door.forever) timeout = patience;
  auto [done, pending] = asyncio::wait(std::vector<asyncio::Task<void>>{other}, timeout);
  if (!pending.empty()) {
    std::printf("%s: %s is still here after %g s; I leave first\n", me, name, patience);
  } else {
    std::printf("%s: %s has left, so do I\n", me, name);
  }
}

void alice(std::shared_ptr<Door> door) {
  asyncio::sleep(0);  // bob's task exists by now
  leave_after("alice", door->bob, "bob", 0.5, *door);
}

void bob(std::shared_ptr<Door> door) { leave_after("bob", door->alice, "alice", 1.0, *door); }

void main_task(bool forever) {
  auto door = std::make_shared<Door>();
  // The door holds the tasks and each task the door: CPython's collector frees such a cycle, C++ has
  // none, so the door lets go of the tasks when main_task ends, however it ends.
  struct LetGo {
    Door& d;
    ~LetGo() { d.alice = d.bob = {}; }
  } let_go{*door};
  door->forever = forever;
  door->alice = asyncio::create_task(asyncio::TaskOptions{"alice"}, alice, door);
  door->bob = asyncio::create_task(asyncio::TaskOptions{"bob"}, bob, door);
  asyncio::await(asyncio::gather(door->alice, door->bob));
  std::printf("both left: a timeout on one side broke the cycle\n");
}

}  // namespace

// Usage: 15_stuck [--forever]. With --forever no one gives up: nothing can ever wake the loop
// again. Untraced, the program then waits for ever (Ctrl-C ends it); asyncio-trace reports it.
int main(int argc, char** argv) {
  const bool forever = argc > 1 && std::strcmp(argv[1], "--forever") == 0;
  asyncio::run([forever] { main_task(forever); });
  return 0;
}
