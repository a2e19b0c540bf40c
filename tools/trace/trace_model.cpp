// trace_model.cpp: parsing the JSON Lines stream and rebuilding passes and tasks from it.
// A C++-only tool; the writer it reads is asyncio::JsonlWriter (runtime/asyncio/trace.cpp).
// Course: docs/trace.md, docs/trace-format.md
#include "trace_model.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace asyncio_trace {

bool Event::is_null(const std::string& key) const {
  auto it = fields.find(key);
  return it != fields.end() && std::holds_alternative<std::monostate>(it->second);
}

std::string Event::str(const std::string& key) const {
  auto it = fields.find(key);
  if (it == fields.end()) return {};
  if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
  return {};
}

double Event::num(const std::string& key) const {
  auto it = fields.find(key);
  if (it == fields.end()) return 0;
  if (const auto* d = std::get_if<double>(&it->second)) return *d;
  return 0;
}

long Event::integer(const std::string& key) const {
  const double value = num(key);
  // Converting a double outside long's range is undefined behaviour (found by fuzz_trace_reader).
  if (!(value >= -9.2e18 && value <= 9.2e18)) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    throw FormatError("\"" + key + "\" is not an integer this reader can hold: " + text);
  }
  return static_cast<long>(value);
}

// ---------------------------------------------------------------- parsing

namespace {

// A parser for the one shape the writer produces: a flat object of strings, numbers, booleans
// and nulls. Anything else is a FormatError, not a guess.
class LineParser {
 public:
  explicit LineParser(const std::string& line) : s_(line) {}

  Event parse() {
    Event event;
    skip_space_();
    expect_('{');
    skip_space_();
    if (peek_() == '}') {
      ++i_;
    } else {
      for (;;) {
        skip_space_();
        std::string key = string_();
        skip_space_();
        expect_(':');
        skip_space_();
        event.fields[key] = value_();
        skip_space_();
        if (peek_() == ',') {
          ++i_;
          continue;
        }
        expect_('}');
        break;
      }
    }
    skip_space_();
    if (i_ != s_.size()) fail_("text after the object");
    return event;
  }

 private:
  [[noreturn]] void fail_(const std::string& what) const {
    throw FormatError("not a trace event (" + what + " at column " + std::to_string(i_ + 1) + "): " +
                      s_.substr(0, 120));
  }
  char peek_() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_space_() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  void expect_(char c) {
    if (peek_() != c) fail_(std::string("expected '") + c + "'");
    ++i_;
  }
  static void append_utf8_(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  std::string string_() {
    expect_('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail_("unfinished escape");
      c = s_[i_++];
      switch (c) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) fail_("short \\u escape");
          const std::string hex = s_.substr(i_, 4);
          char* end = nullptr;
          const unsigned long cp = std::strtoul(hex.c_str(), &end, 16);
          if (end != hex.c_str() + 4) fail_("bad \\u escape");
          i_ += 4;
          append_utf8_(out, static_cast<unsigned>(cp));
          break;
        }
        default: fail_("bad escape");
      }
    }
    expect_('"');
    return out;
  }
  Event::Value value_() {
    const char c = peek_();
    if (c == '"') return string_();
    if (s_.compare(i_, 4, "null") == 0) {
      i_ += 4;
      return std::monostate{};
    }
    if (s_.compare(i_, 4, "true") == 0) {
      i_ += 4;
      return true;
    }
    if (s_.compare(i_, 5, "false") == 0) {
      i_ += 5;
      return false;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      const char* begin = s_.c_str() + i_;
      char* end = nullptr;
      const double d = std::strtod(begin, &end);
      if (end == begin) fail_("bad number");
      i_ += static_cast<std::size_t>(end - begin);
      return d;
    }
    fail_(c == '{' || c == '[' ? "nested value" : "unexpected character");
  }

  const std::string& s_;
  std::size_t i_ = 0;
};

}  // namespace

Event parse_event(const std::string& line) { return LineParser(line).parse(); }

// ---------------------------------------------------------------- building the model

Pass* TraceBuilder::current_() { return in_pass_ && !passes_.empty() ? &passes_.back() : nullptr; }

void TraceBuilder::add_line(const std::string& line) {
  if (line.empty() || line == "\r") return;
  Event event = parse_event(line);
  if (!saw_header_) {
    if (!event.has("v") || event.str("format") != "asyncio-trace")
      throw FormatError("not an asyncio-trace stream: its first line is not the header {\"v\":...,\"format\":\"asyncio-trace\"}");
    const long version = event.integer("v");
    if (version > FORMAT_VERSION)
      throw FormatError("this trace uses format version " + std::to_string(version) +
                        "; this asyncio-trace reads version " + std::to_string(FORMAT_VERSION) +
                        " and older only: update asyncio-trace");
    saw_header_ = true;
    return;
  }
  add(event);
}

void TraceBuilder::add(const Event& event) {
  const std::string kind = event.kind();
  // Times count from the stream's first event: the real clock's origin means nothing to a reader.
  if (event.has("t") && !first_time_) first_time_ = event.t();
  const double origin = first_time_.value_or(0.0);
  const double t = event.t() - origin;
  if (event.has("t")) last_time_ = t;
  if (kind == "loop") {
    loop_ = event.integer("loop");
    if (event.has("clock")) loop_virtual_[loop_] = event.str("clock") == "virtual";
    return;
  }
  if (kind == "end") {
    end_reason_ = event.str("why");
    return;
  }
  if (kind == "output") {
    // The program's stderr (format v2, "fd":2) already reached the terminal: not shown here.
    if (event.has("fd") && event.integer("fd") == 2) return;
    const std::string text = event.str("text");
    if (on_output) on_output(text);
    Pass* pass = current_();
    if (pass && !pass->callbacks.empty() && !pass->callbacks.back().finished) {
      pass->callbacks.back().output += text;
    } else {
      pending_output_ += text;
    }
    return;
  }
  if (kind == "pass_begin") {
    if (Pass* open = current_()) {
      // A pass_begin without the previous pass_end: the program re-entered the loop oddly.
      if (on_pass) on_pass(*open);
    }
    Pass pass;
    pass.index = event.integer("pass");
    pass.loop = loop_;
    pass.virtual_clock = loop_virtual_[loop_];
    pass.begin = pass.end = t;
    pass.created_before = std::move(between_passes_);
    between_passes_.clear();
    pass.output_before = std::move(pending_output_);
    pending_output_.clear();
    passes_.push_back(std::move(pass));
    in_pass_ = true;
    return;
  }
  if (kind == "task_created") {
    TaskInfo& info = tasks_[event.integer("task")];
    info = TaskInfo{};
    info.id = event.integer("task");
    info.name = event.str("name");
    info.created_pass = current_() ? current_()->index : 0;
    Pass* pass = current_();
    if (pass && !pass->callbacks.empty() && !pass->callbacks.back().finished) {
      pass->callbacks.back().created.push_back(info.name);
    } else if (!pass) {
      between_passes_.push_back(info.name);
    }
    return;
  }
  if (kind == "task_renamed") {
    TaskInfo& info = tasks_[event.integer("task")];
    const std::string old_name = info.name;
    info.id = event.integer("task");
    info.name = event.str("name");
    // Named at creation (create_task(TaskOptions{"x"}, ...)): show the name the program gave.
    Pass* pass = current_();
    std::vector<std::string>& created = pass && !pass->callbacks.empty() ? pass->callbacks.back().created : between_passes_;
    std::replace(created.begin(), created.end(), old_name, info.name);
    return;
  }
  if (kind == "future_done") return;

  Pass* pass = current_();
  if (!pass) return;  // an event outside any pass (a task stepped by hand): nothing to show
  pass->end = t;
  if (kind == "timer_dropped") {
    pass->dropped.push_back(TimerEvent{event.str("handle"), event.str("name"), (event.num("when") - origin), 0});
  } else if (kind == "heap_rebuilt") {
    pass->heap_rebuilt = std::make_pair(event.integer("before"), event.integer("after"));
  } else if (kind == "select_begin") {
    pass->selector = event.str("selector");
    if (!event.is_null("timeout")) pass->timeout = event.num("timeout");
    pass->reason = event.str("reason");
    pass->select_begin = pass->select_end = t;
  } else if (kind == "select_end") {
    pass->select_end = t;
    pass->select_done = true;
    pass->nevents = event.integer("events");
  } else if (kind == "io_event") {
    pass->io.push_back(IoEvent{static_cast<int>(event.integer("fd")), event.str("mask"), event.str("handle"),
                               event.str("name")});
  } else if (kind == "timer_ready") {
    pass->timers.push_back(TimerEvent{event.str("handle"), event.str("name"), (event.num("when") - origin), event.num("late")});
  } else if (kind == "callback_skipped") {
    Callback cb;
    cb.handle = event.str("handle");
    cb.skipped = cb.finished = true;
    cb.begin = cb.end = t;
    pass->callbacks.push_back(std::move(cb));
  } else if (kind == "callback_begin") {
    Callback cb;
    cb.handle = event.str("handle");
    cb.task = event.integer("task");
    cb.task_name = event.str("name");
    cb.begin = cb.end = t;
    if (cb.task) {
      TaskInfo& info = tasks_[cb.task];
      if (info.id == 0) {
        info.id = cb.task;
        info.name = cb.task_name;
      }
      if (info.waiting_since) info.waiting += cb.begin - *info.waiting_since;
      info.waiting_since.reset();
    }
    pass->callbacks.push_back(std::move(cb));
  } else if (kind == "callback_end") {
    if (!pass->callbacks.empty()) {
      Callback& cb = pass->callbacks.back();
      cb.end = t;
      cb.finished = true;
      if (cb.task) {
        TaskInfo& info = tasks_[cb.task];
        const double took = cb.end - cb.begin;
        ++info.steps;
        info.busy += took;
        if (took > info.longest) info.longest = took;
        if (cb.outcome == "awaited" || cb.outcome == "yielded") info.waiting_since = cb.end;
      }
    }
  } else if (kind == "task_step_end") {
    if (!pass->callbacks.empty()) {
      Callback& cb = pass->callbacks.back();
      cb.outcome = event.str("outcome");
      cb.awaited = event.str("awaited");
      if (cb.outcome == "yielded") cb.awaited = "sleep(0)";
      if (!cb.awaited.empty()) ++tasks_[event.integer("task")].waited_on[cb.awaited];
    }
  } else if (kind == "task_done") {
    TaskInfo& info = tasks_[event.integer("task")];
    info.state = event.str("state");
    info.repr = event.str("repr");
    if (!pass->callbacks.empty() && pass->callbacks.back().task == event.integer("task"))
      pass->callbacks.back().done_repr = info.repr;
  } else if (kind == "pass_end") {
    pass->ran = event.integer("ran");
    pass->complete = true;
    in_pass_ = false;
    if (on_pass) on_pass(*pass);
  }
}

void TraceBuilder::finish() {
  if (Pass* open = current_()) {
    in_pass_ = false;
    if (on_pass) on_pass(*open);
  }
  for (auto& [id, info] : tasks_) {
    if (info.waiting_since) {
      info.waiting += last_time_ - *info.waiting_since;
      info.waiting_since.reset();
    }
  }
}

// ---------------------------------------------------------------- option values

std::pair<long, long> parse_pass_range(const std::string& text) {
  auto number = [&](const std::string& s) -> long {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument("--passes takes N, N-M, N- or -M (pass numbers), not '" + text + "'");
    return std::stol(s);
  };
  const auto dash = text.find('-');
  if (dash == std::string::npos) {
    const long n = number(text);
    return {n, n};
  }
  const std::string first = text.substr(0, dash), last = text.substr(dash + 1);
  if (first.empty() && last.empty()) number("");
  const long lo = first.empty() ? 1 : number(first);
  const long hi = last.empty() ? std::numeric_limits<long>::max() : number(last);
  if (lo > hi) throw std::invalid_argument("--passes: " + text + " is an empty range");
  return {lo, hi};
}

std::vector<int> parse_steps(const std::string& text) {
  std::vector<int> steps;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.size() != 1 || item[0] < '1' || item[0] > '4')
      throw std::invalid_argument("--steps takes step numbers 1-4 separated by commas, not '" + text + "'");
    steps.push_back(item[0] - '0');
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return steps;
}

}  // namespace asyncio_trace
