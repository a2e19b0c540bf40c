// render.cpp: asyncio-trace's text writers: pass text and summary (Chrome JSON and HTML: render_html.cpp).
// A C++-only tool. The step labels are those of run_once() and docs/03-the-loop.md.
// Course: docs/trace.md
#include "render.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

namespace asyncio_trace {

const char* const STEP_LABELS[4] = {
    "Step 1: drop cancelled timers",
    "Step 2: poll the selector",
    "Step 3: move due timers",
    "Step 4: run what was ready",
};

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size() - 1;
    out += prefix + text.substr(start, nl - start + 1);
    start = nl + 1;
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

std::string seconds(double s) {
  char text[40];
  std::snprintf(text, sizeof text, "%.6f", s);
  return text;
}

namespace {

std::string plural(long n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

// The words of trace.cpp's to_string(TimeoutReason).
std::string reason_words(const std::string& reason) {
  if (reason == "ready") return "ready queue not empty";
  if (reason == "stopping") return "stopping";
  if (reason == "timer") return "next timer";
  if (reason == "none") return "nothing scheduled";
  return reason;
}

bool step2_idle(const Pass& p) { return p.timeout && *p.timeout == 0 && p.nevents == 0 && p.reason == "ready"; }

// ---------------------------------------------------------------- text

TextRenderer::TextRenderer(std::ostream& out, TextOptions options) : out_(out), options_(std::move(options)) {}

std::string TextRenderer::paint_(const char* code, const std::string& text) const {
  if (!options_.color || std::string_view(code) == "0") return text;
  return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
}

bool TextRenderer::shows_(int step) const {
  return std::find(options_.steps.begin(), options_.steps.end(), step) != options_.steps.end();
}

bool TextRenderer::selected(const Pass& pass) const {
  if (pass.index < options_.passes.first || pass.index > options_.passes.second) return false;
  if (options_.task.empty()) return true;
  const std::string& name = options_.task;
  for (const Callback& cb : pass.callbacks) {
    if (cb.task_name == name) return true;
    if (std::find(cb.created.begin(), cb.created.end(), name) != cb.created.end()) return true;
  }
  return false;
}

std::string TextRenderer::block(const Pass& pass, bool with_times) const {
  return block_(pass, with_times ? Times::shown : Times::none);
}

bool is_slow(const Callback& cb, double slow) { return cb.finished && !cb.skipped && cb.took() >= slow; }

// The pass's first lines: its number and clock, and what happened since the pass before.
// `stepping` (asyncio-trace --step): the pass is still going on, so it is not "incomplete".
void TextRenderer::header_(std::ostream& b, const Pass& pass, Times times, bool stepping) const {
  const bool with_times = times != Times::none;
  const auto measured = [&](double v) { return times == Times::shape ? std::string("*") : seconds(v); };
  b << paint_("1", "Pass " + std::to_string(pass.index));
  if (with_times) b << " (t=" << measured(pass.begin) << ")";
  if (pass.loop != 1) b << " loop " << pass.loop;
  if (!pass.complete && !stepping) b << paint_("31", " [incomplete: the trace ends inside this pass]");
  b << "\n";
  if (!pass.created_before.empty()) {
    b << "  before this pass:";
    for (std::size_t i = 0; i < pass.created_before.size(); ++i)
      b << (i ? ", " : " ") << "created task " << paint_("33", pass.created_before[i]);
    b << "\n";
  }
  if (!pass.printed_before.empty()) {
    b << "  before this pass, the program printed:\n";
    printed_lines_(b, pass.printed_before, "    ");
  } else if (!pass.output_before.empty()) {
    b << "  before this pass, the program printed:\n";
    output_lines_(b, pass.output_before, "    ");
  }
}

// One step's lines; false if the step was idle (nothing to show). `stepping`: step 2 is shown
// even when it only polled because work was ready (asyncio-trace --step stops there too).
bool TextRenderer::step_(std::ostream& b, const Pass& pass, int step, Times times, bool stepping) const {
  if (!shows_(step)) return false;
  const bool with_times = times != Times::none;
  // A measured value (a duration, the clock after a wait): masked in the shape folding compares.
  const auto measured = [&](double v) { return times == Times::shape ? std::string("*") : seconds(v); };
  const bool durations = with_times && !pass.virtual_clock;
  const auto task_tag = [&](const std::string& name) {
    return name.empty() ? std::string() : " [" + paint_("33", name) + "]";
  };
  const auto cause_tail = [&](const std::string& words) {
    return words.empty() ? std::string() : " " + paint_("34", "<- " + words);
  };
  switch (step) {
    case 1:
      if (pass.dropped.empty() && !pass.heap_rebuilt) return false;
      b << "  " << paint_("36", STEP_LABELS[0]) << ": "
        << plural(static_cast<long>(pass.dropped.size()), "timer", "timers") << "\n";
      for (const TimerEvent& t : pass.dropped) {
        b << "    dropped " << t.handle;
        if (with_times) b << " (when=" << seconds(t.when) << ")";
        b << cause_tail(t.cancelled_by) << "\n";
      }
      if (pass.heap_rebuilt)
        b << "    rebuilt the timer heap: " << pass.heap_rebuilt->first << " -> " << pass.heap_rebuilt->second
          << " timers\n";
      return true;
    case 2:
      if ((step2_idle(pass) && !stepping) || pass.selector.empty()) return false;
      b << "  " << paint_("36", STEP_LABELS[1]) << ": " << pass.selector << ", timeout=";
      if (!pass.timeout) {
        b << "None";
      } else if (with_times || *pass.timeout == 0) {
        b << seconds(*pass.timeout);
      } else {
        b << "...";
      }
      b << " (" << reason_words(pass.reason) << ")";
      if (pass.select_done) {
        if (with_times)
          b << ", waited " << measured(pass.select_end - pass.select_begin) << " s until t=" << measured(pass.select_end);
        b << ", " << plural(pass.nevents, "event", "events");
      } else if (pass.stuck) {
        // The runtime saw that nothing could ever wake this select (the Stuck: report below).
        b << ", would block forever: stuck";
      } else {
        b << ", still waiting when the trace ended";
      }
      b << "\n";
      for (const IoEvent& e : pass.io)
        b << "    fd " << e.fd << (e.mask == "read" ? " readable" : " writable") << " -> " << e.handle
          << task_tag(e.task_name) << "\n";
      return true;
    case 3:
      if (pass.timers.empty()) return false;
      b << "  " << paint_("36", STEP_LABELS[2]) << ": "
        << plural(static_cast<long>(pass.timers.size()), "timer", "timers") << "\n";
      for (const TimerEvent& t : pass.timers) {
        b << "    " << t.handle << task_tag(t.task_name);
        if (with_times) b << " due at " << seconds(t.when) << ", " << measured(t.late) << " s late";
        b << "\n";
      }
      return true;
    case 4:
      if (pass.callbacks.empty()) return false;
      b << "  " << paint_("36", STEP_LABELS[3]) << ": "
        << plural(static_cast<long>(pass.callbacks.size()), "callback", "callbacks");
      if (with_times && pass.callbacks.back().finished) b << ", ran until t=" << measured(pass.callbacks.back().end);
      b << "\n";
      for (const Callback& cb : pass.callbacks) {
        if (!options_.task.empty() && cb.task_name != options_.task &&
            std::find(cb.created.begin(), cb.created.end(), options_.task) == cb.created.end())
          continue;
        if (cb.skipped) {
          b << "    skipped (cancelled) " << cb.handle << cause_tail(cb.cancelled_by) << "\n";
          continue;
        }
        b << "    " << cb.handle << task_tag(cb.task_name);
        if (!cb.outcome.empty()) {
          std::string what = cb.outcome;
          if (cb.outcome == "awaited") what += " " + cb.awaited;
          if (cb.outcome == "yielded") what += " (sleep(0))";
          if (!cb.at.empty() && (cb.outcome == "awaited" || cb.outcome == "yielded")) what += " at " + cb.at;
          const char* colour = cb.outcome == "returned"                                ? "32"
                               : (cb.outcome == "raised" || cb.outcome == "cancelled") ? "31"
                                                                                       : "0";
          b << " -> " << paint_(colour, what);
        }
        if (!cb.finished) b << paint_("31", " (still running when the trace ended)");
        if (durations && cb.finished) b << paint_("2", " (" + measured(cb.end - cb.begin) + " s)");
        if (is_slow(cb, options_.slow))
          b << paint_("31", " SLOW: blocked the loop for " + measured(cb.took()) + " s" +
                                (pass.virtual_clock && cb.took_real() ? " (real time)" : ""));
        b << cause_tail(cb.cause ? cb.cause->words : "") << "\n";
        if (!cb.raised.empty())
          b << "      " << paint_("31", "raised " + cb.raised) << ", which went to the "
            << (cb.handler == "custom" ? "program's exception handler" : "loop's default exception handler") << "\n";
        if (!cb.done_repr.empty() && cb.outcome != "returned") b << "      " << cb.done_repr << "\n";
        for (std::size_t i = 0; i < cb.created.size(); ++i) {
          b << "      created task " << paint_("33", cb.created[i]);
          if (i < cb.created_at.size() && !cb.created_at[i].empty()) b << " at " << cb.created_at[i];
          b << "\n";
        }
        if (!cb.printed.empty()) {
          printed_lines_(b, cb.printed, "      ");
        } else {
          output_lines_(b, cb.output, "      ");
        }
      }
      return true;
  }
  return false;
}

std::string TextRenderer::block_(const Pass& pass, Times times) const {
  std::ostringstream b;
  header_(b, pass, times, false);
  std::vector<int> idle;
  for (int step = 1; step <= 4; ++step) {
    std::ostringstream lines;
    if (step_(lines, pass, step, times, false)) {
      b << lines.str();
    } else {
      idle.push_back(step);
    }
  }
  idle.erase(std::remove_if(idle.begin(), idle.end(), [&](int step) { return !shows_(step); }), idle.end());
  if (!idle.empty()) {
    b << "  " << paint_("2", "idle:");
    for (std::size_t i = 0; i < idle.size(); ++i) b << (i ? ", " : " ") << paint_("2", "Step " + std::to_string(idle[i]));
    b << "\n";
  }
  return b.str();
}

// asyncio-trace --step: one step of a pass as it ends (step 1 under the pass's header); an idle
// step says so.
std::string TextRenderer::step_block(const Pass& pass, int step) const {
  std::ostringstream b;
  if (step == 1) header_(b, pass, Times::shown, true);
  if (!step_(b, pass, step, Times::shown, true) && shows_(step))
    b << "  " << paint_("36", STEP_LABELS[step - 1]) << ": " << paint_("2", "idle") << "\n";
  return b.str();
}

void TextRenderer::flush_folded_() {
  if (folded_first_ == 0) return;
  const long count = folded_last_ - folded_first_ + 1;
  const std::string which = count == 1 ? "Pass " + std::to_string(folded_first_) + ": the same as pass "
                                       : "Passes " + std::to_string(folded_first_) + "-" + std::to_string(folded_last_) +
                                             ": " + plural(count, "pass", "passes") + " the same as pass ";
  out_ << paint_("2", which + std::to_string(folded_of_) + " (folded)") << "\n";
  folded_first_ = folded_last_ = 0;
}

void TextRenderer::pass(const Pass& p) {
  if (!selected(p)) return;
  std::string shape = block_(p, Times::shape);
  shape = shape.substr(shape.find('\n'));  // without the pass number
  // Only consecutive passes fold: a gap (a pass the filters hide) ends the run.
  const bool next = folded_first_ ? p.index == folded_last_ + 1 : p.index == folded_of_ + 1;
  if (options_.fold && p.complete && next && shape == last_shape_) {
    if (folded_first_ == 0) folded_first_ = p.index;
    folded_last_ = p.index;
    return;
  }
  flush_folded_();
  out_ << block(p, true);
  out_.flush();
  last_shape_ = shape;
  folded_of_ = p.index;
}

void TextRenderer::finish() {
  flush_folded_();
  out_.flush();
}

void TextRenderer::trailing_output(const std::string& text) {
  if (text.empty()) return;
  std::ostringstream b;
  b << "After the last pass, the program printed:\n";
  output_lines_(b, text, "  ");
  out_ << b.str();
  out_.flush();
}

void TextRenderer::trailing_output(const std::vector<Printed>& printed) {
  if (printed.empty()) return;
  std::ostringstream b;
  b << "After the last pass, the program printed:\n";
  printed_lines_(b, printed, "  ");
  out_ << b.str();
  out_.flush();
}

// The program's own lines, each behind a bar so they stand apart from the loop's.
void TextRenderer::output_lines_(std::ostream& b, const std::string& text, const char* indent) const {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    b << indent << paint_("35", "| ") << text.substr(start, nl - start) << "\n";
    start = nl + 1;
  }
}

// stdout behind "| ", stderr behind "! ", in the order the program printed them.
void TextRenderer::printed_lines_(std::ostream& b, const std::vector<Printed>& printed, const char* indent) const {
  for (const Printed& piece : printed) {
    if (piece.fd != 2) {
      output_lines_(b, piece.text, indent);
      continue;
    }
    std::size_t start = 0;
    while (start < piece.text.size()) {
      std::size_t nl = piece.text.find('\n', start);
      if (nl == std::string::npos) nl = piece.text.size();
      b << indent << paint_("31", "! ") << piece.text.substr(start, nl - start) << "\n";
      start = nl + 1;
    }
  }
}

// ---------------------------------------------------------------- summary

void write_summary(std::ostream& out, const TraceBuilder& trace, double slow, bool color) {
  const auto bold = [&](const std::string& s) { return color ? "\x1b[1m" + s + "\x1b[0m" : s; };
  char line[512];
  out << bold("Tasks") << "\n";
  std::size_t width = 4;
  for (const auto& [id, t] : trace.tasks()) width = std::max(width, t.name.size());
  std::snprintf(line, sizeof line, "  %-*s %6s %12s %12s %12s  %-9s  %s\n", static_cast<int>(width), "task", "steps",
                "busy s", "longest s", "waiting s", "state", "waited on");
  out << line;
  for (const auto& [id, t] : trace.tasks()) {
    std::string waits;
    for (const auto& [what, n] : t.waited_on) waits += (waits.empty() ? "" : ", ") + what + " x" + std::to_string(n);
    std::snprintf(line, sizeof line, "  %-*s %6ld %12s %12s %12s  %-9s  %s\n", static_cast<int>(width), t.name.c_str(),
                  t.steps, seconds(t.busy).c_str(), seconds(t.longest).c_str(), seconds(t.waiting).c_str(),
                  t.state.c_str(), waits.empty() ? "-" : waits.c_str());
    out << line;
  }
  if (trace.tasks().empty()) out << "  (no tasks)\n";

  double blocked = 0;
  const Pass* busiest = nullptr;
  for (const Pass& p : trace.passes()) {
    blocked += p.select_end - p.select_begin;
    if (!busiest || p.callbacks.size() > busiest->callbacks.size()) busiest = &p;
  }
  out << bold("Loop") << "\n";
  out << "  passes                 " << trace.passes().size() << "\n";
  out << "  blocked in select      " << seconds(blocked) << " s\n";
  if (busiest) {
    double busy = 0;
    for (const Callback& cb : busiest->callbacks) busy += cb.end - cb.begin;
    out << "  busiest pass           " << busiest->index << " ("
        << plural(static_cast<long>(busiest->callbacks.size()), "callback", "callbacks") << ", " << seconds(busy)
        << " s)\n";
  }

  std::snprintf(line, sizeof line, "%.3f", slow);
  out << bold(std::string("Slow callbacks (at least ") + line + " s, the loop's slow_callback_duration)") << "\n";
  bool any = false;
  for (const Pass& p : trace.passes()) {
    for (const Callback& cb : p.callbacks) {
      if (!is_slow(cb, slow)) continue;
      any = true;
      out << "  pass " << p.index << ": " << cb.handle;
      if (cb.task) out << " [" << cb.task_name << "]";
      out << " took " << seconds(cb.took()) << " s";
      if (p.virtual_clock && cb.took_real()) out << " of real time (the virtual clock did not move)";
      if (cb.outcome == "awaited") {
        out << ", then awaited " << cb.awaited;
      } else if (!cb.outcome.empty()) {
        out << ", then " << cb.outcome;
      }
      out << "\n";
    }
  }
  if (!any) out << "  none\n";
}

}  // namespace asyncio_trace
