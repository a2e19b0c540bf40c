// Rule: a cancelled handle stays in the ready queue and is skipped when its turn comes
// (CPYTHON-RULES 2.4, 3.2); cancelling one later in the same pass still stops it; cancel is idempotent.
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;
asyncio::HandleRef third;

void say(const char* word) { std::puts(word); }

void cancel_later_one() {
  std::puts("first cancels the handle of third");
  third->cancel();
}

const char* py_bool(bool b) { return b ? "True" : "False"; }

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  asyncio::HandleRef h1 = loop->call_soon([] { say("never printed"); });
  loop->call_soon(cancel_later_one);
  loop->call_soon([] { say("second"); });
  third = loop->call_soon([] { say("never printed either"); });
  asyncio::HandleRef fourth = loop->call_soon([] { say("fourth"); });
  h1->cancel();
  h1->cancel();
  std::printf("h1 cancelled: %s fourth cancelled: %s\n", py_bool(h1->cancelled()), py_bool(fourth->cancelled()));
  loop->call_soon([] { loop->stop(); });
  loop->run_forever();
  fourth->cancel();
  std::printf("fourth cancelled after it ran: %s\n", py_bool(fourth->cancelled()));
  std::printf("third cancelled: %s\n", py_bool(third->cancelled()));
  third.reset();
  loop->close();
  loop.reset();
}
