// Rule: a selector the program writes (here a subclass of the default selector) sees every
// select() call of step 2, including the zero-timeout poll of each pass with work ready
// (base_events.py _run_once); a timer far in the future makes step 2 ask for exactly
// MAXIMUM_SELECT_TIMEOUT (24 hours), a timer that is overdue asks for 0, never less, and with the
// far timer cancelled (step 1 drops it) step 2 asks to block (None).
#include <cstdio>
#include <memory>
#include <optional>

#include "asyncio/asyncio.hpp"

namespace {

void print_timeout(std::optional<double> timeout) {
  if (timeout) {
    std::printf("select timeout %.1f\n", *timeout);
  } else {
    std::puts("select timeout None");
  }
}

class RecordingSelector : public asyncio::selectors::DefaultSelector {
 public:
  asyncio::BaseEventLoop* loop = nullptr;
  int far_seen = 0;

  std::vector<asyncio::selectors::ReadyEvent> select(std::optional<double> timeout) override {
    print_timeout(timeout);
    if (!timeout || *timeout >= 3600) {
      // Never wait a day (or forever): end the run after this pass instead.
      ++far_seen;
      loop->stop();
      timeout = 0.0;
    }
    return asyncio::selectors::DefaultSelector::select(timeout);
  }
};

void say(const char* word) { std::printf("callback %s\n", word); }

}  // namespace

int main() {
  auto owned = std::make_unique<RecordingSelector>();
  RecordingSelector* selector = owned.get();
  asyncio::Ref<asyncio::BaseEventLoop> loop(new asyncio::SelectorEventLoop(std::move(owned)));
  selector->loop = loop.get();
  loop->call_soon([] { say("a"); });
  loop->call_soon([&] { loop->call_soon([] { say("c"); }); });
  auto far = loop->call_later(1e6, [] { say("never"); });
  loop->run_forever();
  std::printf("run 1 ended; far timer cancelled: %s\n", far->cancelled() ? "True" : "False");
  loop->call_at(loop->time() - 5, [&] {
    say("overdue");
    loop->stop();
  });
  loop->run_forever();
  far->cancel();
  loop->run_forever();
  std::printf("long waits seen %d\n", selector->far_seen);
  loop->close();
}
