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
        if (peek_() == '[' || peek_() == '{') {
          event.nested[key] = nested_();  // [graph] arrays of version 2 (future_created, stuck)
        } else {
          event.fields[key] = value_();
        }
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
  // [graph] A nested array or object, kept as its JSON text (tasks.cpp reads the ones it knows).
  std::string nested_() {
    const std::size_t begin = i_;
    int depth = 0;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '"') {
        string_();
        continue;
      }
      ++i_;
      if (c == '[' || c == '{') {
        if (++depth > 16) fail_("nested too deep");
      } else if (c == ']' || c == '}') {
        if (--depth == 0) return s_.substr(begin, i_ - begin);
      }
    }
    fail_("unfinished array");
  }
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

Callback* TraceBuilder::running_() {
  Pass* pass = current_();
  if (!pass || pass->callbacks.empty() || pass->callbacks.back().finished) return nullptr;
  return &pass->callbacks.back();
}

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

namespace {

// Every event type of format versions 1 and 2 (docs/trace-format.md); others are skipped and counted.
bool known_event(const std::string& kind) {
  static const char* const KNOWN[] = {
      "loop",         "pass_begin",    "timer_dropped",    "heap_rebuilt",    "select_begin",
      "select_end",   "io_event",      "timer_ready",      "callback_begin",  "callback_end",
      "callback_skipped", "pass_end",  "task_created",     "task_renamed",    "task_step_end",
      "task_done",    "future_done",   "output",           "end",             "scheduled",
      "handle_cancelled", "callback_raised", "future_created", "stuck"};
  for (const char* k : KNOWN)
    if (kind == k) return true;
  return false;
}

std::string delay_text(double d) {
  char text[40];
  std::snprintf(text, sizeof text, "%g", d);
  return text;
}

}  // namespace

// ---------------------------------------------------------------- causes (version 2)

std::string TraceBuilder::task_words_(long task) const {
  auto it = tasks_.find(task);
  return "Task '" + (it == tasks_.end() ? std::to_string(task) : it->second.name) + "'";
}

// Who did something, in the text's words: "Task 'main'", "button_interrupt()", "the loop", "another thread".
std::string TraceBuilder::by_words_(const Event& event) const {
  const std::string by = event.str("by");
  if (by == "thread") return "another thread";
  if (by == "loop") return "the loop";
  if (by != "callback") return by;
  if (event.has("by_task") && event.integer("by_task") != 0) return task_words_(event.integer("by_task"));
  auto it = handles_.find(event.integer("by_h"));
  if (it != handles_.end() && !it->second.handle.empty()) return it->second.handle;
  return "a callback";
}

void TraceBuilder::resolve_from_(Cause& cause) const {
  if (cause.from_h == 0) return;
  auto it = handles_.find(cause.from_h);
  if (it == handles_.end()) return;
  cause.from_pass = it->second.pass;
  cause.from_callback = it->second.callback;
}

void TraceBuilder::scheduled_(const Event& event) {
  const long h = event.integer("h");
  HandleInfo& info = handles_[h];
  info.handle = event.str("handle");
  info.how = event.str("how");
  info.task = event.integer("task");
  info.by_task = event.integer("by_task");
  if (event.has("sleep")) info.sleep = event.num("sleep");
  const std::string by = by_words_(event);
  const std::string in = by.empty() ? "" : " in " + by;
  Cause cause;
  cause.kind = "call_soon";
  if (event.str("by") == "callback") cause.from_h = event.integer("by_h");
  const std::string& how = info.how;
  if (how == "call_soon_threadsafe" || event.str("by") == "thread") {
    cause.kind = "thread";
    cause.words = "another thread";
    cause.from_h = 0;
  } else if (how == "call_later" || how == "call_at") {
    ++heap_;
    cause.kind = "timer";
    cause.from_h = 0;  // drawn from step 3, where it fell due
    if (info.sleep) {
      cause.words = "timer of sleep(" + delay_text(*info.sleep) + ")" +
                    (tasks_.count(info.by_task) ? " [" + tasks_.at(info.by_task).name + "]" : "");
    } else if (event.has("delay")) {
      cause.words = "call_later(" + delay_text(event.num("delay")) + ")" + in;
    } else {
      cause.words = how + in;
    }
  } else if (how == "done_callback") {
    cause.kind = "set_result";
    if (event.has("of_task")) {
      cause.words = task_words_(event.integer("of_task")) + " done";
    } else {
      auto it = futures_.find(event.integer("future"));
      if (it == futures_.end()) {
        cause.words = "future done";
      } else {
        const FutureInfo& f = it->second;
        cause.from_h = f.by_h;
        cause.kind = f.timer_words.empty() ? "set_result" : "timer";
        if (!f.timer_words.empty()) {
          cause.words = f.timer_words;
        } else {
          const std::string verb = f.how == "exception" ? "set_exception" : f.how == "cancel" ? "cancel" : "set_result";
          cause.words = verb + (f.by.empty() ? "" : " in " + f.by);
        }
      }
    }
  } else if (how == "task_step") {
    auto started = tasks_.find(info.task);
    if (started == tasks_.end() || started->second.started == false) {
      cause.words = "create_task" + in;
    } else if (info.by_task == info.task) {
      cause.words = "sleep(0) in " + task_words_(info.task);
    } else {
      cause.words = "cancel" + in;
    }
  } else if (how == "signal") {
    cause.kind = "signal";
    cause.words = "signal";
    cause.from_h = 0;
  } else {
    cause.words = how + in;
  }
  resolve_from_(cause);
  info.cause = std::move(cause);
  const bool timer = how == "call_later" || how == "call_at";
  queue_(event, h, timer ? std::optional<double>(event.num("when") - origin()) : std::nullopt);
}

// ---------------------------------------------------------------- the ready queue and the heap

void TraceBuilder::queue_(const Event& event, long h, std::optional<double> when) {
  QueuedHandle q;
  q.h = h;
  q.loop = loop_;
  q.handle = event.str("handle");
  q.task = event.integer("task");
  q.task_name = event.str("name");
  auto it = handles_.find(h);
  if (it != handles_.end() && it->second.cause) q.cause = it->second.cause->words;
  if (when) {
    q.when = *when;
    timers_[h] = std::move(q);
  } else {
    ready_.push_back(std::move(q));
  }
}

// A handle left the ready queue (step 4 took it) or the heap (dropped, or due).
void TraceBuilder::unqueue_(long h) {
  if (h == 0) return;
  if (timers_.erase(h)) return;
  for (auto it = ready_.begin(); it != ready_.end(); ++it) {
    if (it->h == h) {
      ready_.erase(it);
      return;
    }
  }
}

QueuedHandle* TraceBuilder::queued_(long h) {
  if (auto it = timers_.find(h); it != timers_.end()) return &it->second;
  for (QueuedHandle& q : ready_)
    if (q.h == h) return &q;
  return nullptr;
}

std::vector<QueuedHandle> TraceBuilder::ready_queue() const {
  std::vector<QueuedHandle> out;
  for (const QueuedHandle& q : ready_)
    if (q.loop == loop_) out.push_back(q);
  for (QueuedHandle& q : out)  // a task renamed since (create_task with a name): its name now
    if (auto it = tasks_.find(q.task); q.task && it != tasks_.end()) q.task_name = it->second.name;
  return out;
}

std::vector<QueuedHandle> TraceBuilder::timer_heap() const {
  std::vector<QueuedHandle> out;
  for (const auto& [h, q] : timers_)
    if (q.loop == loop_) out.push_back(q);
  for (QueuedHandle& q : out)
    if (auto it = tasks_.find(q.task); q.task && it != tasks_.end()) q.task_name = it->second.name;
  std::stable_sort(out.begin(), out.end(), [](const QueuedHandle& a, const QueuedHandle& b) { return a.when < b.when; });
  return out;
}

void TraceBuilder::future_done_(const Event& event) {
  if (!event.has("by")) return;  // version 1: nothing to join
  FutureInfo& f = futures_[event.integer("future")];
  f.how = event.str("how");
  f.by = by_words_(event);
  f.by_h = event.str("by") == "callback" ? event.integer("by_h") : 0;
  f.timer_words.clear();
  // The callback completing it is a sleep's timer: the wake-up is that timer's doing.
  auto it = handles_.find(f.by_h);
  if (f.by_h && it != handles_.end() && it->second.sleep && it->second.cause) f.timer_words = it->second.cause->words;
}

void TraceBuilder::print_(const Event& event) {
  const std::string text = event.str("text");
  const int fd = event.has("fd") ? static_cast<int>(event.integer("fd")) : 1;
  if (fd == 2) {
    if (on_error_output) on_error_output(text);
  } else if (on_output) {
    on_output(text);
  }
  const auto append = [&](std::vector<Printed>& list) {
    if (!list.empty() && list.back().fd == fd) {
      list.back().text += text;
    } else {
      list.push_back(Printed{fd, text});
    }
  };
  if (Callback* cb = running_()) {
    if (fd != 2) cb->output += text;
    append(cb->printed);
  } else {
    if (fd != 2) pending_output_ += text;
    append(pending_printed_);
  }
}

void TraceBuilder::callback_begin_(Pass& pass, const Event& event, double t) {
  Callback cb;
  cb.handle = event.str("handle");
  cb.task = event.integer("task");
  cb.task_name = event.str("name");
  cb.begin = cb.end = t;
  if (event.has("h")) {
    cb.h = event.integer("h");
    unqueue_(cb.h);
    HandleInfo& info = handles_[cb.h];
    if (info.handle.empty()) info.handle = cb.handle;
    info.pass = static_cast<long>(passes_.size()) - 1;
    info.callback = static_cast<long>(pass.callbacks.size());
    if (info.cause) {
      cb.cause = info.cause;
      resolve_from_(*cb.cause);
    }
  }
  if (cb.task) {
    TaskInfo& task = tasks_[cb.task];
    if (task.id == 0) {
      task.id = cb.task;
      task.name = cb.task_name;
    }
    task.started = true;
    if (task.waiting_since) task.waiting += cb.begin - *task.waiting_since;
    task.waiting_since.reset();
  }
  pass.callbacks.push_back(std::move(cb));
}

void TraceBuilder::add(const Event& event) {
  const std::string kind = event.kind();
  if (!known_event(kind)) {
    ++skipped_[kind.empty() ? "(no \"e\")" : kind];
    return;
  }
  // Times count from the stream's first event: the real clock's origin means nothing to a reader.
  if (event.has("t") && !first_time_) first_time_ = event.t();
  const double origin = first_time_.value_or(0.0);
  const double t = event.t() - origin;
  if (event.has("t")) last_time_ = t;
  if (event.has("h")) has_causes_ = true;
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
    print_(event);
    return;
  }
  if (on_event) on_event(event);  // [graph] tasks.cpp follows tasks and futures itself
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
    pass.printed_before = std::move(pending_printed_);
    pending_printed_.clear();
    if (has_causes_) pass.heap_begin = heap_;
    passes_.push_back(std::move(pass));
    in_pass_ = true;
    futures_.clear();
    return;
  }
  if (kind == "scheduled") {
    scheduled_(event);
    return;
  }
  if (kind == "handle_cancelled") {
    auto it = handles_.find(event.integer("h"));
    if (it != handles_.end()) it->second.cancelled_by = "cancel in " + by_words_(event);
    if (QueuedHandle* q = queued_(event.integer("h"))) q->cancelled = true;
    return;
  }
  if (kind == "stuck") {  // the report itself is read by --tasks/--tree (tasks.cpp)
    if (Pass* pass = current_()) pass->stuck = true;
    return;
  }
  if (kind == "future_created") return;  // read by --tasks/--tree (not yet)
  if (kind == "task_created") {
    TaskInfo& info = tasks_[event.integer("task")];
    info = TaskInfo{};
    info.id = event.integer("task");
    info.name = event.str("name");
    info.created_pass = current_() ? current_()->index : 0;
    Pass* pass = current_();
    if (Callback* cb = running_()) {
      cb->created.push_back(info.name);
      cb->created_at.push_back(event.str("at"));
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
  if (kind == "future_done") {
    future_done_(event);
    return;
  }

  Pass* pass = current_();
  if (!pass) return;  // an event outside any pass (a task stepped by hand): nothing to show
  pass->end = t;
  const auto forget = [&](long h) {  // a handle that ran or left the heap: nothing will name it again
    if (h) handles_.erase(h);
  };
  if (kind == "timer_dropped") {
    TimerEvent dropped{event.str("handle"), event.str("name"), (event.num("when") - origin), 0, {}};
    unqueue_(event.integer("h"));
    if (auto it = handles_.find(event.integer("h")); event.has("h") && it != handles_.end()) {
      dropped.cancelled_by = it->second.cancelled_by;
      forget(it->first);
    }
    if (has_causes_ && heap_ > 0) --heap_;
    pass->dropped.push_back(std::move(dropped));
  } else if (kind == "heap_rebuilt") {
    pass->heap_rebuilt = std::make_pair(event.integer("before"), event.integer("after"));
    heap_ = pass->heap_rebuilt->second;
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
    const std::string mask = event.str("mask");
    const int fd = static_cast<int>(event.integer("fd"));
    pass->io.push_back(IoEvent{fd, mask, event.str("handle"), event.str("name")});
    if (event.has("h")) {
      HandleInfo& info = handles_[event.integer("h")];
      info.handle = event.str("handle");
      info.how = "io";
      info.task = event.integer("task");
      info.cause = Cause{"fd", "fd " + std::to_string(fd) + (mask == "write" ? " writable" : " readable"), 0, -1, -1};
      queue_(event, event.integer("h"), std::nullopt);
    }
  } else if (kind == "timer_ready") {
    pass->timers.push_back(TimerEvent{event.str("handle"), event.str("name"), (event.num("when") - origin), event.num("late"), {}});
    if (auto it = timers_.find(event.integer("h")); event.has("h") && it != timers_.end()) {
      ready_.push_back(std::move(it->second));  // due: to the back of the ready queue
      timers_.erase(it);
    }
    if (has_causes_ && heap_ > 0) --heap_;
  } else if (kind == "callback_skipped") {
    Callback cb;
    cb.handle = event.str("handle");
    cb.skipped = cb.finished = true;
    cb.begin = cb.end = t;
    if (event.has("h")) {
      cb.h = event.integer("h");
      unqueue_(cb.h);
      if (auto it = handles_.find(cb.h); it != handles_.end()) cb.cancelled_by = it->second.cancelled_by;
      forget(cb.h);
    }
    pass->callbacks.push_back(std::move(cb));
  } else if (kind == "callback_begin") {
    callback_begin_(*pass, event, t);
  } else if (kind == "callback_raised") {
    if (Callback* cb = running_()) {
      cb->raised = event.str("exc");
      cb->handler = event.str("handler");
    }
  } else if (kind == "callback_end") {
    if (!pass->callbacks.empty()) {
      Callback& cb = pass->callbacks.back();
      cb.end = t;
      cb.finished = true;
      if (event.has("real")) cb.real = event.num("real");
      if (cb.task) {
        TaskInfo& info = tasks_[cb.task];
        const double took = cb.end - cb.begin;
        ++info.steps;
        info.busy += took;
        if (took > info.longest) info.longest = took;
        if (cb.outcome == "awaited" || cb.outcome == "yielded") info.waiting_since = cb.end;
      }
      forget(cb.h);
      futures_.clear();
    }
  } else if (kind == "task_step_end") {
    if (!pass->callbacks.empty()) {
      Callback& cb = pass->callbacks.back();
      cb.outcome = event.str("outcome");
      cb.awaited = event.str("awaited");
      cb.at = event.str("at");
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
    if (has_causes_) pass->heap_end = heap_;
    in_pass_ = false;
    futures_.clear();
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
