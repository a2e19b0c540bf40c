// program.hpp: what asyncio-trace runs: a C++ program built on asyncio-cpp, or a Python program
// under CPython with the project's recorder (tools/pytrace/asyncio_trace_recorder.py).
// A C++-only tool, no CPython twin. Owns finding the interpreter and the recorder, refusing a
// Python older than 3.11, and running a program to collect its whole stream (asyncio-trace diff).
// Course: docs/trace.md ("Tracing Python programs")
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace asyncio_trace {

// The folder holding this executable (from /proc/self/exe; "." if that cannot be read).
std::string self_dir();

// PROGRAM names a Python program (it ends in .py).
bool is_python_program(const std::string& program);

// The recorder module: $ASYNCIO_TRACE_RECORDER, else the source tree's when this tool runs in the
// build tree it was built in, else share/asyncio-cpp/pytrace of the prefix this tool is installed
// in (../share/asyncio-cpp from its bin folder), never the build tree. Empty if none exists.
std::string recorder_path();

// The folder of the built examples: $ASYNCIO_EXAMPLES_DIR, else the build tree's when this tool
// runs there, else share/asyncio-cpp/examples of its installed prefix. Empty if none exists.
std::string examples_dir();

// The command that runs a Python program under the recorder: {interpreter, recorder, PROGRAM.py,
// ARGS...}, the interpreter a full path (`python` is looked up in PATH when it has no '/').
// std::nullopt and `error` set when the interpreter is missing or older than 3.11, or the
// recorder cannot be found.
std::optional<std::vector<std::string>> python_command(const std::string& python, const std::string& program,
                                                       const std::vector<std::string>& args, std::string& error);

// A program's whole run: the stream's lines and how it ended.
struct Recording {
  std::vector<std::string> lines;
  int status = 0;  // waitpid's status
};

// In a forked child about to exec the traced program: the environment that makes its runtime
// write the stream on fd 3 with stdout captured into it, pause on fd 4 if `step`, and use the
// virtual clock if asked. SIGPIPE goes back to its default (asyncio-trace ignores it itself).
void set_child_trace_environment(bool virtual_clock, bool step);

// Runs argv[0] (a full path) with the stream on fd 3, stdout captured into it, on the virtual
// clock if asked; the program's stderr is passed through.
Recording record(const std::vector<std::string>& argv, bool virtual_clock);

// Resolves a C++ program as asyncio-trace does (an example's name or number, or a path).
using ProgramResolver = std::function<std::optional<std::string>(const std::string&, std::string&)>;

}  // namespace asyncio_trace
