// overflow_report.hpp: where the stack overflow report goes (internal; fibers.cpp and trace.cpp).
// The report is written from the SIGSEGV handler, just before the process dies, so it must reach
// a real file: while a trace captures fd 2 into a memory file that is read only between
// callbacks, the report would be lost with the process. The trace's capture names the fd that
// stderr pointed to before it (the terminal, or asyncio-trace's stderr) and gives fd 2 back when
// the capture stops.
// Course: docs/06-tasks-on-fibers.md
#pragma once

namespace asyncio::fibers {

// fd the overflow report is written to; 2 (stderr) unless a trace capture set another.
// Async-signal-safe to read; set it only while no fiber runs on another thread.
void set_overflow_report_fd(int fd) noexcept;

}  // namespace asyncio::fibers
