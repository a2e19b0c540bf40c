// stuck_fixed: chapter 9's exercise 4 done on examples/15_stuck.cpp (--forever): the cycle is
// broken without a timeout, because bob no longer waits for alice. Quoted in docs/answers/09.md.
#include <cstdio>
#include <memory>

#include "asyncio/asyncio.hpp"

namespace {

struct Door {
  asyncio::Task<void> alice, bob;
};

void alice(std::shared_ptr<Door> door) {
  asyncio::sleep(0);  // bob's task exists by now
  std::printf("alice: I leave after bob\n");
  asyncio::await(door->bob);  // no timeout: bob will leave
  std::printf("alice: bob has left, so do I\n");
}

void bob(std::shared_ptr<Door>) { std::printf("bob: I just leave\n"); }  // the fix: bob awaits nobody

}  // namespace

int main() {
  asyncio::run([] {
    auto door = std::make_shared<Door>();
    door->alice = asyncio::create_task(asyncio::TaskOptions{"alice"}, alice, door);
    door->bob = asyncio::create_task(asyncio::TaskOptions{"bob"}, bob, door);
    asyncio::await(asyncio::gather(door->alice, door->bob));
    std::printf("both left, with no timeout: no cycle\n");
  });
  return 0;
}
