// Rule: without return_exceptions the first failure becomes the gather's exception at once; the
// other children are not cancelled and keep running (8.1). With return_exceptions, failures and
// cancellations take their argument's slot.
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
const char* py(bool b) { return b ? "True" : "False"; }

std::string worker(std::string name, int ticks, bool fail = false) {
  for (int i = 0; i < ticks; ++i) asyncio::sleep(0);
  if (fail) {
    std::cout << name << " fails\n";
    throw ValueError(name);
  }
  std::cout << name << " finishes\n";
  return name;
}

template <class T>
std::string show(const Outcome<T>& o) {
  if (o.index() == 1) return exception_repr(std::get<1>(o));
  return py_repr(std::get<0>(o));
}
}  // namespace

int main() {
  asyncio::run([] {
    auto slow = create_task(worker, "slow", 4, false);
    try {
      await(gather([] { return worker("w1", 1, true); }, slow, [] { return worker("w2", 2, true); }));
    } catch (const ValueError&) {
      std::cout << "gather raised " << exception_repr(std::current_exception()) << " slow done: " << py(slow.done())
                << "\n";
    }
    await(slow);
    std::cout << "slow result: " << slow.result() << "\n";
    auto victim = create_task(worker, "victim", 5, false);
    get_running_loop().call_soon([victim] { victim.cancel(); }, "cancel");
    auto [x, y, v] = await(gather(return_exceptions, [] { return worker("x", 1, true); },
                                  [] { return worker("y", 0); }, victim));
    std::cout << "results: [" << py_repr(show<std::string>(x)) << ", " << py_repr(show<std::string>(y)) << ", "
              << py_repr(show<std::string>(v)) << "]\n";
  });
}
