// Rule: in a TaskGroup the first child to fail cancels its siblings (they see CancelledError
// before the body does, in the same pass) and the body; every error comes out in one
// ExceptionGroup; afterwards the parent's cancelling() is back to 0 (9.1).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
void child(std::string name, int ticks, bool fail = false) {
  try {
    for (int i = 0; i < ticks; ++i) asyncio::sleep(0);
    if (fail) {
      std::cout << name << " fails\n";
      throw ValueError(name);
    }
    std::cout << name << " finishes\n";
  } catch (const CancelledError&) {
    std::cout << name << " cancelled\n";
    throw;
  }
}

std::string members(const ExceptionGroup& eg) {
  std::string out = "[";
  for (const auto& e : eg.exceptions()) out += (out.size() > 1 ? ", " : "") + py_repr(exception_repr(e));
  return out + "]";
}
}  // namespace

int main() {
  asyncio::run([] {
    try {
      task_group([](TaskGroup& tg) {
        tg.create_task(child, "quick", 0, false);
        tg.create_task(child, "bad", 1, true);
        tg.create_task(child, "slow", 5, false);
        try {
          asyncio::sleep(1);
        } catch (const CancelledError&) {
          std::cout << "body cancelled\n";
          throw;
        }
      });
    } catch (const ExceptionGroup& eg) {
      std::cout << "caught " << eg.what() << "\n";
      std::cout << "members " << members(eg) << "\n";
    }
    std::cout << "cancelling after: " << current_task()->cancelling() << "\n";
    try {
      task_group([](TaskGroup& tg) {
        tg.create_task(child, "b1", 1, true);
        tg.create_task(child, "b2", 1, true);
      });
    } catch (const ExceptionGroup& eg) {
      std::cout << "caught " << eg.what() << " " << members(eg) << "\n";
    }
    Task<void> t;
    task_group([&](TaskGroup& tg) { t = tg.create_task(child, "ok", 2, false); });
    std::cout << "all fine: " << (t.done() ? "True" : "False") << "\n";
  });
}
