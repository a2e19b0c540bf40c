// asyncio_trace.cpp: the asyncio-trace command: run a program on asyncio-cpp with its event
// stream on a pipe (ASYNCIO_TRACE=jsonl:fd:N) and print, step through or draw every pass.
// A C++-only tool (no CPython twin). Owns the command line and the child process; the model and
// the writers are in tools/trace/. Course: docs/trace.md
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "asyncio/version.hpp"
#include "trace/diff.hpp"
#include "trace/program.hpp"
#include "trace/render.hpp"
#include "trace/step.hpp"
#include "trace/tasks.hpp"
#include "trace/trace_model.hpp"

namespace {

using namespace asyncio_trace;

struct Options {
  std::vector<std::string> command;  // PROGRAM [ARGS...]
  std::string replay;                // read a recorded stream instead of running a program
  bool list = false;
  std::string clock = "real";
  std::string color = "auto";
  std::string passes;
  std::string task;
  std::string steps;
  bool summary = false;
  std::string format = "text";
  std::string output;
  bool step = false;
  bool no_fold = false;
  double slow = 0.1;
  std::string python = "python3";  // the interpreter for a PROGRAM.py
  // [graph] who waits on what
  bool tasks = false;
  bool tree = false;
  std::string stuck = "end";
};

// [graph] The exit status when asyncio-trace ended a stuck program (docs/trace.md).
constexpr int EXIT_STUCK = 4;

void configure_cli(CLI::App& app, Options& o) {
  app.description(
      "Run a program built on asyncio-cpp and show every pass of its event loop, step by step.");
  app.footer(
      "PROGRAM [ARGS...] come after the options: PROGRAM is an example's name or number (see --list) or a path\n"
      "to any program built on asyncio-cpp; ARGS go to it unchanged. Or --replay FILE reads a recorded stream.\n"
      "The exit status is the program's (128+N if signal N killed it; 4 if it was stuck and ended), 1 for a\n"
      "trace that cannot be read, 2 for a bad command line. See docs/trace.md.");
  app.prefix_command();  // everything from PROGRAM on belongs to the program
  app.set_version_flag("--version", std::string("asyncio-trace ") + ASYNCIO_VERSION, "Print asyncio-trace's version and exit");
  app.add_flag("--list", o.list, "List the examples asyncio-trace can run by name");
  app.add_option("--clock", o.clock, "real (default), or virtual: jump to each timer; same trace every run")
      ->check(CLI::IsMember({"real", "virtual"}));
  app.add_option("--color", o.color, "Colour the text output")->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--passes", o.passes, "Only these passes: 5-12, 7, 5- or -12");
  app.add_option("--task", o.task, "Only the passes and callbacks of this task (by name)");
  app.add_option("--steps", o.steps, "Only these steps, e.g. 2,4");
  app.add_flag("--summary", o.summary, "Tables per task and for the loop, and the slow callbacks, instead of passes");
  app.add_option("--slow", o.slow,
                 "A callback that blocks the loop this long (seconds of real time, on either clock) is flagged "
                 "as slow in the text, the summary and the HTML view (default 0.1, CPython's slow_callback_duration)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--no-fold", o.no_fold, "Print every pass, even a run of passes identical to the one before");
  app.add_option("--format", o.format, "text (default), jsonl (the raw stream), chrome (Perfetto), html")
      ->check(CLI::IsMember({"text", "jsonl", "chrome", "html"}));
  app.add_option("-o,--output", o.output, "Write the trace to FILE instead of standard output");
  app.add_flag("--step", o.step,
               "Pause after each step of each pass (also over --replay FILE): Enter next step, n next pass, "
               "N run N passes, c continue, q quit, b back, r/t/k/w print the ready queue, timer heap, tasks, "
               "await tree; ? lists the keys");
  app.add_option("--replay", o.replay, "Read a recorded stream (--format jsonl) instead of running a program")
      ->check(CLI::ExistingFile);
  // [graph]
  app.add_flag("--tasks", o.tasks, "After each pass, a table of the live tasks: ready, running, waiting on X since pass N");
  app.add_flag("--tree", o.tree, "After each pass (or each of --passes), the await tree: each task under what awaits it");
  app.add_option("--stuck", o.stuck,
                 "A stuck program (nothing can ever wake its loop): end (default: report, end it, exit status 4) "
                 "or report (report it and let it wait)")
      ->check(CLI::IsMember({"end", "report"}));
  app.add_option("--python", o.python, "The interpreter for a PROGRAM.py (default: python3 in PATH; 3.11 or newer)");
}

// ---------------------------------------------------------------- finding the program

// The built examples: executables named NN_something.
std::vector<std::string> list_examples(const std::string& dir) {
  std::vector<std::string> names;
  if (dir.empty()) return names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (dirent* entry = ::readdir(d)) {
    const std::string name = entry->d_name;
    if (name.size() < 4 || !std::isdigit(static_cast<unsigned char>(name[0])) ||
        !std::isdigit(static_cast<unsigned char>(name[1])) || name[2] != '_')
      continue;
    const std::string path = dir + "/" + name;
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0)
      names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// PROGRAM as given: a path (it has a '/'), or an example's name or number ("02").
std::optional<std::string> resolve_program(const std::string& program, std::string& error) {
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) != 0) {
      error = program + ": " + std::strerror(errno);
      return std::nullopt;
    }
    return program;
  }
  const std::string dir = examples_dir();
  const std::vector<std::string> names = list_examples(dir);
  for (const std::string& name : names)
    if (name == program || name.substr(0, 2) == program) return dir + "/" + name;
  std::ostringstream msg;
  msg << "unknown example '" << program << "' (a program in the current directory needs ./ before its name)";
  if (names.empty()) {
    msg << "; no built examples found" << (dir.empty() ? "" : " in " + dir);
  } else {
    msg << "; known examples:";
    for (const std::string& name : names) msg << "\n  " << name;
  }
  error = msg.str();
  return std::nullopt;
}

// ---------------------------------------------------------------- the child

struct Child {
  pid_t pid = -1;
  int events = -1;  // read end of the stream
  int step = -1;    // write end of the go-ahead pipe (--step)
};

Child spawn(const std::string& path, const std::vector<std::string>& args, bool virtual_clock, bool step,
            bool stuck_report) {
  int stream[2], go[2] = {-1, -1};
  if (::pipe2(stream, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (step && ::pipe2(go, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::cout.flush();
  std::cerr.flush();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The child gets the stream as fd 3 (and --step's pipe as fd 4) and nothing else beyond
    // 0-2, so the fds a program opens have the same numbers every run (golden traces show them).
    const int high_stream = ::fcntl(stream[1], F_DUPFD, 100);
    const int high_go = step ? ::fcntl(go[0], F_DUPFD, 100) : -1;
    ::dup2(high_stream, 3);
    if (step) ::dup2(high_go, 4);
    ::close_range(step ? 5 : 4, ~0U, 0);
    set_child_trace_environment(virtual_clock, step);  // SIGPIPE too: exec would pass SIG_IGN on
    if (stuck_report) ::setenv("ASYNCIO_TRACE_STUCK", "report", 1);  // [graph]
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(path.c_str(), argv.data());
    std::fprintf(stderr, "asyncio-trace: cannot run %s: %s\n", path.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  ::close(stream[1]);
  if (step) ::close(go[0]);
  return Child{pid, stream[0], go[1]};
}

// Reads lines from a file descriptor (the stream pipe or a recorded file).
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  bool next(std::string& line) {
    for (;;) {
      const auto nl = buffer_.find('\n', start_);
      if (nl != std::string::npos) {
        line.assign(buffer_, start_, nl - start_);
        start_ = nl + 1;
        return true;
      }
      buffer_.erase(0, start_);
      start_ = 0;
      char chunk[65536];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (buffer_.empty()) return false;
        line = std::move(buffer_);  // a last line without its newline: a cut-off stream
        buffer_.clear();
        cut_off_ = true;
        return true;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // The line last returned had no newline: the stream was cut off inside it.
  bool cut_off() const { return cut_off_; }

 private:
  int fd_;
  std::string buffer_;
  std::size_t start_ = 0;
  bool cut_off_ = false;
};

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

bool use_color(const Options& o) {
  if (o.color == "always") return true;
  if (o.color == "never" || !o.output.empty()) return false;
  const char* term = std::getenv("TERM");
  return ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR") && !(term && std::string(term) == "dumb");
}

// ---------------------------------------------------------------- run_trace

int run_trace(const Options& o) {
  if (o.list) {
    const std::string dir = examples_dir();
    const std::vector<std::string> names = list_examples(dir);
    if (names.empty()) {
      std::cerr << "asyncio-trace: no built examples found" << (dir.empty() ? "" : " in " + dir) << "\n";
      return 1;
    }
    for (const std::string& name : names) std::cout << name << "\n";
    return 0;
  }
  if (o.command.empty() == o.replay.empty()) {
    std::cerr << "asyncio-trace: give a PROGRAM to run or --replay FILE (see --help)\n";
    return 2;
  }
  if (o.step && (o.format != "text" || o.summary)) {
    std::cerr << "asyncio-trace: --step shows the passes as text (not with --format or --summary)\n";
    return 2;
  }
  // --step's prompt and keys are on the terminal (not stdout, which may be a file or a pipe).
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> tty(nullptr, std::fclose);
  if (o.step) {
    tty.reset(std::fopen("/dev/tty", "r+"));
    if (!tty) {
      std::cerr << "asyncio-trace: --step needs a terminal (/dev/tty cannot be opened)\n";
      return 2;
    }
  }

  TextOptions text_options;
  try {
    if (!o.passes.empty()) text_options.passes = parse_pass_range(o.passes);
    if (!o.steps.empty()) text_options.steps = parse_steps(o.steps);
  } catch (const std::invalid_argument& e) {
    std::cerr << "asyncio-trace: " << e.what() << "\n";
    return 2;
  }
  text_options.task = o.task;
  text_options.color = use_color(o);
  text_options.fold = !o.step && !o.no_fold && !o.tasks && !o.tree;
  text_options.slow = o.slow;

  std::ofstream file;
  if (!o.output.empty()) {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "asyncio-trace: cannot write " << o.output << ": " << std::strerror(errno) << "\n";
      return 2;
    }
  }
  std::ostream& out = o.output.empty() ? std::cout : file;

  std::string label = o.replay;
  Child child;
  int fd;
  if (o.replay.empty()) {
    std::string error;
    std::vector<std::string> args(o.command.begin() + 1, o.command.end());
    std::optional<std::string> path;
    if (is_python_program(o.command.front())) {  // CPython with the recorder (tools/pytrace)
      if (auto command = python_command(o.python, o.command.front(), args, error)) {
        path = command->front();
        args.assign(command->begin() + 1, command->end());
      }
    } else {
      path = resolve_program(o.command.front(), error);
    }
    if (!path) {
      std::cerr << "asyncio-trace: " << error << "\n";
      return 2;
    }
    label = o.command.front();
    for (std::size_t i = 1; i < o.command.size(); ++i) label += " " + o.command[i];
    ::signal(SIGPIPE, SIG_IGN);
    // Ctrl-\ (SIGQUIT) goes to the whole foreground group: the traced program prints its task
    // table and tree and runs on; asyncio-trace must not die of it (the trace would be lost).
    ::signal(SIGQUIT, SIG_IGN);
    child = spawn(*path, args, o.clock == "virtual", o.step, o.stuck == "report");
    fd = child.events;
  } else {
    fd = ::open(o.replay.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "asyncio-trace: cannot read " << o.replay << ": " << std::strerror(errno) << "\n";
      return 2;
    }
  }

  const bool streaming_text = o.format == "text" && !o.summary;
  TextRenderer text(out, text_options);
  TraceBuilder trace;
  // The program's own stdout arrives inside the stream. Text and JSON Lines written to stdout
  // carry it in place; otherwise it is passed on as the program printed it (to stderr when
  // stdout carries a Chrome or HTML document, so the document stays well-formed).
  std::ostream* echo = nullptr;
  if (o.replay.empty()) {
    if (!o.output.empty() || o.summary) {
      echo = &std::cout;
    } else if (o.format == "chrome" || o.format == "html") {
      echo = &std::cerr;
    }
  }
  trace.on_output = [&](const std::string& printed) {
    if (echo) echo->write(printed.data(), static_cast<std::streamsize>(printed.size())).flush();
  };
  // Captured stderr (format version 2) goes back to stderr when it is not shown in place.
  trace.on_error_output = [&](const std::string& printed) {
    if (echo) std::cerr.write(printed.data(), static_cast<std::streamsize>(printed.size())).flush();
  };
  // [graph] --tasks, --tree and the Stuck: report, printed after the pass they belong to.
  TaskView tasks;
  std::unique_ptr<StepSession> stepper;
  if (o.step)
    stepper = std::make_unique<StepSession>(
        out, tty.get(), child.step, text, trace, tasks,
        // --passes chooses where to stop (--task only filters step 4's lines: a pass's tasks are
        // known only once it has run)
        [&](const Pass& pass) {
          return pass.index >= text_options.passes.first && pass.index <= text_options.passes.second;
        },
        text_options.steps);
  long stuck_shown = 0;
  auto after_pass = [&](const Pass& pass) {
    if (!streaming_text) return;
    if (o.tasks && text.selected(pass)) out << "  tasks after pass " << pass.index << ":\n" << indent(tasks.table(), "    ");
    if (o.tree && text.selected(pass)) {
      const std::string tree = tasks.tree();
      out << "  await tree after pass " << pass.index << ":\n" << (tree.empty() ? "    (no tasks)\n" : indent(tree, "    "));
    }
    if (!o.tasks) tasks.table();  // forget the tasks done in this pass
    if (!tasks.stuck_text().empty() && stuck_shown == 0) {
      stuck_shown = pass.index;
      out << indent(tasks.stuck_text(), "  ");
    }
    out.flush();
  };
  StepTables step_tables;  // --format html: the panel's ready queue and heap after each step
  trace.on_event = [&](const Event& event) {
    // --step: the steps this event ends are shown (and asked about) before the model moves on.
    if (stepper) stepper->before(event);
    if (o.format == "html" && !o.summary) step_tables.before(event, trace);
    tasks.add(event);
    // Under --stuck report the pass never ends: show it and the report now.
    if (event.kind() == "stuck" && o.stuck == "report" && streaming_text && !trace.passes().empty()) {
      if (stepper) {
        stepper->stream_ended();
      } else {
        text.pass(trace.passes().back());
      }
      after_pass(trace.passes().back());
    }
  };
  trace.on_pass = [&](const Pass& pass) {
    if (stuck_shown && pass.index == stuck_shown) return;
    if (stepper) {
      if (!pass.complete) stepper->stream_ended();  // the step the stream ended inside
    } else if (streaming_text) {
      text.pass(pass);
    }
    after_pass(pass);
  };

  // A stream that is not ours (or too new) stops the reading; a bad line after a good header is
  // reported by its number and skipped, and the rest is still shown.
  std::string format_error;
  std::vector<std::string> line_errors;
  long bad_lines = 0, line_number = 0;
  LineReader reader(fd);
  std::string line;
  while (reader.next(line)) {
    ++line_number;
    if (o.format == "jsonl") out << line << "\n";
    if (!format_error.empty()) continue;  // keep draining so the program is not blocked
    try {
      trace.add_line(line);
    } catch (const FormatError& e) {
      if (!trace.saw_header()) {
        format_error = e.what();
        if (child.pid > 0) ::kill(child.pid, SIGTERM);
      } else if (++bad_lines <= 10) {
        line_errors.push_back("line " + std::to_string(line_number) + ": " + e.what() +
                              (reader.cut_off() ? " (the last line is cut off)" : ""));
      }
    }
    if (stepper && stepper->quit() && !o.replay.empty()) break;  // q over a recording: leave now
  }
  ::close(fd);
  trace.finish();
  if (streaming_text && !(stepper && stepper->quit() && !o.replay.empty())) {
    text.finish();
    text.trailing_output(trace.trailing_printed());
  }
  if (stepper && !o.replay.empty()) stepper->end_of_recording();

  int status = 0;
  if (child.pid > 0) {
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  const bool stepping = stepper != nullptr;
  const int steps_done = stepping ? stepper->steps_done() : 4;
  const bool replay_quit = stepping && stepper->quit() && !o.replay.empty();
  stepper.reset();  // closes the go-ahead pipe

  if (!format_error.empty()) {
    std::cerr << "asyncio-trace: " << label << ": " << format_error << "\n";
    return 1;
  }
  for (const std::string& error : line_errors) std::cerr << "asyncio-trace: " << label << ": " << error << "\n";
  if (bad_lines > 10) std::cerr << "asyncio-trace: " << label << ": and " << bad_lines - 10 << " more bad lines\n";
  if (!trace.skipped().empty()) {
    long total = 0;
    std::string which;
    for (const auto& [kind, count] : trace.skipped()) {
      total += count;
      which += (which.empty() ? "" : ", ") + kind + " x" + std::to_string(count);
    }
    std::cerr << "asyncio-trace: " << label << ": skipped " << total << " event" << (total == 1 ? "" : "s")
              << " this reader does not know (from a newer writer?): " << which << "\n";
  }
  if (!trace.saw_header()) {
    std::cerr << "asyncio-trace: " << label
              << " emitted no trace events: it is not built on asyncio-cpp or tracing was off";
    if (child.pid > 0 && status != 0) std::cerr << " (it " << describe_status(status) << ")";
    std::cerr << "\n";
    return 1;
  }

  if (o.summary) {
    write_summary(out, trace, o.slow, text_options.color);
  } else if (o.format == "chrome") {
    write_chrome(out, trace);
  } else if (o.format == "html") {
    write_html(out, trace, label, o.slow, &step_tables);
  }

  const bool cut_off = trace.end_reason().empty() || trace.end_reason() == "terminate";
  if (trace.end_reason() == "stuck") {  // [graph]
    std::cerr << "asyncio-trace: " << label << ": stuck at pass " << tasks.stuck_pass()
              << ": nothing can wake its loop; ended (exit status " << EXIT_STUCK << ")\n";
    out.flush();
    return EXIT_STUCK;
  }
  if (child.pid > 0 && (status != 0 || cut_off)) {
    const long last = trace.passes().empty() ? 0 : trace.passes().back().index;
    std::ostringstream msg;
    msg << "the program " << describe_status(status) << "; the trace ends after pass " << last;
    if (o.format == "text") out << "(" << msg.str() << ")\n";
    std::cerr << "asyncio-trace: " << label << ": " << msg.str() << "\n";
  } else if (trace.end_reason() == "stopped") {
    if (o.format == "text") {
      const Pass& last = trace.passes().back();
      if (last.complete || !stepping) {
        out << "(stopped by --step after pass " << last.index << ")\n";
      } else {
        out << "(stopped by --step in pass " << last.index << ", after step " << steps_done << ")\n";
      }
    }
  } else if (replay_quit) {
    // q over a recording: it was read only as far as asked
  } else if (!o.replay.empty() && trace.end_reason().empty()) {
    std::cerr << "asyncio-trace: " << label << ": the stream is cut off (no end line)\n";
  }
  out.flush();
  if (bad_lines > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) != 0) && !WIFSIGNALED(status)) return 1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "diff") {  // asyncio-trace diff A B (tools/trace/diff.cpp)
    try {
      return run_diff(argc - 1, argv + 1, resolve_program);
    } catch (const std::exception& e) {
      std::cerr << "asyncio-trace diff: " << e.what() << "\n";
      return 2;
    }
  }
  CLI::App app{"", "asyncio-trace"};
  Options options;
  configure_cli(app, options);
  CLI11_PARSE(app, argc, argv);
  options.command = app.remaining();
  try {
    return run_trace(options);
  } catch (const std::exception& e) {
    std::cerr << "asyncio-trace: " << e.what() << "\n";
    return 2;
  }
}
