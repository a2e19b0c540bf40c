// trace_killed.cpp: a program killed by a signal in the middle of its fourth pass; its trace
// must still hold passes 1-3 (the writer flushes at each pass end). Course: docs/trace.md
#include <signal.h>
#include <unistd.h>

#include "asyncio/asyncio.hpp"

int main() {
  asyncio::run([] {
    for (int i = 0; i < 3; ++i) asyncio::sleep(0.1);
    ::kill(::getpid(), SIGKILL);
  });
}
