// unprobed_frames.cpp: large stack frames compiled WITHOUT -fstack-clash-protection (see
// tests/CMakeLists.txt), as a library built elsewhere may be: the frame is allocated in one step
// and only its lowest bytes are written, so nothing touches the pages between. test_stack_guard.cpp
// proves the guard below a task's stack is large enough to catch them anyway.
// Course: docs/06-tasks-on-fibers.md (Guard regions).
#include "unprobed_frames.hpp"

namespace unprobed {

int write_low_end_of_96k_buffer() {
  // As recv(fd, buffer, sizeof buffer) or snprintf(buffer, ...) would: the first bytes only.
  volatile char buffer[96 * 1024];
  for (int i = 0; i < 64; ++i) buffer[i] = static_cast<char>(i);
  return buffer[0] + buffer[63];
}

}  // namespace unprobed
