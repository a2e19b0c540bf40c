// 14_io_waits: four requests that each wait 100 ms for an answer, one after another, then all at once.
// The first lesson, measured: waiting is what a request does, and waits can overlap (0.4 s vs 0.1 s).
// Chapter: docs/01-why-async.md · Python twin: examples/14_io_waits.py
#include <cstdio>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

constexpr double ANSWER_DELAY = 0.1;  // each server takes 100 ms to answer (a sleep plays the server)
constexpr int REQUESTS = 4;

double now() { return asyncio::get_running_loop().time(); }

// Whole tenths of a second that passed: a loaded machine makes each wait a little late (up to 95 ms
// here), never that much early, so the printed numbers are the same on every run.
double tenths(double seconds) { return static_cast<int>((seconds + 0.005) * 10) / 10.0; }

// One request: nothing to compute, only a wait for the answer. Returns when the answer came.
double request(double start) {
  asyncio::sleep(ANSWER_DELAY);
  return now() - start;
}

void report(const char* title, const std::vector<double>& answered, double start) {
  std::printf("%s\n", title);
  for (std::size_t i = 0; i < answered.size(); ++i)
    std::printf("  request %zu answered at %.1f s\n", i + 1, tenths(answered[i]));
  std::printf("  %d requests took %.1f s\n", REQUESTS, tenths(now() - start));
}

void one_after_another() {
  const double start = now();
  std::vector<double> answered;
  for (int i = 0; i < REQUESTS; ++i) answered.push_back(request(start));  // each waits for the one before
  report("one after another:", answered, start);
}

void all_at_once() {
  const double start = now();
  std::vector<asyncio::Task<double>> tasks;
  for (int i = 0; i < REQUESTS; ++i) tasks.push_back(asyncio::create_task(request, start));
  const std::vector<double> answered = asyncio::await(asyncio::gather(tasks));  // the four waits overlap
  report("all at once:", answered, start);
}

}  // namespace

int main() {
  asyncio::run([] {
    one_after_another();
    all_at_once();
  });
}
