// test_runners.cpp: unit tests (being written).
#include <doctest/doctest.h>
