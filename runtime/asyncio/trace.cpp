// trace.cpp: the observer facade's slow path and the observers chosen by the environment:
// the per-pass printout and the JSON Lines writer of docs/trace-format.md.
// After Trio's instrumentation (trio/_core/_instrumentation.py): a failing observer is
// detached and reported once; the program goes on.
// Course: docs/trace.md
#include "asyncio/trace.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "asyncio/base_events.hpp"
#include "asyncio/exceptions.hpp"
#include "asyncio/graph.hpp"
#include "asyncio/overflow_report.hpp"
#include "asyncio/source_text.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

const char* to_string(TimeoutReason reason) noexcept {
  switch (reason) {
    case TimeoutReason::ready: return "ready queue not empty";
    case TimeoutReason::stopping: return "stopping";
    case TimeoutReason::timer: return "next timer";
    case TimeoutReason::none: return "nothing scheduled";
  }
  return "?";
}

const char* to_string(StepOutcome outcome) noexcept {
  switch (outcome) {
    case StepOutcome::awaited: return "awaited";
    case StepOutcome::yielded: return "yielded";
    case StepOutcome::returned: return "returned";
    case StepOutcome::raised: return "raised";
    case StepOutcome::cancelled: return "cancelled";
  }
  return "?";
}

const char* to_string(ScheduleHow how) noexcept {
  switch (how) {
    case ScheduleHow::call_soon: return "call_soon";
    case ScheduleHow::call_at: return "call_at";
    case ScheduleHow::call_soon_threadsafe: return "call_soon_threadsafe";
    case ScheduleHow::done_callback: return "done_callback";
    case ScheduleHow::task_step: return "task_step";
    case ScheduleHow::signal: return "signal";
  }
  return "?";
}

void Tracer::observer_failed_(BaseEventLoop& loop, std::exception_ptr e) {
  observer_ = nullptr;
  ExceptionContext context;
  context.message = "Trace observer raised an exception and was detached";
  context.exception = std::move(e);
  loop.call_exception_handler(context);
}

namespace {

// A plain per-pass printout on stderr (ASYNCIO_TRACE=passes): what each step did, in the
// words of docs/03-the-loop.md.
class PassPrinter final : public Observer {
 public:
  explicit PassPrinter(std::FILE* out) : out_(out) {}
  void pass_begin(BaseEventLoop&, std::size_t index, double) override {
    std::fprintf(out_, "pass %zu\n", index);
  }
  void timer_dropped(BaseEventLoop&, const TimerHandle& t) override {
    std::fprintf(out_, "  step 1: drop cancelled timer %s\n", t.description().c_str());
  }
  void heap_rebuilt(BaseEventLoop&, std::size_t before, std::size_t after) override {
    std::fprintf(out_, "  step 1: rebuild timer heap %zu -> %zu\n", before, after);
  }
  void select_begin(BaseEventLoop&, const char* kind, std::optional<double> timeout, TimeoutReason reason) override {
    if (timeout) {
      std::fprintf(out_, "  step 2: %s(timeout=%.3f) [%s]\n", kind, *timeout, to_string(reason));
    } else {
      std::fprintf(out_, "  step 2: %s(timeout=None) [%s]\n", kind, to_string(reason));
    }
  }
  void io_event(BaseEventLoop&, int fd, int mask, const Handle& h) override {
    std::fprintf(out_, "  step 2: fd %d %s -> %s\n", fd, mask == 1 ? "readable" : "writable", h.description().c_str());
  }
  void timer_ready(BaseEventLoop&, const TimerHandle& t, double) override {
    std::fprintf(out_, "  step 3: timer due -> %s\n", t.description().c_str());
  }
  void callback_begin(BaseEventLoop&, const Handle& h) override {
    if (const TaskCore* task = h.task_()) {
      std::fprintf(out_, "  step 4: run %s (%s)\n", h.description().c_str(), task->get_name().c_str());
    } else {
      std::fprintf(out_, "  step 4: run %s\n", h.description().c_str());
    }
  }
  void task_step_end(BaseEventLoop&, const TaskCore& task, StepOutcome outcome, const FutureCore*) override {
    std::fprintf(out_, "          %s %s\n", task.get_name().c_str(), to_string(outcome));
  }

 private:
  std::FILE* out_;
};

// The writers alive in this process, so exit and std::terminate can flush them.
std::vector<JsonlWriter*>& live_writers() {
  static std::vector<JsonlWriter*> writers;
  return writers;
}

std::terminate_handler previous_terminate = nullptr;

[[noreturn]] void terminate_flushing_traces() {
  for (JsonlWriter* w : live_writers()) w->end("terminate");
  if (previous_terminate) previous_terminate();
  std::abort();
}

// The bytes a JSON string must escape: control characters, '"' and '\\'.
constexpr auto json_escaped = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = true;
  table['"'] = table['\\'] = true;
  return table;
}();

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  // Runs of characters that need no escape go in at once (nearly every string is one run).
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!json_escaped[static_cast<unsigned char>(c)]) [[likely]] continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += esc;
      }
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

// printf's "%.6f" (every time in the stream), byte for byte, without printf: snprintf was nearly
// half the cost of a written event. |seconds| * 10^6 is rounded to the nearest integer, which is
// then written with six decimals; the product is exact to within 2^-10 below 2^43 (about 100
// days), so wherever its fraction is farther than 2^-6 from one half the rounding is certain.
// Everything else (a near tie, a huge value, inf, nan) goes through snprintf as before.
void append_seconds(std::string& out, double seconds) {
  const double scaled = std::fabs(seconds) * 1e6;
  if (scaled < 0x1p43) {  // false for nan too
    const double whole = std::floor(scaled);
    const double frac = scaled - whole;
    if (std::fabs(frac - 0.5) > 0x1p-6) {
      auto n = static_cast<unsigned long long>(whole) + (frac > 0.5 ? 1u : 0u);
      char text[32];
      char* const end = text + sizeof text;
      char* p = end;
      for (int i = 0; i < 6; ++i, n /= 10) *--p = static_cast<char>('0' + n % 10);
      *--p = '.';
      do {
        *--p = static_cast<char>('0' + n % 10);
        n /= 10;
      } while (n != 0);
      if (std::signbit(seconds)) *--p = '-';  // printf writes -0.000000 for -0.0000001
      out.append(p, static_cast<std::size_t>(end - p));
      return;
    }
  }
  char text[40];
  std::snprintf(text, sizeof text, "%.6f", seconds);
  out += text;
}

}  // namespace

// ---------------------------------------------------------------- the JSON Lines writer

// Ids instead of addresses, so two runs of a program on the virtual clock write the same bytes.
struct JsonlWriter::State {
  State(int fd_, bool close_fd_, int step_fd_) : fd(fd_), close_fd(close_fd_), step_fd(step_fd_) {}
  int fd;
  bool close_fd;
  int step_fd;
  bool ended = false;
  std::string buffer;
  const BaseEventLoop* last_loop = nullptr;
  std::unordered_map<const BaseEventLoop*, long> loops;  // live loops only (see loop_destroyed)
  long next_loop = 0;
  std::unordered_map<const TaskCore*, long> tasks;
  std::unordered_map<const FutureCore*, long> futures;
  std::unordered_map<const TaskCore*, double> sleeping;  // sleep(delay) about to await
  struct Created {  // [graph] a combinator's future, written when a task first awaits it
    std::string what;
    std::vector<const FutureCore*> children;
  };
  std::unordered_map<const FutureCore*, Created> created;
  long next_task = 0;
  long next_future = 0;
  // capture_stdout() / capture_stderr(): fd 1 (fd 2) writes into `captured` (a memfd sharing the
  // fd's offset); `consumed` bytes of it are in the stream already; `saved` is where the fd
  // went before. Captured stderr is also copied to `saved`, so the terminal still sees it.
  struct Capture {
    int target;  // 1 or 2
    int captured = -1;
    int saved = -1;
    off_t consumed = 0;
  };
  Capture out{STDOUT_FILENO};
  Capture err{STDERR_FILENO};

  // Puts what the program printed since the last call into the stream as "output" events.
  // The memfd only grows (nothing is truncated, so a thread printing meanwhile loses nothing).
  void drain_output() noexcept {
    if (out.captured < 0 && err.captured < 0) return;
    flush_std_streams();
    drain(out);
    drain(err);
  }
  void drain(Capture& c) noexcept {
    if (c.captured < 0) return;
    const off_t end = ::lseek(c.captured, 0, SEEK_CUR);
    if (end <= c.consumed) return;
    std::string text(static_cast<std::size_t>(end - c.consumed), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
      const ssize_t n = ::pread(c.captured, text.data() + got, text.size() - got, c.consumed + static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    c.consumed += static_cast<off_t>(got);
    if (c.target == STDERR_FILENO) write_all(c.saved, text);
    buffer += "{\"e\":\"output\",";
    if (c.target == STDERR_FILENO) buffer += "\"fd\":2,";
    buffer += "\"text\":";
    append_json_string(buffer, text);
    buffer += "}\n";
  }
  // Writes all of `text` to `to`; false if the fd stopped taking it (closed, or the reader left).
  static bool write_all(int to, std::string_view text) noexcept {
    while (!text.empty()) {
      const ssize_t n = ::write(to, text.data(), text.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  static void flush_std_streams() noexcept {
    std::cout.flush();
    std::fflush(stdout);
    std::cerr.flush();
    std::fflush(stderr);
  }
  // Gives fd 1 and fd 2 back to where they pointed before capturing.
  void stop_capture() noexcept {
    drain_output();
    for (Capture* c : {&out, &err}) {
      if (c->captured < 0) continue;
      if (c->target == STDERR_FILENO) fibers::set_overflow_report_fd(STDERR_FILENO);
      ::dup2(c->saved, c->target);
      ::close(c->saved);
      ::close(c->captured);
      c->captured = c->saved = -1;
    }
  }
  bool start_capture(Capture& c, const char* name) noexcept {
    if (c.captured >= 0) return true;
    if (ended) return false;
    flush_std_streams();
    // High fd numbers, so the fds the program opens are numbered as they would be untraced.
    const int memfd = ::memfd_create(name, MFD_CLOEXEC);
    const int captured = memfd < 0 ? -1 : ::fcntl(memfd, F_DUPFD_CLOEXEC, 100);
    const int saved = captured < 0 ? -1 : ::fcntl(c.target, F_DUPFD_CLOEXEC, 100);
    if (memfd >= 0) ::close(memfd);
    if (saved < 0 || ::dup2(captured, c.target) < 0) {
      std::fprintf(stderr, "asyncio: cannot capture %s for the trace: %s\n", c.target == 1 ? "stdout" : "stderr",
                   std::strerror(errno));
      if (captured >= 0) ::close(captured);
      if (saved >= 0) ::close(saved);
      return false;
    }
    c.captured = captured;
    c.saved = saved;
    c.consumed = 0;
    // A stack overflow kills the process before the capture is read: its report goes to the
    // stderr the capture saved (overflow_report.hpp), so it is not lost.
    if (c.target == STDERR_FILENO) fibers::set_overflow_report_fd(saved);
    return true;
  }

  // ---- Issue 12 part 1: causes. Each time a handle is scheduled it gets a new id (`h`); the
  // table maps a queued handle to its id until it runs, is skipped or is dropped.
  std::unordered_map<const Handle*, long> handles;
  long next_h = 0;
  // The step-4 callbacks running (one per loop nesting level): who does what happens now.
  struct Running {
    const Handle* handle;
    long h;
    long task;
    timespec start;
  };
  std::vector<Running> running;
  // Who asked to cancel a task (by_h, by_task), until the task is done.
  std::unordered_map<const TaskCore*, std::pair<long, long>> cancel_by;
  // The future whose done callbacks are being scheduled now (its id left the table).
  const FutureCore* done_future = nullptr;
  long done_future_id = 0;
  // sleep(delay) announced itself: its timer is the next call_later.
  std::optional<double> sleep_timer;

  long take_handle_id(const Handle& h) {
    auto it = handles.find(&h);
    if (it == handles.end()) return 0;
    const long id = it->second;
    handles.erase(it);
    return id;
  }
  long handle_id(const Handle& h) const {
    auto it = handles.find(&h);
    return it == handles.end() ? 0 : it->second;
  }
  void h_field(long id) {
    if (id) field("h", id);
  }
  // by: the callback running now, or the loop itself.
  void by_fields(const char* by = "by", const char* by_h = "by_h", const char* by_task = "by_task") {
    if (running.empty()) {
      field(by, "loop");
      return;
    }
    const Running& r = running.back();
    field(by, "callback");
    if (r.h) field(by_h, r.h);
    if (r.task) field(by_task, r.task);
  }
  long future_id(const FutureCore& future) {
    if (&future == done_future) return done_future_id;
    auto it = futures.find(&future);
    if (it != futures.end()) return it->second;
    if (future.done()) return ++next_future;  // already done: an id nothing else will use
    const long id = ++next_future;
    futures.emplace(&future, id);
    return id;
  }
  // "examples/02_superloop_async.cpp:49" (source_text.hpp); nothing when the location is unknown.
  void at_field(const char* key, const source_location& where) {
    const std::string text = detail::location_text(where);
    if (!text.empty()) field(key, text);
  }

  // Opens the line of one event: {"e":NAME,"t":loop time (and a loop line first if the loop changed).
  std::string& open(BaseEventLoop& loop, const char* name) {
    if (&loop != last_loop) {
      last_loop = &loop;
      auto [it, added] = loops.try_emplace(&loop, next_loop + 1);
      if (added) ++next_loop;
      buffer += "{\"e\":\"loop\",\"loop\":" + std::to_string(it->second);
      if (added) {
        buffer += ",\"clock\":";
        buffer += loop.virtual_clock() ? "\"virtual\"" : "\"real\"";
        buffer += ",\"selector\":";
        append_json_string(buffer, loop.selector().kind());
      }
      buffer += "}\n";
    }
    buffer += "{\"e\":\"";
    buffer += name;
    buffer += "\",\"t\":";
    append_seconds(buffer, loop.time());
    return buffer;
  }
  void close() {
    buffer += "}\n";
    if (buffer.size() > (1u << 20)) write_out();
  }
  void field(const char* key) {
    buffer += ",\"";
    buffer += key;
    buffer += "\":";
  }
  void field(const char* key, std::string_view text) {
    field(key);
    append_json_string(buffer, text);
  }
  void field(const char* key, long long n) {
    field(key);
    char text[24];
    buffer.append(text, std::to_chars(text, text + sizeof text, n).ptr);
  }
  void seconds(const char* key, double s) {
    field(key);
    append_seconds(buffer, s);
  }
  long task_id(const TaskCore& task) {
    auto [it, added] = tasks.try_emplace(&task, 0);
    if (added) it->second = ++next_task;
    return it->second;
  }
  void task_fields(const TaskCore& task) {
    field("task", task_id(task));
    field("name", task.get_name());
  }
  void handle_fields(const Handle& h) {
    field("handle", h.description());
    if (const TaskCore* task = h.task_()) task_fields(*task);
  }
  void write_out() noexcept {
    // The reader went away: stop writing, let the program go on.
    if (fd >= 0 && !write_all(fd, buffer)) fd = -1;
    buffer.clear();
  }
  // --step: the program waits for the reader's go-ahead after each step of a pass. `step_done`
  // counts the steps of this pass already over; `in_pass` is false between passes.
  int step_done = 0;
  bool in_pass = false;
  // An event of step `k` was just put in the buffer (5: pass_end): steps step_done+1 .. k-1 are
  // over. Write what is buffered and wait for one byte per step that ended (asyncio-trace's
  // reader splits the stream at the same events: tools/trace/step.cpp, step_of()).
  void reached(int k) noexcept {
    if (step_fd < 0 || !in_pass || step_done >= k - 1) return;
    write_out();
    while (step_fd >= 0 && step_done < k - 1) {
      ++step_done;
      wait_for_step();
    }
    step_done = k - 1;
  }
  // --step: wait for the reader's go-ahead after a step.
  void wait_for_step() noexcept {
    char c = 0;
    ssize_t n;
    do {
      n = ::read(step_fd, &c, 1);
    } while (n < 0 && errno == EINTR);
    if (n <= 0 || c == 'c') {
      step_fd = -1;
    } else if (c == 'q') {
      // Stop at a step's end: what the program printed so far, then the end of the trace.
      std::fflush(nullptr);
      stop_capture();
      buffer += "{\"e\":\"end\",\"why\":\"stopped\"}\n";
      ended = true;
      write_out();
      std::_Exit(0);
    }
  }
};

JsonlWriter::JsonlWriter(int fd, bool close_fd, int step_fd) : state_(new State(fd, close_fd, step_fd)) {
  state_->buffer = "{\"v\":" + std::to_string(FORMAT_VERSION) + ",\"format\":\"asyncio-trace\"}\n";
  state_->write_out();
  if (live_writers().empty()) {
    std::terminate_handler previous = std::set_terminate(terminate_flushing_traces);
    if (previous != terminate_flushing_traces) previous_terminate = previous;
  }
  live_writers().push_back(this);
}

JsonlWriter::~JsonlWriter() {
  end("detached");
  auto& writers = live_writers();
  writers.erase(std::remove(writers.begin(), writers.end(), this), writers.end());
  if (state_->close_fd && state_->fd >= 0) ::close(state_->fd);
  delete state_;
}

void JsonlWriter::flush() noexcept { state_->write_out(); }

void JsonlWriter::end(const char* why) noexcept {
  if (state_->ended) return;
  state_->ended = true;
  state_->stop_capture();
  state_->buffer += "{\"e\":\"end\",\"why\":\"";
  state_->buffer += why;
  state_->buffer += "\"}\n";
  state_->write_out();
}

bool JsonlWriter::capture_stdout() noexcept { return state_->start_capture(state_->out, "asyncio-trace-stdout"); }

bool JsonlWriter::capture_stderr() noexcept { return state_->start_capture(state_->err, "asyncio-trace-stderr"); }

void JsonlWriter::pass_begin(BaseEventLoop& loop, std::size_t index, double) {
  state_->drain_output();  // printed between passes (before the loop ran, or between two runs)
  state_->open(loop, "pass_begin");
  state_->field("pass", static_cast<long long>(index));
  state_->close();
  state_->step_done = 0;
  state_->in_pass = true;
}

void JsonlWriter::timer_dropped(BaseEventLoop& loop, const TimerHandle& t) {
  const long h = state_->take_handle_id(t);
  state_->open(loop, "timer_dropped");
  state_->h_field(h);
  state_->field("handle", t.description());
  state_->seconds("when", t.when());
  state_->close();
}

void JsonlWriter::heap_rebuilt(BaseEventLoop& loop, std::size_t before, std::size_t after) {
  state_->open(loop, "heap_rebuilt");
  state_->field("before", static_cast<long long>(before));
  state_->field("after", static_cast<long long>(after));
  state_->close();
}

void JsonlWriter::select_begin(BaseEventLoop& loop, const char* kind, std::optional<double> timeout,
                               TimeoutReason reason) {
  state_->open(loop, "select_begin");
  state_->field("selector", kind);
  if (timeout) {
    state_->seconds("timeout", *timeout);
  } else {
    state_->field("timeout");
    state_->buffer += "null";
  }
  state_->field("reason", reason == TimeoutReason::ready      ? "ready"
                          : reason == TimeoutReason::stopping ? "stopping"
                          : reason == TimeoutReason::timer    ? "timer"
                                                              : "none");
  state_->close();
  state_->reached(2);
}

void JsonlWriter::select_end(BaseEventLoop& loop, std::size_t nevents) {
  state_->open(loop, "select_end");
  state_->field("events", static_cast<long long>(nevents));
  state_->close();
}

void JsonlWriter::io_event(BaseEventLoop& loop, int fd, int mask, const Handle& h) {
  const long id = ++state_->next_h;  // a ready fd's handle: its io_event is its cause
  state_->handles[&h] = id;
  state_->open(loop, "io_event");
  state_->h_field(id);
  state_->field("fd", fd);
  state_->field("mask", mask == 1 ? "read" : "write");
  state_->handle_fields(h);
  state_->close();
}

void JsonlWriter::timer_ready(BaseEventLoop& loop, const TimerHandle& t, double now) {
  state_->open(loop, "timer_ready");
  state_->h_field(state_->handle_id(t));
  state_->handle_fields(t);
  state_->seconds("when", t.when());
  state_->seconds("late", std::max(0.0, now - t.when()));
  state_->close();
  state_->reached(3);
}

void JsonlWriter::callback_begin(BaseEventLoop& loop, const Handle& h) {
  const long id = state_->take_handle_id(h);
  state_->open(loop, "callback_begin");
  state_->h_field(id);
  state_->handle_fields(h);
  state_->close();
  state_->reached(4);  // before the callback's real time starts
  State::Running running{&h, id, h.task_() ? state_->task_id(*h.task_()) : 0, {}};
  ::clock_gettime(CLOCK_MONOTONIC, &running.start);
  state_->running.push_back(running);
}

void JsonlWriter::callback_end(BaseEventLoop& loop, const Handle& h) {
  state_->drain_output();
  long id = 0;
  std::optional<double> real;
  if (!state_->running.empty() && state_->running.back().handle == &h) {
    const State::Running r = state_->running.back();
    state_->running.pop_back();
    id = r.h;
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    real = static_cast<double>(now.tv_sec - r.start.tv_sec) + static_cast<double>(now.tv_nsec - r.start.tv_nsec) * 1e-9;
  }
  state_->open(loop, "callback_end");
  state_->h_field(id);
  state_->handle_fields(h);
  if (real) state_->seconds("real", *real);
  state_->close();
}

void JsonlWriter::callback_skipped(BaseEventLoop& loop, const Handle& h) {
  const long id = state_->take_handle_id(h);
  state_->open(loop, "callback_skipped");
  state_->h_field(id);
  state_->handle_fields(h);
  state_->close();
  state_->reached(4);
}

void JsonlWriter::pass_end(BaseEventLoop& loop, std::size_t index, std::size_t ran) {
  state_->open(loop, "pass_end");
  state_->field("pass", static_cast<long long>(index));
  state_->field("ran", static_cast<long long>(ran));
  state_->close();
  state_->write_out();
  state_->reached(5);
  state_->in_pass = false;
}

void JsonlWriter::task_created(BaseEventLoop& loop, const TaskCore& task) {
  state_->tasks.erase(&task);  // a new task may reuse a finished one's address
  state_->cancel_by.erase(&task);
  state_->open(loop, "task_created");
  state_->task_fields(task);
  if (const TaskCore* creator = loop.current_task_; creator && creator != &task)
    state_->field("by_task", state_->task_id(*creator));
  state_->close();
}

void JsonlWriter::task_step_end(BaseEventLoop& loop, const TaskCore& task, StepOutcome outcome,
                                const FutureCore* awaited) {
  state_->open(loop, "task_step_end");
  state_->task_fields(task);
  state_->field("outcome", to_string(outcome));
  if (awaited) {
    if (awaited->is_task()) {
      const auto& other = static_cast<const TaskCore&>(*awaited);
      state_->field("awaited", "Task " + py_repr(other.get_name()));
      state_->field("awaited_task", state_->task_id(other));
    } else {
      auto [it, added] = state_->futures.try_emplace(awaited, 0);
      if (added) it->second = ++state_->next_future;
      if (auto made = state_->created.find(awaited); added && made != state_->created.end()) {  // [graph]
        std::string line = "{\"e\":\"future_created\",\"t\":";
        append_seconds(line, loop.time());
        line += ",\"future\":" + std::to_string(it->second) + ",\"what\":";
        append_json_string(line, made->second.what);
        // Where the first task awaiting it suspended: the call itself for wait, wait_for,
        // as_completed and a TaskGroup (they await inside with their caller's location); the
        // await of a gather or shield (gather's arguments are a pack: no defaulted location).
        if (const std::string at = detail::location_text(task.suspended_at()); !at.empty()) {
          line += ",\"at\":";
          append_json_string(line, at);
        }
        line += ",\"children\":[";
        bool first = true;
        for (const FutureCore* c : made->second.children) {
          std::string child;
          if (c->is_task()) {
            child = "{\"task\":" + std::to_string(state_->task_id(static_cast<const TaskCore&>(*c))) + "}";
          } else if (auto cid = state_->futures.find(c); cid != state_->futures.end()) {
            child = "{\"future\":" + std::to_string(cid->second) + "}";
          } else {
            continue;
          }
          if (!first) line += ',';
          first = false;
          line += child;
        }
        line += "]}\n";
        // The task_step_end line is already open in the buffer: put this line before it.
        const std::size_t open = state_->buffer.rfind("{\"e\":\"task_step_end\"");
        state_->buffer.insert(open, line);
        state_->created.erase(made);
      }
      // What the future is, as the task's asyncio call made it: a sleep's timer, a
      // combinator's future ("gather", as --tasks names it), a lock's, queue's or stream's
      // waiter ("Queue.get()"), else a plain "Future".
      auto sleeping = state_->sleeping.find(&task);
      if (sleeping != state_->sleeping.end()) {
        char what[48];
        std::snprintf(what, sizeof what, "sleep(%g)", sleeping->second);
        state_->field("awaited", what);
      } else if (const char* combinator = detail::combinator_name_(*awaited)) {
        state_->field("awaited", combinator);
      } else if (const detail::CallLabel call = task.call_label()) {
        state_->field("awaited", call.text());
      } else {
        state_->field("awaited", "Future");
      }
      state_->field("future", it->second);
    }
  }
  state_->sleeping.erase(&task);
  if (outcome == StepOutcome::awaited || outcome == StepOutcome::yielded) state_->at_field("at", task.suspended_at());
  state_->close();
}

void JsonlWriter::task_done(BaseEventLoop& loop, const TaskCore& task) {
  state_->open(loop, "task_done");
  state_->task_fields(task);
  state_->field("state", task.cancelled() ? "cancelled" : "finished");
  state_->field("repr", task.repr());
  if (auto it = state_->cancel_by.find(&task); it != state_->cancel_by.end()) {
    if (task.cancelled()) {
      if (it->second.first) state_->field("cancel_by_h", it->second.first);
      if (it->second.second) state_->field("cancel_by_task", it->second.second);
    }
    state_->cancel_by.erase(it);
  }
  state_->close();
}

void JsonlWriter::task_renamed(BaseEventLoop& loop, const TaskCore& task) {
  state_->open(loop, "task_renamed");
  state_->task_fields(task);
  state_->close();
}

// Written for a future some task awaited or that has done callbacks; its id then leaves the
// table (a done future is never awaited again, and the address may be reused), but stays known
// while its callbacks are scheduled, right after this.
void JsonlWriter::future_done(BaseEventLoop& loop, const FutureCore& future) {
  state_->created.erase(&future);  // [graph]
  long id;
  if (auto it = state_->futures.find(&future); it != state_->futures.end()) {
    id = it->second;
    state_->futures.erase(it);
  } else if (future.has_done_callbacks_()) {
    id = ++state_->next_future;
  } else {
    return;  // nobody waits for it: not worth a line
  }
  state_->done_future = &future;
  state_->done_future_id = id;
  state_->open(loop, "future_done");
  state_->field("future", id);
  state_->field("state", future.cancelled() ? "cancelled" : "finished");
  if (future.cancelled()) {
    state_->field("how", "cancel");
  } else if (const std::exception_ptr& exc = future.exception_ptr_()) {
    state_->field("how", "exception");
    state_->field("exc", exception_repr(exc));
  } else {
    state_->field("how", "result");
  }
  state_->by_fields();
  state_->close();
}

void JsonlWriter::sleep_called(BaseEventLoop&, const TaskCore& task, double delay) {
  state_->sleeping[&task] = delay;
  state_->sleep_timer = delay;
}

void JsonlWriter::handle_scheduled(BaseEventLoop& loop, const Handle& h, ScheduleHow how, const FutureCore* of,
                                   double delay) {
  const long id = ++state_->next_h;
  state_->handles[&h] = id;
  state_->open(loop, "scheduled");
  state_->h_field(id);
  state_->handle_fields(h);
  state_->field("how", to_string(how));
  if (how == ScheduleHow::call_at) {
    state_->seconds("when", static_cast<const TimerHandle&>(h).when());
    if (!std::isnan(delay)) state_->seconds("delay", delay);  // kNoDelay: no delay was given
    if (state_->sleep_timer) {
      state_->seconds("sleep", *state_->sleep_timer);
      state_->sleep_timer.reset();
    }
  }
  if (how == ScheduleHow::done_callback && of) {
    if (of->is_task()) {
      state_->field("of_task", state_->task_id(static_cast<const TaskCore&>(*of)));
    } else {
      state_->field("future", state_->future_id(*of));
    }
  }
  if (how == ScheduleHow::call_soon_threadsafe) {
    state_->field("by", "thread");
  } else {
    state_->by_fields();
  }
  state_->close();
  // Threadsafe handles taken in before the select: step 2 has begun.
  if (how == ScheduleHow::call_soon_threadsafe && state_->running.empty()) state_->reached(2);
}

void JsonlWriter::handle_cancelled(BaseEventLoop& loop, const Handle& h) {
  const long id = state_->handle_id(h);
  if (!id) return;  // not queued (or queued before the writer came): nothing to join it to
  state_->open(loop, "handle_cancelled");
  state_->h_field(id);
  state_->handle_fields(h);
  state_->by_fields();
  state_->close();
}

void JsonlWriter::callback_raised(BaseEventLoop& loop, const Handle& h, const std::exception_ptr& exc,
                                  bool custom_handler) {
  const bool current = !state_->running.empty() && state_->running.back().handle == &h;
  state_->open(loop, "callback_raised");
  if (current) state_->h_field(state_->running.back().h);
  state_->handle_fields(h);
  state_->field("exc", exception_repr(exc));
  state_->field("handler", custom_handler ? "custom" : "default");
  state_->close();
}

void JsonlWriter::task_cancel_requested(BaseEventLoop&, const TaskCore& task) {
  if (state_->running.empty()) return;  // the loop (or code outside it): no cause to name
  const State::Running& r = state_->running.back();
  if (r.task == state_->task_id(task)) return;  // a task cancelling itself is not "from outside"
  state_->cancel_by.try_emplace(&task, r.h, r.task);
}

// ---- [graph] future_created, stuck (who waits on what; docs/trace-format.md, version 2)

// Written when a task first awaits the future, just before that task_step_end, so futures are
// numbered in the order tasks await them (as the CPython recorder numbers them: diff compares).
void JsonlWriter::future_created(BaseEventLoop&, const FutureCore& future, const char* what,
                                 const std::vector<FutureCore*>& children) {
  auto& pending = state_->created[&future];
  pending.what = what;
  pending.children.clear();
  for (const FutureCore* c : children) pending.children.push_back(c);
}

// The stuck line, then (unless ASYNCIO_TRACE_STUCK=report, asyncio-trace --stuck report) the end
// of the stream and of the program: exit status 4, which asyncio-trace passes on.
void JsonlWriter::stuck(BaseEventLoop& loop, const StuckReport& report) {
  state_->open(loop, "stuck");
  state_->field("pass", static_cast<long long>(report.pass));
  auto ids = [&](const std::vector<const TaskCore*>& tasks) {
    state_->buffer += '[';
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      if (i) state_->buffer += ',';
      state_->buffer += std::to_string(state_->task_id(*tasks[i]));
    }
    state_->buffer += ']';
  };
  state_->field("tasks");
  ids(report.tasks);
  state_->field("cycles");
  state_->buffer += '[';
  for (std::size_t i = 0; i < report.cycles.size(); ++i) {
    if (i) state_->buffer += ',';
    ids(report.cycles[i]);
  }
  state_->buffer += ']';
  state_->field("orphans");
  state_->buffer += '[';
  for (std::size_t i = 0; i < report.orphans.size(); ++i) {
    if (i) state_->buffer += ',';
    auto [it, added] = state_->futures.try_emplace(report.orphans[i], 0);
    if (added) it->second = ++state_->next_future;
    state_->buffer += std::to_string(it->second);
  }
  state_->buffer += ']';
  state_->field("text", report.text);
  state_->close();
  const char* mode = std::getenv("ASYNCIO_TRACE_STUCK");
  if (mode && std::strcmp(mode, "report") == 0) {
    state_->write_out();
    return;
  }
  std::fflush(nullptr);
  end("stuck");
  std::_Exit(STUCK_EXIT_STATUS);
}

// A loop made after this one may be given the same address: it must get a new number and its
// own "loop" line (a program calling asyncio::run twice).
void JsonlWriter::loop_destroyed(BaseEventLoop& loop) {
  state_->created.clear();  // [graph]
  state_->loops.erase(&loop);
  if (state_->last_loop == &loop) state_->last_loop = nullptr;
}

// ---------------------------------------------------------------- the environment

namespace {

void trace_env_error(const char* value, const char* why) {
  std::fprintf(stderr, "asyncio: ASYNCIO_TRACE=%s: %s (tracing is off)\n", value, why);
}

// ASYNCIO_TRACE_STEP=fd:N (set by asyncio-trace --step).
int step_fd_from_environment() {
  const char* step = std::getenv("ASYNCIO_TRACE_STEP");
  if (!step || std::strncmp(step, "fd:", 3) != 0) return -1;
  return std::atoi(step + 3);
}

JsonlWriter* jsonl_writer_from(const char* value) {
  const char* target = value + 6;  // after "jsonl:"
  int fd;
  bool close_fd = false;
  if (std::strncmp(target, "fd:", 3) == 0) {
    char* end = nullptr;
    const long n = std::strtol(target + 3, &end, 10);
    if (end == target + 3 || *end != '\0' || n < 0 || ::fcntl(static_cast<int>(n), F_GETFD) < 0) {
      trace_env_error(value, "not an open file descriptor");
      return nullptr;
    }
    fd = static_cast<int>(n);
  } else {
    fd = ::open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      trace_env_error(value, std::strerror(errno));
      return nullptr;
    }
    close_fd = true;
  }
  // Never destroyed: it must outlive every loop; exit writes its last line.
  auto* writer = new JsonlWriter(fd, close_fd, step_fd_from_environment());
  if (const char* output = std::getenv("ASYNCIO_TRACE_OUTPUT"); output && std::strcmp(output, "capture") == 0) {
    writer->capture_stdout();
    writer->capture_stderr();
  }
  std::atexit([] {
    for (JsonlWriter* w : live_writers()) w->end("exit");
  });
  return writer;
}

}  // namespace

Observer* observer_from_environment() {
#ifdef ASYNCIO_NO_TRACE_HOOKS
  return nullptr;  // the hooks are compiled out: a writer would only write its header
#endif
  static const char* const value = std::getenv("ASYNCIO_TRACE");
  if (!value || !*value) return nullptr;
  if (std::strcmp(value, "passes") == 0) {
    static PassPrinter printer(stderr);
    return &printer;
  }
  if (std::strncmp(value, "jsonl:", 6) == 0) {
    static JsonlWriter* const writer = jsonl_writer_from(value);
    return writer;
  }
  static const bool warned = (trace_env_error(value, "unknown value; use passes, jsonl:PATH or jsonl:fd:N"), true);
  (void)warned;
  return nullptr;
}

}  // namespace asyncio
