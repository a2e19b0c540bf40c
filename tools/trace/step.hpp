// step.hpp: asyncio-trace --step: pause after each step of each pass, go back through the steps
// seen so far and forward again, and print the ready queue, the timer heap, the task table and
// the await tree as they were at a step; over a running program or a recorded stream (--replay).
// A C++-only tool, no CPython twin. Owns the keys, the prompt and the step history; the model is
// TraceBuilder's and TaskView's, the text TextRenderer's. Course: docs/trace.md ("Stepping")
#pragma once

#include <cstdio>
#include <deque>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "trace/render.hpp"
#include "trace/tasks.hpp"
#include "trace/trace_model.hpp"

namespace asyncio_trace {

// The step of a pass an event shows has begun: 1 (timer_dropped, heap_rebuilt), 2 (select_begin,
// select_end, io_event, stuck, and a threadsafe handle taken in before step 2's select), 3
// (timer_ready), 4 (callback_begin, callback_skipped), 5 (pass_end: step 4 is over); 0 for an
// event that belongs to whatever step is going on. `steps_done`: the steps of the pass already
// over. The writer pauses at the same events (runtime/asyncio/trace.cpp, State::reached).
int step_of(const Event& event, int steps_done);

// A queued handle or timer in one line, as --step's `r`/`t` and the HTML panel show it: its
// description, [task], `<- cause`, and (cancelled).
std::string handle_line(const QueuedHandle& q);

// One step as it was when it ended: its lines and the model's tables at that moment.
struct StepSnapshot {
  long pass = 0;
  int step = 0;  // 1-4
  std::string text, ready, heap, tasks, tree;
  bool needs_go = false;  // a running program waits for one byte after this step
};

class StepSession {
 public:
  // `go_fd`: the write end of the running program's go-ahead pipe, or -1 over a recording.
  // `shown(pass)`: whether --passes lets the pass through (steps of other passes run unseen).
  StepSession(std::ostream& out, std::FILE* tty, int go_fd, const TextRenderer& text, const TraceBuilder& trace,
              const TaskView& tasks, std::function<bool(const Pass&)> shown, std::vector<int> steps);
  ~StepSession();
  StepSession(const StepSession&) = delete;
  StepSession& operator=(const StepSession&) = delete;

  // Called with each event before the model takes it in (TraceBuilder::on_event): the steps it
  // ends are shown, and the keyboard decides when the program (or the recording) goes on.
  void before(const Event& event);
  // The stream ended (or stopped, with --stuck report): the step it ended inside is shown.
  void stream_ended();
  // A recording's end: says so and stays at the prompt until q (back still works).
  void end_of_recording();
  // q was answered.
  bool quit() const { return quit_; }
  // The steps of the last pass already over (4: the pass ended).
  int steps_done() const { return done_; }

 private:
  enum class Mode { ask, steps, passes, run };
  void complete_(int step, bool partial);
  StepSnapshot snapshot_(const Pass& pass, int step) const;
  void ask_();
  bool arrive_(const StepSnapshot& s);  // moved onto s: true if the keys say stop here
  void go_(char c);
  void release_();  // the program may leave the step at the live edge
  void show_again_(const char* how);
  void help_() const;
  std::string where_(const StepSnapshot& s) const;

  std::ostream& out_;
  std::FILE* tty_;
  int go_fd_;
  const TextRenderer& text_;
  const TraceBuilder& trace_;
  const TaskView& tasks_;
  std::function<bool(const Pass&)> shown_;
  std::vector<int> steps_;
  std::deque<StepSnapshot> history_;  // the steps seen, oldest first (at most HISTORY)
  std::size_t pos_ = 0;               // the step shown now (history_.size() - 1: the latest)
  Mode mode_ = Mode::ask;
  long left_ = 0;  // Mode::passes: pass ends still to run
  int done_ = 0;
  bool in_pass_ = false;
  bool quit_ = false;
  bool ended_ = false;     // the stream ended: no more asking (a running program)
  bool at_end_ = false;    // a recording's end: forward stays
};

}  // namespace asyncio_trace
