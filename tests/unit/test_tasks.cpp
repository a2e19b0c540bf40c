// test_tasks.cpp: unit tests (being written).
#include <doctest/doctest.h>
