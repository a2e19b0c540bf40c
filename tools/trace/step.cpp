// step.cpp: asyncio-trace --step (see step.hpp). The keys are listed by help_() and in
// docs/trace.md ("Stepping through a pass"). A C++-only tool, no CPython twin.
#include "trace/step.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

namespace asyncio_trace {

namespace {

// The history keeps this many steps (a long run with `c` or a big N must not grow for ever).
constexpr std::size_t HISTORY = 10000;
// `t` prints the heap's first timers, by deadline.
constexpr std::size_t HEAP_SHOWN = 5;

// "poll the selector" from "Step 2: poll the selector".
std::string step_words(int step) {
  const std::string label = STEP_LABELS[step - 1];
  return label.substr(label.find(": ") + 2);
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string handle_line(const QueuedHandle& q) {
  std::string line = q.handle;
  if (!q.task_name.empty()) line += " [" + q.task_name + "]";
  if (!q.cause.empty()) line += " <- " + q.cause;
  if (q.cancelled) line += " (cancelled)";
  return line;
}

int step_of(const Event& event, int steps_done) {
  const std::string kind = event.kind();
  if (kind == "timer_dropped" || kind == "heap_rebuilt") return 1;
  if (kind == "select_begin" || kind == "select_end" || kind == "io_event" || kind == "stuck") return 2;
  if (kind == "scheduled") return event.str("by") == "thread" && steps_done < 1 ? 2 : 0;
  if (kind == "timer_ready") return 3;
  if (kind == "callback_begin" || kind == "callback_skipped") return 4;
  if (kind == "pass_end") return 5;
  return 0;
}

StepSession::StepSession(std::ostream& out, std::FILE* tty, int go_fd, const TextRenderer& text,
                         const TraceBuilder& trace, const TaskView& tasks, std::function<bool(const Pass&)> shown,
                         std::vector<int> steps)
    : out_(out),
      tty_(tty),
      go_fd_(go_fd),
      text_(text),
      trace_(trace),
      tasks_(tasks),
      shown_(std::move(shown)),
      steps_(std::move(steps)) {}

StepSession::~StepSession() {
  if (go_fd_ >= 0) ::close(go_fd_);
}

void StepSession::before(const Event& event) {
  if (quit_ || ended_) return;
  if (event.kind() == "pass_begin") {
    in_pass_ = true;
    done_ = 0;
    return;
  }
  if (!in_pass_) return;
  const int k = step_of(event, done_);
  for (int step = done_ + 1; step < k && !quit_; ++step) {
    done_ = step;
    complete_(step, false);
  }
  if (k == 5) in_pass_ = false;
}

void StepSession::stream_ended() {
  if (quit_ || ended_) return;
  ended_ = true;
  if (in_pass_ && done_ < 4 && !trace_.passes().empty()) complete_(done_ + 1, true);
}

void StepSession::end_of_recording() {
  if (quit_) return;
  at_end_ = true;
  if (history_.empty()) {
    std::fprintf(tty_, "(the recorded trace has no steps to show)\n");
    return;
  }
  pos_ = history_.size() - 1;
  std::fprintf(tty_, "(end of the recorded trace, at %s; b goes back, q quits)\n", where_(history_.back()).c_str());
  mode_ = Mode::ask;
  ask_();
}

StepSnapshot StepSession::snapshot_(const Pass& pass, int step) const {
  StepSnapshot s;
  s.pass = pass.index;
  s.step = step;
  s.text = text_.step_block(pass, step);
  const std::string at = " after pass " + std::to_string(pass.index) + ", step " + std::to_string(step);
  if (!trace_.has_causes()) {
    s.ready = "ready queue" + at + ": not in this stream (format version 1 has no handle ids)\n";
    s.heap = "timer heap" + at + ": not in this stream (format version 1 has no handle ids)\n";
  } else {
    const std::vector<QueuedHandle> ready = trace_.ready_queue();
    s.ready = "ready queue" + at + ": " + (ready.empty() ? "empty" : plural(ready.size(), "handle", "handles")) + "\n";
    for (std::size_t i = 0; i < ready.size(); ++i)
      s.ready += "  " + std::to_string(i + 1) + ". " + handle_line(ready[i]) + "\n";
    const std::vector<QueuedHandle> heap = trace_.timer_heap();
    s.heap = "timer heap" + at + ": " + (heap.empty() ? "empty" : plural(heap.size(), "timer", "timers"));
    if (heap.size() > HEAP_SHOWN) s.heap += ", the first " + std::to_string(HEAP_SHOWN);
    s.heap += heap.empty() ? "\n" : " by deadline:\n";
    for (std::size_t i = 0; i < heap.size() && i < HEAP_SHOWN; ++i)
      s.heap += "  due at " + seconds(heap[i].when) + "  " + handle_line(heap[i]) + "\n";
  }
  s.tasks = "tasks" + at + ":\n" + indent(tasks_.table_now(), "  ");
  const std::string tree = tasks_.tree();
  s.tree = "await tree" + at + ":\n" + (tree.empty() ? "  (no tasks)\n" : indent(tree, "  "));
  return s;
}

void StepSession::complete_(int step, bool partial) {
  const Pass& pass = trace_.passes().back();
  const bool visible = shown_(pass) && std::find(steps_.begin(), steps_.end(), step) != steps_.end();
  if (!visible) {
    if (!partial) go_('n');  // a step the filters hide runs on unseen
    return;
  }
  StepSnapshot s = snapshot_(pass, step);
  out_ << s.text;
  if (partial) out_ << "  (the trace ends inside this step)\n";
  out_.flush();
  s.needs_go = go_fd_ >= 0 && !partial;
  history_.push_back(std::move(s));
  if (history_.size() > HISTORY) history_.pop_front();
  pos_ = history_.size() - 1;
  if (partial || ended_ || mode_ == Mode::run) {
    release_();
    return;
  }
  if (mode_ != Mode::ask && !arrive_(history_.back())) {
    release_();
    return;
  }
  ask_();
}

bool StepSession::arrive_(const StepSnapshot& s) {
  if (mode_ == Mode::steps && --left_ <= 0) mode_ = Mode::ask;
  const int last = steps_.empty() ? 4 : *std::max_element(steps_.begin(), steps_.end());
  if (mode_ == Mode::passes && s.step == last && --left_ <= 0) mode_ = Mode::ask;
  return mode_ == Mode::ask;
}

void StepSession::go_(char c) {
  if (go_fd_ < 0) return;
  ssize_t n;
  do {
    n = ::write(go_fd_, &c, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1 || c != 'n') {
    ::close(go_fd_);
    go_fd_ = -1;
  }
}

void StepSession::release_() {
  if (history_.empty() || !history_.back().needs_go) return;
  history_.back().needs_go = false;
  go_(mode_ == Mode::run ? 'c' : 'n');
}

std::string StepSession::where_(const StepSnapshot& s) const {
  return "pass " + std::to_string(s.pass) + ", after step " + std::to_string(s.step) + " (" + step_words(s.step) + ")";
}

void StepSession::show_again_(const char* how) {
  const StepSnapshot& s = history_[pos_];
  std::fprintf(tty_, "(%s: pass %ld, step %d, as recorded)\n%s", how, s.pass, s.step, s.text.c_str());
  std::fflush(tty_);
}

void StepSession::help_() const {
  std::fprintf(tty_,
               "Keys (each followed by Enter):\n"
               "  Enter or s   next step\n"
               "  n            run to the end of this pass (at its end: of the next one)\n"
               "  N            a number: run N passes, stop at the end of the Nth\n"
               "  c            continue to the end without stopping\n"
               "  q            quit: %s\n"
               "  b            back one step (as recorded); going forward replays the steps up to\n"
               "               the latest, then the %s goes on\n"
               "  r            the ready queue at this step\n"
               "  t            the timer heap at this step (its first %zu timers, by deadline)\n"
               "  k            the table of tasks at this step (as --tasks prints it)\n"
               "  w            the await tree at this step: who waits on whom (as --tree prints it)\n"
               "  l            this step's lines again\n"
               "  ? or h       this list\n",
               go_fd_ >= 0 ? "end the program now (asyncio-trace exits with status 0)" : "leave",
               go_fd_ >= 0 ? "program" : "recording", HEAP_SHOWN);
  std::fflush(tty_);
}

void StepSession::ask_() {
  for (;;) {
    // Keys that move on: through the recorded steps first, then past the latest.
    while (mode_ != Mode::ask) {
      if (pos_ + 1 < history_.size()) {
        if (mode_ == Mode::run) {
          pos_ = history_.size() - 1;
          std::fprintf(tty_, "(at the latest step again: %s)\n", where_(history_[pos_]).c_str());
          continue;
        }
        ++pos_;
        show_again_("forward");
        arrive_(history_[pos_]);
        continue;
      }
      if (at_end_) {
        std::fprintf(tty_, "(the recorded trace ends here; b goes back, q quits)\n");
        mode_ = Mode::ask;
        break;
      }
      release_();
      return;
    }
    const StepSnapshot& s = history_[pos_];
    const std::size_t back = history_.size() - 1 - pos_;
    if (back == 0) {
      std::fprintf(tty_, "-- %s. Enter: next step, ? keys > ", where_(s).c_str());
    } else {
      std::fprintf(tty_, "-- back at %s, %zu step%s before the latest. Enter: forward, ? keys > ", where_(s).c_str(),
                   back, back == 1 ? "" : "s");
    }
    std::fflush(tty_);
    char line[64];
    if (!std::fgets(line, sizeof line, tty_)) {  // the terminal went away: run to the end
      std::fprintf(tty_, "\n");
      if (go_fd_ < 0) {
        quit_ = true;
        return;
      }
      mode_ = Mode::run;
      continue;
    }
    std::string answer(line);
    answer.erase(std::remove_if(answer.begin(), answer.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
                 answer.end());
    if (answer.empty() || answer == "s") {
      mode_ = Mode::steps;
      left_ = 1;
    } else if (answer == "n") {
      mode_ = Mode::passes;
      left_ = 1;
    } else if (answer.find_first_not_of("0123456789") == std::string::npos && answer.size() < 10) {
      left_ = std::stol(answer);
      if (left_ > 0) {
        mode_ = Mode::passes;
      } else {
        std::fprintf(tty_, "(a number of passes, 1 or more)\n");
      }
    } else if (answer == "c") {
      mode_ = Mode::run;
    } else if (answer == "q") {
      quit_ = true;
      go_('q');
      return;
    } else if (answer == "b") {
      if (pos_ == 0) {
        std::fprintf(tty_, "(no earlier step recorded%s)\n", history_.size() >= HISTORY ? ": the history keeps the last 10000" : "");
      } else {
        --pos_;
        show_again_("back");
      }
    } else if (answer == "r") {
      std::fputs(s.ready.c_str(), tty_);
    } else if (answer == "t") {
      std::fputs(s.heap.c_str(), tty_);
    } else if (answer == "k") {
      std::fputs(s.tasks.c_str(), tty_);
    } else if (answer == "w") {
      std::fputs(s.tree.c_str(), tty_);
    } else if (answer == "l") {
      show_again_("again");
    } else if (answer == "?" || answer == "h") {
      help_();
    } else {
      std::fprintf(tty_, "(unknown key '%s'; ? lists the keys)\n", answer.c_str());
    }
    std::fflush(tty_);
  }
}

}  // namespace asyncio_trace
