// Rule: timers with equal deadlines fire in heapq order, not FIFO (CPYTHON-RULES 4.2, 18.4): the
// order depends on the whole heap's history. Every deadline is base + an exact offset, so ties are exact.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

asyncio::Ref<asyncio::BaseEventLoop> loop;
std::vector<std::string> fired;

using Timers = std::vector<std::pair<std::string, double>>;

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// timers: (label, offset) pairs scheduled with call_at(base + offset) in list order.
void run_round(const char* title, const Timers& timers) {
  fired.clear();
  const double base = loop->time();
  for (const auto& [label, offset] : timers) loop->call_at(base + offset, [label = label] { fired.push_back(label); }, "append");
  loop->call_at(base + 0.03, [] { loop->stop(); }, "stop");
  loop->run_forever();
  std::puts(title);
  std::vector<std::string> labels;
  for (const auto& timer : timers) labels.push_back(timer.first);
  std::printf("  scheduled: %s\n", join(labels).c_str());
  std::printf("  fired:     %s\n", join(fired).c_str());
}

}  // namespace

int main() {
  loop = asyncio::new_event_loop();
  // Twelve timers at base, then ten later ones at base + 0.02.
  Timers round1;
  for (int k = 0; k < 12; ++k) round1.emplace_back(std::to_string(k), 0.0);
  for (int k = 0; k < 10; ++k) round1.emplace_back("L" + std::to_string(k), 0.02);
  run_round("twelve ties then ten later", round1);
  // Capital letters share one deadline; e1/e2 are earlier, l1 later.
  run_round("ties among other deadlines", {{"A", 0.01}, {"e1", 0.0}, {"B", 0.01}, {"C", 0.01}, {"l1", 0.02},
                                           {"D", 0.01}, {"e2", 0.0}, {"E", 0.01}, {"F", 0.01}});
  // Fifteen timers over three deadlines, pushed in a scrambled order.
  Timers round3;
  for (int k = 0; k < 15; ++k)
    round3.emplace_back(std::to_string(k) + "@" + std::to_string((k * 7) % 3), ((k * 7) % 3) * 0.001);
  run_round("three deadlines, fifteen timers", round3);
  loop->close();
  loop.reset();
}
