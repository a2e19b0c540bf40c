// Rule: call_soon, call_later, call_at and call_soon_threadsafe keep the callback's arguments in
// the handle (events.py Handle._args): the callback gets them, and the handle's repr, the
// exception handler's message and a debug-mode cancelled repr show them as Python's repr prints
// them. C++: loop.call_soon(asyncio::named("name", fn), args...).
#include <cstdio>
#include <string>
#include <thread>
#include <tuple>
#include <variant>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

// "<TimerHandle when=12345.6 show(1)>" without the clock's value, as the twin prints it.
std::string timer_repr(const asyncio::TimerHandleRef& handle) {
  std::string text = handle->repr();
  const auto when = text.find("when=");
  return text.erase(when, text.find(' ', when) + 1 - when);
}

const auto show = [](const std::string& label, const auto&... values) {
  std::printf("show %s %s\n", label.c_str(), asyncio::value_repr_of(std::make_tuple(values...)).c_str());
};

void bad_callback(const std::string& key) { throw asyncio::KeyError(key); }

void tick() { std::puts("tick"); }

}  // namespace

int main() {
  using asyncio::named;
  auto loop = asyncio::new_event_loop();
  loop->set_exception_handler([](asyncio::BaseEventLoop&, const asyncio::ExceptionContext& context) {
    std::printf("handler: %s %s\n", context.message.c_str(), asyncio::exception_repr(context.exception).c_str());
    std::printf("  handle: %s\n", context.handle->repr().c_str());
  });
  using Item = std::variant<int, std::string>;
  auto h = loop->call_soon(named("show", show), "k1", 2, 1.5, true, std::monostate{},
                           std::vector<Item>{1, std::string("two")});
  std::puts(h->repr().c_str());
  auto one = loop->call_soon(named("show", show), "only");
  std::puts(one->repr().c_str());
  auto plain = loop->call_soon(tick, "tick");
  std::puts(plain->repr().c_str());
  loop->call_soon(named("bad_callback", bad_callback), "k1");
  auto later = loop->call_later(0.001, named("show", show), "later", 0.25);
  std::puts(timer_repr(later).c_str());
  auto at = loop->call_at(loop->time() + 0.002, named("show", show), "at", -3);
  std::puts(timer_repr(at).c_str());
  auto quoted = loop->call_soon(named("show", show), "it's", "say \"hi\"");
  std::puts(quoted->repr().c_str());
  quoted->cancel();
  std::puts(quoted->repr().c_str());
  loop->call_later(0.05, [&] { loop->stop(); }, "stop");
  loop->run_forever();

  loop->set_debug(true);
  auto kept = loop->call_soon(named("show", show), "k2", 7);
  kept->cancel();
  std::puts(kept->repr().c_str());
  auto timer = loop->call_later(10, named("show", show), "k3");
  timer->cancel();
  std::puts(timer_repr(timer).c_str());
  loop->set_debug(false);

  std::thread thread([&] {
    loop->call_soon_threadsafe(named("show", show), "threadsafe", 42);
    loop->call_soon_threadsafe([&] { loop->stop(); }, "stop");
  });
  loop->run_forever();
  thread.join();
  loop->close();
}
