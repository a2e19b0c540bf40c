// test_fibers.cpp: unit tests (being written).
#include <doctest/doctest.h>
