// as_completed_wakeups: iterating as_completed() suspends the caller only when no finished future is
// queued yet: three fetches that finish in the same pass wake it once, not three times (tasks.py's
// as_completed puts each finished future in a queue; _wait_for_one awaits done.get()). Quoted in
// docs/11-http-client.md (exercise 2); its twin is as_completed_wakeups.py.
#include <cstdio>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

int main() {
  asyncio::run([] {
    asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
    // The server's answer for the three fast pages is one future: they finish in the same pass.
    asyncio::Future<int> fast = loop.create_future<int>();
    loop.call_later(0.01, [fast] { fast.set_result(0); }, "answer");
    std::vector<asyncio::Task<std::string>> fetches;
    fetches.push_back(asyncio::create_task(asyncio::TaskOptions{"GET /slow"}, [] {
      asyncio::sleep(0.5);  // far after the fast answer, even on a loaded machine
      return std::string("/slow");
    }));
    for (std::string page : {"/", "/about", "/missing"})
      fetches.push_back(asyncio::create_task(asyncio::TaskOptions{"GET " + page}, [page, fast] {
        asyncio::await(fast);
        return page;
      }));
    int wakeups = 0;
    for (auto next : asyncio::as_completed(fetches)) {
      // A callback queued now runs only if the loop makes a pass, that is, if next() suspends.
      auto passed = std::make_shared<bool>(false);
      loop.call_soon([passed] { *passed = true; }, "mark_pass");
      const std::string page = next();
      wakeups += *passed;
      std::printf("%-8s %s\n", page.c_str(), *passed ? "(main woke up for it)" : "(already queued: no wait)");
    }
    std::printf("main woke %d times for %zu fetches\n", wakeups, fetches.size());
  });
}
