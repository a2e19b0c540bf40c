// test_base_events.cpp: unit tests (being written).
#include <doctest/doctest.h>
