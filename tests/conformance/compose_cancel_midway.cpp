// Rule: cancelling a task blocked in wait(), Event.wait() or an as_completed item raises
// CancelledError in that task only: wait() cancels none of its futures, the event forgets the
// waiter, and as_completed's futures run on (8.2, 8.4, 10).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

template <class F>
void blocked(const std::string& name, F body) {
  try {
    body();
  } catch (const CancelledError&) {
    std::cout << name << " cancelled\n";
    throw;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    BaseEventLoop& loop = get_running_loop();
    auto member = loop.create_task([] { return asyncio::sleep(0.05, std::string("member")); });
    auto t = loop.create_task([member] { blocked("wait", [member] { wait(std::vector{member}); }); });
    Event ev;
    auto e = loop.create_task([&ev] { blocked("event", [&ev] { ev.wait(); }); });
    auto other = loop.create_task([] { return asyncio::sleep(0.05, std::string("other")); });
    auto a = loop.create_task([other] {
      blocked("as_completed", [other] {
        for (auto f : as_completed(std::vector{other})) return f();
        return std::string();
      });
    });
    asyncio::sleep(0.01);
    for (auto& task : {t, e, a}) {
      task.cancel();
      await(gather(return_exceptions, task));
    }
    std::cout << "member cancelled: " << py(member.cancelled()) << " other cancelled: " << py(other.cancelled())
              << "\n";
    std::cout << "event waiters: " << py(ev.repr().find("waiters") != std::string::npos) << "\n";
    const std::string m = await(member);
    const std::string o = await(other);
    std::cout << m << " " << o << "\n";
  });
}
