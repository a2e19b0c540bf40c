// Rule: gather's results keep argument order whatever order the children finish in; coroutines
// become tasks started in argument order; gather() with no arguments is already done (8.1).
#include <iostream>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
std::string child(std::string name, int ticks) {
  std::cout << name << " starts\n";
  for (int i = 0; i < ticks; ++i) asyncio::sleep(0);
  std::cout << name << " finishes\n";
  for (char& c : name) c = static_cast<char>(std::toupper(c));
  return name;
}
}  // namespace

int main() {
  asyncio::run([] {
    auto empty = gather();
    std::cout << "empty done: " << (empty.done() ? "True" : "False") << " []\n";
    auto [a, b, c] = await(gather([] { return child("a", 3); }, [] { return child("b", 1); },
                                  [] { return child("c", 2); }));
    std::cout << "results: ['" << a << "', '" << b << "', '" << c << "']\n";
    auto t = create_task(child, "d", 1);
    auto [d1, e, d2] = await(gather(t, [] { return child("e", 0); }, t));
    std::cout << "duplicates: ['" << d1 << "', '" << e << "', '" << d2 << "']\n";
  });
}
