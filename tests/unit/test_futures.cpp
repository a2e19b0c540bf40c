// test_futures.cpp: unit tests (being written).
#include <doctest/doctest.h>
