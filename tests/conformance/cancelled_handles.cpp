// Rule: a cancelled handle stays in the ready queue and is skipped when its turn comes
// (CPYTHON-RULES 2.4, 3.2); cancelling one later in the same pass still stops it; cancel is idempotent.
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;
asyncio::HandleRef third;

void say(const std::string& word) { std::puts(word.c_str()); }

void cancel_later_one() {
  std::puts("first cancels the handle of third");
  third->cancel();
}

const char* py_bool(bool b) { return b ? "True" : "False"; }

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  asyncio::HandleRef h1 = loop->call_soon(asyncio::named("say", say), "never printed");
  loop->call_soon(cancel_later_one, "cancel_later_one");
  loop->call_soon(asyncio::named("say", say), "second");
  third = loop->call_soon(asyncio::named("say", say), "never printed either");
  asyncio::HandleRef fourth = loop->call_soon(asyncio::named("say", say), "fourth");
  h1->cancel();
  h1->cancel();
  std::printf("h1 cancelled: %s fourth cancelled: %s\n", py_bool(h1->cancelled()), py_bool(fourth->cancelled()));
  loop->call_soon([] { loop->stop(); }, "stop");
  loop->run_forever();
  fourth->cancel();
  std::printf("fourth cancelled after it ran: %s\n", py_bool(fourth->cancelled()));
  std::printf("third cancelled: %s\n", py_bool(third->cancelled()));
  third.reset();
  loop->close();
  loop.reset();
}
