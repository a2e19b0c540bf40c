// Rule: asyncio.run(main, debug=True) runs main on a loop in debug mode; Runner(loop_factory=)
// runs on the loop the factory makes, and a loop subclass can extend each pass by overriding
// _run_once and calling the base (runners.py Runner._lazy_init; base_events.py run_forever).
// The pass count includes Runner.close's shutdown passes. C++: override run_once().
#include <cstdio>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

class CountingLoop : public asyncio::SelectorEventLoop {
 public:
  CountingLoop() : SelectorEventLoop(std::make_unique<asyncio::selectors::DefaultSelector>()) {}
  int passes = 0;
  void run_once() override {
    ++passes;
    SelectorEventLoop::run_once();
  }
};

std::string main_task(std::string label) {
  auto& loop = asyncio::get_running_loop();
  std::printf("%s debug: %s counting loop: %s\n", label.c_str(), loop.get_debug() ? "True" : "False",
              dynamic_cast<CountingLoop*>(&loop) ? "True" : "False");
  asyncio::sleep(0);
  asyncio::sleep(0);
  return label + " done";
}

}  // namespace

int main() {
  std::puts(asyncio::run([] { return main_task("run"); }, {.debug = true, .loop_factory = {}}).c_str());
  std::puts(asyncio::run([] { return main_task("run default"); }).c_str());
  std::vector<asyncio::Ref<CountingLoop>> made;
  auto factory = [&made] {
    made.emplace_back(new CountingLoop());
    return asyncio::Ref<asyncio::BaseEventLoop>(made.back().get());
  };
  {
    asyncio::Runner runner({.debug = std::nullopt, .loop_factory = factory});
    std::puts(runner.run(main_task, std::string("runner 1")).c_str());
    std::printf("passes after run 1: %d\n", made[0]->passes);
    std::puts(runner.run(main_task, std::string("runner 2")).c_str());
    std::printf("passes after run 2: %d\n", made[0]->passes);
  }
  std::printf("passes after close: %d loops made: %zu closed: %s\n", made[0]->passes, made.size(),
              made[0]->is_closed() ? "True" : "False");
  {
    asyncio::Runner runner({.debug = true, .loop_factory = factory});
    std::puts(runner.run(main_task, std::string("runner debug")).c_str());
  }
}
