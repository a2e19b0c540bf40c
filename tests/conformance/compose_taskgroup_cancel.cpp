// Rule: cancelling the task that runs a TaskGroup cancels the body, then the children, and the
// CancelledError (not a group) goes on; an error raised by the body itself cancels the children
// and joins the ExceptionGroup; create_task after the group finished is a RuntimeError (9.1).
// Each group cancels one child at most: several are cancelled in set order (rule 17).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
void child(std::string name) {
  try {
    asyncio::sleep(10);
  } catch (const CancelledError&) {
    std::cout << name << " cancelled\n";
    throw;
  }
}

void runs_group() {
  try {
    task_group([](TaskGroup& tg) {
      tg.create_task(child, "c1");
      asyncio::sleep(10);
    });
  } catch (const CancelledError&) {
    std::cout << "group let CancelledError through\n";
    throw;
  }
}
}  // namespace

int main() {
  asyncio::run([] {
    auto t = create_task(runs_group);
    asyncio::sleep(0.01);
    t.cancel();
    try {
      await(t);
    } catch (const CancelledError&) {
      std::cout << "outer task cancelled: " << (t.cancelled() ? "True" : "False") << "\n";
    }
    TaskGroup tg;
    try {
      async_with(tg, [](TaskGroup& g) {
        g.create_task(child, "c3");
        asyncio::sleep(0);
        throw KeyError("body");
      });
    } catch (const ExceptionGroup& eg) {
      std::cout << "caught " << eg.what() << " [" << py_repr(exception_repr(eg.exceptions().at(0))) << "]\n";
    }
    try {
      tg.create_task([] { asyncio::sleep(0); });
    } catch (const RuntimeError& e) {
      const std::string s = e.what();
      std::cout << "RuntimeError: ['is', 'finished']" << (s.ends_with(" is finished") ? "" : " (wrong text)") << "\n";
    }
  });
}
