// trace_model.hpp: asyncio-trace's reading side: one JSON Lines event, and the passes, tasks and
// callbacks rebuilt from a stream of them (the format of docs/trace-format.md).
// A C++-only tool, no CPython twin. Owns parsing and the model every renderer reads; no output.
// Course: docs/trace.md
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace asyncio_trace {

inline constexpr int FORMAT_VERSION = 2;

// A stream this reader cannot read: not JSON Lines, not ours, or a newer version.
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One line of the stream: a flat JSON object. "e" names the event; "t" is the loop's clock.
struct Event {
  using Value = std::variant<std::monostate, double, std::string, bool>;
  std::map<std::string, Value> fields;
  std::map<std::string, std::string> nested;  // [graph] arrays and objects, as their JSON text

  std::string kind() const { return str("e"); }
  double t() const { return num("t"); }
  bool has(const std::string& key) const { return fields.count(key) != 0; }
  bool is_null(const std::string& key) const;
  std::string str(const std::string& key) const;  // "" when absent or not a string
  double num(const std::string& key) const;       // 0 when absent or not a number
  long integer(const std::string& key) const;     // FormatError when the number is no long's
};

// Parses one line; FormatError names what is wrong.
Event parse_event(const std::string& line);

// Why a handle ran (format version 2): how it was scheduled and by whom, joined by handle id.
struct Cause {
  // timer (a timer fell due), fd (a ready fd), set_result (a future completed: a done callback),
  // call_soon (call_soon, a task's step, create_task), thread (call_soon_threadsafe), signal.
  std::string kind;
  std::string words;  // the text after " <- ": "timer of sleep(0.06) [button]", "fd 7 readable"
  long from_h = 0;    // the callback that caused it (scheduled it, or completed the future): its h
  long from_pass = -1, from_callback = -1;  // where that callback ran (indexes into passes()), if it did
};

// One piece of the program's captured output: fd 1 (stdout) or 2 (stderr).
struct Printed {
  int fd = 1;
  std::string text;
};

// What step 4 ran: one callback, the task it stepped and what that step did.
struct Callback {
  std::string handle;
  long task = 0;  // 0: not a task step
  std::string task_name;
  double begin = 0, end = 0;
  bool skipped = false;  // cancelled: step 4 skipped it
  bool finished = false; // callback_end seen
  std::string outcome;   // awaited, yielded, returned, raised, cancelled (task steps only)
  std::string awaited;   // "sleep(1)", "Task 'worker'", "Future"
  std::string done_repr; // the task's repr when the step finished it
  std::vector<std::string> created;  // names of tasks created by this callback
  std::vector<std::string> created_at;  // where each was created ("" when not known)
  std::string output;    // what the program printed on stdout while it ran (captured output)
  std::vector<Printed> printed;  // stdout and stderr in the order printed
  // Version 2 only (empty or absent in a version 1 stream):
  long h = 0;                 // the handle's id
  std::optional<Cause> cause;  // why it ran
  std::string at;             // where the task's step suspended ("examples/02_superloop_async.cpp:47")
  std::string raised;         // the exception's repr, if the callback raised
  std::string handler;        // default or custom: the exception handler it went to
  std::string cancelled_by;   // a skipped handle: who cancelled it ("cancel in Task 'main'")
  std::optional<double> real;  // its real duration (callback_end.real), on both clocks
  // How long it blocked the loop: `real` when the stream has it, else the clock's own duration;
  // the clock's duration if longer (on the virtual clock, a simulated blocking call moves it).
  double took() const { return took_real() ? *real : end - begin; }
  bool took_real() const { return real && *real > end - begin; }
};

struct TimerEvent {
  std::string handle;
  std::string task_name;
  double when = 0, late = 0;
  std::string cancelled_by;  // a dropped timer: who cancelled it (version 2)
};

struct IoEvent {
  int fd = 0;
  std::string mask;  // read, write
  std::string handle;
  std::string task_name;
};

// A handle waiting in the ready queue or the timer heap at some point of the stream (version 2:
// rebuilt from scheduled, io_event, timer_ready, timer_dropped, handle_cancelled, callback_begin
// and callback_skipped lines, joined by handle id). asyncio-trace --step prints them.
struct QueuedHandle {
  long h = 0;
  long loop = 1;
  std::string handle;     // "Task.__step()", "button_interrupt()"
  long task = 0;          // the task it steps (0 if none)
  std::string task_name;  // that task's name now
  std::string cause;      // why it was queued, in the text's words ("timer of sleep(0.2) [blink]")
  double when = 0;        // a timer's deadline (from the stream's origin, as the text shows it)
  bool cancelled = false;  // cancelled while queued: step 4 (or step 1, for a timer) will drop it
};

// One pass of the loop, step by step.
struct Pass {
  long index = 0;
  long loop = 1;
  bool virtual_clock = false;
  double begin = 0, end = 0;
  bool complete = false;  // pass_end seen
  std::vector<std::string> created_before;   // tasks created between the last pass and this one
  std::string output_before;                 // printed between the last pass and this one
  std::vector<Printed> printed_before;       // the same, stdout and stderr in order
  std::vector<TimerEvent> dropped;           // step 1
  std::optional<std::pair<long, long>> heap_rebuilt;
  std::string selector;                      // step 2
  std::optional<double> timeout;
  std::string reason;                        // ready, stopping, timer, none
  double select_begin = 0, select_end = 0;
  bool select_done = false;
  bool stuck = false;  // the runtime found that this pass's select could never return (a stuck line)
  long nevents = 0;
  std::vector<IoEvent> io;
  std::vector<TimerEvent> timers;            // step 3
  std::vector<Callback> callbacks;           // step 4
  long ran = 0;
  // Timers in the heap when the pass began and when it ended; -1 when the stream cannot say
  // (version 1: no scheduled lines).
  long heap_begin = -1, heap_end = -1;
};

// A task across passes.
struct TaskInfo {
  long id = 0;
  std::string name;
  long created_pass = 0;  // 0: before the first pass
  long steps = 0;
  double busy = 0, longest = 0, waiting = 0;
  std::optional<double> waiting_since;  // its last step suspended it at this time
  std::map<std::string, long> waited_on;  // what it awaited, how often
  std::string state = "pending";          // pending, finished, cancelled
  bool started = false;                   // its first step has begun
  std::string repr;
};

// Builds passes and tasks from events as they arrive; calls on_pass when a pass ends.
class TraceBuilder {
 public:
  std::function<void(const Pass&)> on_pass;
  // Called with each piece of the program's captured stdout as it arrives ("output" events).
  std::function<void(const std::string&)> on_output;
  // The same for stderr (output lines with "fd":2).
  std::function<void(const std::string&)> on_error_output;
  // [graph] Called with every event of a loop's life (not loop, end, output) before the model
  // takes it in (tools/trace/tasks.cpp: the task table and the await tree).
  std::function<void(const Event&)> on_event;

  // Takes one line of the stream (the header first); FormatError if it is not ours.
  void add_line(const std::string& line);
  void add(const Event& event);
  // The stream ended: a pass cut short is kept, marked incomplete.
  void finish();

  bool saw_header() const { return saw_header_; }
  // How the stream ended: "exit", "terminate", "stopped", "detached", or "" (cut off).
  const std::string& end_reason() const { return end_reason_; }
  const std::vector<Pass>& passes() const { return passes_; }
  const std::map<long, TaskInfo>& tasks() const { return tasks_; }
  // Captured output printed after the last pass (or with no pass at all), once finish() ran.
  const std::string& trailing_output() const { return pending_output_; }
  const std::vector<Printed>& trailing_printed() const { return pending_printed_; }
  // Event types this reader does not know (from a newer writer), skipped, with how many of each.
  const std::map<std::string, long>& skipped() const { return skipped_; }
  // Whether the stream carries causes (version 2's scheduled lines and handle ids).
  bool has_causes() const { return has_causes_; }
  // Times in the model count from the stream's first event (the clock's value there).
  double origin() const { return first_time_.value_or(0.0); }
  double last_time() const { return last_time_; }
  // The current loop's ready queue, in order, and its timer heap, by deadline (ties in the order
  // scheduled), as the stream has told so far. Only handles with ids (version 2) are known.
  std::vector<QueuedHandle> ready_queue() const;
  std::vector<QueuedHandle> timer_heap() const;
  // The loop the stream talks about now, and whether it is inside a pass.
  long loop() const { return loop_; }
  bool in_pass() const { return in_pass_; }

 private:
  Pass* current_();
  Callback* running_();  // the step-4 callback between its callback_begin and callback_end
  void print_(const Event& event);
  void scheduled_(const Event& event);
  void future_done_(const Event& event);
  void callback_begin_(Pass& pass, const Event& event, double t);
  std::string by_words_(const Event& event) const;
  std::string task_words_(long task) const;
  void resolve_from_(Cause& cause) const;

  // What the stream said about a handle id: its scheduled (or io_event) line, resolved to words.
  struct HandleInfo {
    std::string handle;
    std::string how;     // scheduled's how, or "io"
    std::optional<Cause> cause;
    std::optional<double> sleep;
    long by_task = 0;    // the task that scheduled it (for a sleep's timer: whose sleep)
    long task = 0;       // the task it steps
    std::string cancelled_by;
    long pass = -1, callback = -1;  // where it ran
  };
  struct FutureInfo {
    std::string how;  // result, exception, cancel
    long by_h = 0;
    std::string by;   // words: "button_interrupt()", "Task 'main'", "the loop", "another thread"
    std::string timer_words;  // completed by a sleep's timer: that timer's cause
  };
  void queue_(const Event& event, long h, std::optional<double> when);
  void unqueue_(long h);
  QueuedHandle* queued_(long h);
  std::deque<QueuedHandle> ready_;      // in queue order
  std::map<long, QueuedHandle> timers_;  // by handle id
  std::map<long, HandleInfo> handles_;
  std::map<long, FutureInfo> futures_;
  std::map<std::string, long> skipped_;
  bool has_causes_ = false;
  long heap_ = 0;
  std::vector<Printed> pending_printed_;
  bool saw_header_ = false;
  std::string end_reason_;
  std::vector<Pass> passes_;
  bool in_pass_ = false;
  long loop_ = 1;
  std::map<long, bool> loop_virtual_;
  std::map<long, TaskInfo> tasks_;
  std::vector<std::string> between_passes_;  // tasks created outside any pass, for the next
  std::string pending_output_;               // output printed outside any pass, for the next
  std::optional<double> first_time_;
  double last_time_ = 0;
};

// Parses "5-12", "5", "5-" or "-12" into an inclusive range; std::invalid_argument otherwise.
std::pair<long, long> parse_pass_range(const std::string& text);
// Parses "2,4" into the set of steps (1-4); std::invalid_argument otherwise.
std::vector<int> parse_steps(const std::string& text);

}  // namespace asyncio_trace
