// Rule: a gather's outer future is a _GatheringFuture: its repr and its "exception was never
// retrieved" report name that class, and its result is a list (tasks.py _GatheringFuture;
// _asynciomodule.c FutureObj_finalize formats the type name).
#include <cstdio>
#include <string>
#include <tuple>

#include "asyncio/asyncio.hpp"

namespace {

void handler(asyncio::BaseEventLoop&, const asyncio::ExceptionContext& context) {
  std::printf("handler: %s: %s\n", context.message.c_str(), context.future->repr().c_str());
}

template <class T>
T child(double delay, T value) {
  asyncio::sleep(delay);
  return value;
}

void main_() {
  asyncio::get_running_loop().set_exception_handler(handler);
  auto done = asyncio::gather([] { return child(0, 1); }, [] { return child(0, std::string("a")); },
                              [] { return child(0, 2.5); }, [] { return child(0, 1e-05); });
  const auto [i, s, d, e] = asyncio::await(done);
  std::printf("results: [%d, '%s', %s, %s]\n", i, s.c_str(), asyncio::py_float_repr(d).c_str(),
              asyncio::py_float_repr(e).c_str());
  std::printf("finished: %s\n", done.core().repr().c_str());
  asyncio::gather([] { return child(10, 1); }, [] { return child(10, 2); });  // cancelled by asyncio::run's shutdown
  asyncio::sleep(0);
  std::puts("main returns with a gather pending");
}

}  // namespace

int main() {
  asyncio::run(main_);
  std::puts("end");
}
