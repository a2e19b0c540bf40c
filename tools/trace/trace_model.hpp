// trace_model.hpp: asyncio-trace's reading side: one JSON Lines event, and the passes, tasks and
// callbacks rebuilt from a stream of them (the format of docs/trace-format.md).
// A C++-only tool, no CPython twin. Owns parsing and the model every renderer reads; no output.
// Course: docs/trace.md
#pragma once

#include <cstddef>
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
  std::string output;    // what the program printed on stdout while it ran (captured output)
};

struct TimerEvent {
  std::string handle;
  std::string task_name;
  double when = 0, late = 0;
};

struct IoEvent {
  int fd = 0;
  std::string mask;  // read, write
  std::string handle;
  std::string task_name;
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
  std::vector<TimerEvent> dropped;           // step 1
  std::optional<std::pair<long, long>> heap_rebuilt;
  std::string selector;                      // step 2
  std::optional<double> timeout;
  std::string reason;                        // ready, stopping, timer, none
  double select_begin = 0, select_end = 0;
  bool select_done = false;
  long nevents = 0;
  std::vector<IoEvent> io;
  std::vector<TimerEvent> timers;            // step 3
  std::vector<Callback> callbacks;           // step 4
  long ran = 0;
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
  std::string repr;
};

// Builds passes and tasks from events as they arrive; calls on_pass when a pass ends.
class TraceBuilder {
 public:
  std::function<void(const Pass&)> on_pass;
  // Called with each piece of the program's captured stdout as it arrives ("output" events).
  std::function<void(const std::string&)> on_output;
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
  // Times in the model count from the stream's first event (the clock's value there).
  double origin() const { return first_time_.value_or(0.0); }
  double last_time() const { return last_time_; }

 private:
  Pass* current_();
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
