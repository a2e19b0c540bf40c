#!/bin/sh
# The README's pkg-config one-liner, run by tests/package/check_install.cmake in a copy of hello/.
set -e
g++ hello.cpp $(pkg-config --cflags --libs asyncio-cpp) -o hello
