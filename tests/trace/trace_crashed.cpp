// trace_crashed.cpp: a program that dies in its fourth pass, two ways: by default its main task
// raises an exception nobody catches (std::terminate, so SIGABRT); with the argument `exit` it
// calls std::exit(3) from a callback. Either way asyncio-trace must keep passes 1-3 and name the
// exit status. Course: docs/trace.md
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "asyncio/asyncio.hpp"

int main(int argc, char** argv) {
  const bool exit_mode = argc > 1 && std::string(argv[1]) == "exit";
  asyncio::run([exit_mode] {
    for (int i = 0; i < 3; ++i) asyncio::sleep(0.1);
    if (exit_mode) std::exit(3);
    throw std::logic_error("crash in the main task");
  });
}
