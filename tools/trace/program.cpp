// program.cpp: finding CPython and the recorder, and running a program to collect its stream.
// A C++-only tool, no CPython twin. Course: docs/trace.md ("Tracing Python programs")
#include "program.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

// Set by tools/CMakeLists.txt: the build tree's folders, used only by an asyncio-trace that runs
// where it was built, and the installed data folder relative to the installed tool's own.
#ifndef ASYNCIO_BUILD_TOOLS_DIR
#define ASYNCIO_BUILD_TOOLS_DIR ""
#endif
#ifndef ASYNCIO_BUILD_EXAMPLES_DIR
#define ASYNCIO_BUILD_EXAMPLES_DIR ""
#endif
#ifndef ASYNCIO_PYTRACE_DIR
#define ASYNCIO_PYTRACE_DIR ""
#endif
#ifndef ASYNCIO_DATA_FROM_BINDIR
#define ASYNCIO_DATA_FROM_BINDIR "../share/asyncio-cpp"
#endif

namespace asyncio_trace {

namespace {

constexpr const char* RECORDER_NAME = "asyncio_trace_recorder.py";

bool is_file(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_dir(const std::string& path) {
  struct stat st{};
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// This executable is the one in the build tree it was built in, not an installed or moved copy:
// only then may it look at the build and source trees.
bool in_build_tree() {
  if (!*ASYNCIO_BUILD_TOOLS_DIR) return false;
  char* real = ::realpath(ASYNCIO_BUILD_TOOLS_DIR, nullptr);
  if (!real) return false;
  const bool same = self_dir() == real;
  std::free(real);
  return same;
}

// The installed data folder (share/asyncio-cpp), found from this executable's own folder.
std::string installed_data_dir() { return self_dir() + "/" + ASYNCIO_DATA_FROM_BINDIR; }

// `name` looked up in PATH as execvp would (a name with '/' is taken as it is).
std::optional<std::string> find_executable(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    if (is_file(candidate) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

// Runs `argv` and returns what it printed on stdout and stderr (the interpreter's --version).
std::string run_for_output(const std::vector<std::string>& argv, int& status) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::read(out[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return text;
}

}  // namespace

std::string self_dir() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return ".";
  std::string s(path, static_cast<std::size_t>(n));
  return s.substr(0, s.rfind('/'));
}

bool is_python_program(const std::string& program) {
  return program.size() > 3 && program.compare(program.size() - 3, 3, ".py") == 0;
}

std::string recorder_path() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("ASYNCIO_TRACE_RECORDER"); env && *env) candidates.emplace_back(env);
  if (in_build_tree()) {
    candidates.push_back(std::string(ASYNCIO_PYTRACE_DIR) + "/" + RECORDER_NAME);
  } else {
    candidates.push_back(installed_data_dir() + "/pytrace/" + RECORDER_NAME);
  }
  for (const std::string& path : candidates)
    if (is_file(path)) return path;
  return {};
}

std::string examples_dir() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("ASYNCIO_EXAMPLES_DIR"); env && *env) candidates.emplace_back(env);
  candidates.emplace_back(in_build_tree() ? ASYNCIO_BUILD_EXAMPLES_DIR : installed_data_dir() + "/examples");
  for (const std::string& dir : candidates)
    if (is_dir(dir)) return dir;
  return {};
}

std::optional<std::vector<std::string>> python_command(const std::string& python, const std::string& program,
                                                       const std::vector<std::string>& args, std::string& error) {
  if (!is_file(program)) {
    error = program + ": " + std::strerror(ENOENT);
    return std::nullopt;
  }
  const std::optional<std::string> interpreter = find_executable(python);
  if (!interpreter) {
    error = "cannot run Python programs: no interpreter '" + python + "'" +
            (python.find('/') == std::string::npos ? " in PATH" : "") + " (pick one with --python PATH)";
    return std::nullopt;
  }
  int status = 0;
  const std::string version = run_for_output({*interpreter, "--version"}, status);
  int major = 0, minor = 0;
  const std::size_t at = version.find("Python ");
  if (at == std::string::npos || std::sscanf(version.c_str() + at, "Python %d.%d", &major, &minor) != 2) {
    error = *interpreter + " does not say which Python it is (--version printed '" +
            version.substr(0, version.find('\n')) + "')";
    return std::nullopt;
  }
  if (major < 3 || (major == 3 && minor < 11)) {
    error = *interpreter + " is Python " + std::to_string(major) + "." + std::to_string(minor) +
            "; the recorder needs CPython 3.11 or newer (pick one with --python PATH)";
    return std::nullopt;
  }
  const std::string recorder = recorder_path();
  if (recorder.empty()) {
    error = std::string("cannot find the Python recorder (") + RECORDER_NAME +
            "); set ASYNCIO_TRACE_RECORDER to its path";
    return std::nullopt;
  }
  std::vector<std::string> command{*interpreter, recorder, program};
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

void set_child_trace_environment(bool virtual_clock, bool step) {
  ::signal(SIGPIPE, SIG_DFL);
  ::signal(SIGQUIT, SIG_DFL);  // asyncio-trace ignores Ctrl-\; the program prints its tasks on it
  ::setenv("ASYNCIO_TRACE", "jsonl:fd:3", 1);
  // The program's stdout comes back inside the stream, each line in the pass that printed it.
  ::setenv("ASYNCIO_TRACE_OUTPUT", "capture", 1);
  if (step) {
    ::setenv("ASYNCIO_TRACE_STEP", "fd:4", 1);
  } else {
    ::unsetenv("ASYNCIO_TRACE_STEP");
  }
  if (virtual_clock) {
    ::setenv("ASYNCIO_CLOCK", "virtual", 1);
  } else {
    ::unsetenv("ASYNCIO_CLOCK");
  }
}

Recording record(const std::vector<std::string>& argv, bool virtual_clock) {
  int stream[2];
  if (::pipe2(stream, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // As asyncio-trace runs a program: the stream is fd 3 and nothing else is open beyond 0-2.
    const int high = ::fcntl(stream[1], F_DUPFD, 100);
    ::dup2(high, 3);
    ::close_range(4, ~0U, 0);
    set_child_trace_environment(virtual_clock, false);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "asyncio-trace: cannot run %s: %s\n", argv[0].c_str(), std::strerror(errno));
    ::_exit(127);
  }
  ::close(stream[1]);
  Recording rec;
  std::string buffer;
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(stream[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(stream[0]);
  while (::waitpid(pid, &rec.status, 0) < 0 && errno == EINTR) {
  }
  std::size_t start = 0;
  while (start < buffer.size()) {
    std::size_t nl = buffer.find('\n', start);
    if (nl == std::string::npos) nl = buffer.size();
    rec.lines.push_back(buffer.substr(start, nl - start));
    start = nl + 1;
  }
  return rec;
}

}  // namespace asyncio_trace
