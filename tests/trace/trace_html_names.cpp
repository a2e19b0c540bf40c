// trace_html_names.cpp: tasks whose names are hostile HTML (a closing </script>, an <img> whose
// onerror logs a console error, quotes and ampersands), so the HTML timeline's escaping is
// checked in a real browser: the page must load with no script error and draw every pass.
// Course: docs/trace.md
#include <vector>

#include "asyncio/asyncio.hpp"

int main() {
  asyncio::run([] {
    const char* names[] = {"</script><script>throw new Error('escaped?')</script>",
                           "<img src=x onerror=\"console.error('injected')\">", "\"quotes\" & 'apostrophes' <b>"};
    std::vector<asyncio::Task<void>> tasks;
    double delay = 0.1;
    for (const char* name : names) {
      tasks.push_back(asyncio::create_task(asyncio::TaskOptions{name}, [delay] { asyncio::sleep(delay); }));
      delay += 0.1;
    }
    for (auto& t : tasks) asyncio::await(t);
  });
}
