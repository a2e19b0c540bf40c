// Rule: an async generator runs inside the task that iterates it (no extra loop pass per value,
// so other tasks interleave as they would with any await), may await between yields, ends with
// StopAsyncIteration, runs its finally block on aclose() (GeneratorExit at its yield), gets a
// cancellation at the await where it waits, refuses a second concurrent anext, and is closed by
// the loop's finalizer hook when dropped suspended, or by shutdown_asyncgens() at asyncio.run's end
// (genobject.c; base_events.py _asyncgen_finalizer_hook, shutdown_asyncgens).
// C++: asyncio::AsyncGenerator<T>, anext, aclose, async_for, shutdown_asyncgens.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

using asyncio::AsyncGenerator;

// A finally block: its destructor runs when the body returns, raises or is closed.
struct Finally {
  std::string text;
  ~Finally() { std::printf("%s\n", text.c_str()); }
};

std::vector<AsyncGenerator<int>> held;

AsyncGenerator<int> ticker(std::string name, int n) {
  return AsyncGenerator<int>(
      [name, n](auto& yield) {
        Finally finally{name + " finally"};
        for (int i = 0; i < n; ++i) {
          asyncio::sleep(0);
          std::printf("%s yields %d\n", name.c_str(), i);
          yield(i);
        }
      },
      "ticker");
}

void other() {
  for (int i = 0; i < 4; ++i) {
    std::printf("other %d\n", i);
    asyncio::sleep(0);
  }
}

AsyncGenerator<int> sleeper() {
  return AsyncGenerator<int>(
      [](auto& yield) {
        Finally finally{"sleeper finally"};
        try {
          yield(1);
          asyncio::sleep(10);
          yield(2);
        } catch (const asyncio::CancelledError&) {
          std::printf("sleeper sees CancelledError\n");
          throw;
        }
      },
      "sleeper");
}

void consume() {
  auto gen = sleeper();
  asyncio::async_for(gen, [](int v) { std::printf("consume got %d\n", v); });
}

void body() {
  auto& loop = asyncio::get_running_loop();
  auto t = loop.create_task(other);
  {
    auto a = ticker("a", 3);
    asyncio::async_for(a, [](int v) { std::printf("got %d\n", v); });
  }
  asyncio::await(t);

  {
    auto g = ticker("b", 1);
    std::printf("anext -> %d\n", g.anext());
    try {
      g.anext();
    } catch (const asyncio::StopAsyncIteration&) {
      std::printf("StopAsyncIteration\n");
    }
  }
  {
    auto g = ticker("c", 5);
    std::printf("anext -> %d\n", g.anext());
    g.aclose();
    std::printf("closed\n");
    try {
      g.anext();
    } catch (const asyncio::StopAsyncIteration&) {
      std::printf("StopAsyncIteration after aclose\n");
    }
  }

  auto c = loop.create_task(consume);
  asyncio::sleep(0);
  asyncio::sleep(0);
  c.cancel();
  try {
    asyncio::await(c);
  } catch (const asyncio::CancelledError&) {
    std::printf("consume cancelled\n");
  }

  {
    auto g = ticker("d", 5);
    auto results = asyncio::await(
        asyncio::gather(asyncio::return_exceptions, [&g] { return g.anext(); }, [&g] { return g.anext(); }));
    std::printf("concurrent anext: [%d, %s]\n", std::get<0>(std::get<0>(results)),
                asyncio::exception_repr(std::get<1>(std::get<1>(results))).c_str());
    g.aclose();
  }

  std::optional<AsyncGenerator<int>> e = ticker("e", 5);
  std::printf("anext -> %d\n", e->anext());
  e.reset();
  std::printf("dropped e\n");
  for (int i = 0; i < 3; ++i) {
    asyncio::sleep(0);
    std::printf("pass %d\n", i);
  }

  held.push_back(ticker("f", 5));
  for (;;) {
    int v = held.back().anext();
    if (v == 1) break;
  }
  std::printf("main ends\n");
}

}  // namespace

int main() {
  asyncio::run(body);
  std::printf("after run\n");
  held.clear();
}
