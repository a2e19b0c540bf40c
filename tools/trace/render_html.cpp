// render_html.cpp: asyncio-trace's writers for other tools: Chrome trace-event JSON (Perfetto)
// and the self-contained HTML page. A C++-only tool. The text writer is render.cpp.
// Course: docs/trace.md
#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>

#include "render.hpp"
#include "step.hpp"
#include "viewer_assets.hpp"

namespace asyncio_trace {

// ---------------------------------------------------------------- JSON and HTML helpers

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default:
        if (u < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(u));
          out += esc;
        } else {
          out += c;
        }
    }
  }
  // U+2028 and U+2029 end a line inside a <script> in old engines: escape them.
  for (std::size_t at; (at = out.find("\xE2\x80\xA8")) != std::string::npos;) out.replace(at, 3, "\\u2028");
  for (std::size_t at; (at = out.find("\xE2\x80\xA9")) != std::string::npos;) out.replace(at, 3, "\\u2029");
  return out + "\"";
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {
std::string micros(double s) {
  char text[48];
  std::snprintf(text, sizeof text, "%.3f", s * 1e6);
  return text;
}
}  // namespace

// ---------------------------------------------------------------- Chrome trace events

// On the virtual clock callbacks take no time; each slice that took none is drawn NOMINAL_US wide
// and everything after it moves right by as much, so no slice is invisible (args.t keeps the
// clock's own value). Flows go from each cause to the slice it woke: a timer moved in step 3, a
// ready fd (or a handle from another thread) in step 2, the callback that scheduled a handle or
// completed the future whose done callback it is. A stream without causes (format version 1)
// gets the flows its order implies: step 3's and step 2's handles, and each task's first step.
void write_chrome(std::ostream& out, const TraceBuilder& trace) {
  constexpr double NOMINAL_US = 10;
  double shift = 0;  // microseconds added so far by nominal widths
  const auto ts = [&](double t) { return micros(t + shift / 1e6); };
  const auto width = [&](double dur) {  // the slice's drawn duration; moves what follows
    if (dur > 0) return micros(dur);
    shift += NOMINAL_US;
    return micros(NOMINAL_US / 1e6);
  };
  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  out << R"({"ph":"M","pid":1,"tid":0,"name":"process_name","args":{"name":"asyncio event loop"}})";
  out << ",\n" << R"({"ph":"M","pid":1,"tid":0,"name":"thread_name","args":{"name":"loop"}})";
  out << ",\n" << R"({"ph":"M","pid":1,"tid":0,"name":"thread_sort_index","args":{"sort_index":0}})";
  for (const auto& [id, t] : trace.tasks()) {
    out << ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" << id << ",\"name\":\"thread_name\",\"args\":{\"name\":"
        << json_string("task " + t.name) << "}}";
    out << ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" << id << ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" << id
        << "}}";
  }
  long flow_id = 0;
  // A flow's start sits inside the cause's slice; its end binds to the slice that encloses it.
  const auto flow = [&](const char* name, long from_tid, const std::string& from_ts, long to_tid,
                        const std::string& to_ts) {
    ++flow_id;
    out << ",\n{\"ph\":\"s\",\"pid\":1,\"tid\":" << from_tid << ",\"ts\":" << from_ts << ",\"id\":" << flow_id
        << ",\"name\":\"" << name << "\",\"cat\":\"cause\"}";
    out << ",\n{\"ph\":\"f\",\"bp\":\"e\",\"pid\":1,\"tid\":" << to_tid << ",\"ts\":" << to_ts << ",\"id\":" << flow_id
        << ",\"name\":\"" << name << "\",\"cat\":\"cause\"}";
  };
  const auto counter = [&](const std::string& at, std::size_t ready) {
    out << ",\n{\"ph\":\"C\",\"pid\":1,\"tid\":0,\"ts\":" << at << ",\"name\":\"ready queue\",\"args\":{\"handles\":"
        << ready << "}}";
  };
  const auto heap_counter = [&](const std::string& at, long timers) {
    if (timers < 0) return;  // the stream cannot say (no scheduled lines)
    out << ",\n{\"ph\":\"C\",\"pid\":1,\"tid\":0,\"ts\":" << at << ",\"name\":\"timer heap\",\"args\":{\"timers\":"
        << timers << "}}";
  };
  const bool causes = trace.has_causes();
  struct Slice {
    long tid;
    std::string ts;
  };
  std::map<std::pair<long, long>, Slice> slices;  // (pass, callback) -> where its slice is
  struct Pending {  // a task's creation, waiting for the task's first step
    long tid;
    std::string ts;
  };
  std::map<std::string, std::vector<Pending>> created;  // by task name
  const auto& passes = trace.passes();
  for (std::size_t pi = 0; pi < passes.size(); ++pi) {
    const Pass& p = passes[pi];
    const std::size_t n = p.callbacks.size(), nt = std::min(p.timers.size(), n);
    const std::size_t nio = std::min(p.io.size(), n - nt);
    out << ",\n{\"ph\":\"i\",\"s\":\"g\",\"pid\":1,\"tid\":0,\"ts\":" << ts(p.begin) << ",\"name\":\"pass "
        << p.index << "\",\"cat\":\"pass\",\"args\":{\"pass\":" << p.index << "}}";
    // The ready queue's length: what was queued before the pass, then step 2's and step 3's handles.
    counter(ts(p.begin), n - nt - nio);
    heap_counter(ts(p.begin), p.heap_begin);
    std::string select_ts;
    if (!p.selector.empty()) {
      select_ts = ts(p.select_begin);
      out << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":" << select_ts
          << ",\"dur\":" << width(p.select_end - p.select_begin) << ",\"name\":\"select (idle)\",\"cat\":\"select\""
          << ",\"args\":{\"pass\":" << p.index << ",\"t\":" << seconds(p.select_begin) << ",\"selector\":" << json_string(p.selector)
          << ",\"timeout\":" << (p.timeout ? seconds(*p.timeout) : "null") << ",\"reason\":" << json_string(reason_words(p.reason))
          << ",\"events\":" << p.nevents << "}}";
      counter(ts(p.select_end), n - nt);
    }
    std::string timers_ts;
    if (!p.timers.empty()) {
      const double at = p.select_done ? p.select_end : p.begin;
      timers_ts = ts(at);
      out << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":" << timers_ts << ",\"dur\":" << width(0)
          << ",\"name\":\"move due timers\",\"cat\":\"timers\",\"args\":{\"pass\":" << p.index << ",\"t\":" << seconds(at)
          << ",\"timers\":" << p.timers.size() << "}}";
      counter(ts(at), n);
    }
    for (std::size_t ci = 0; ci < n; ++ci) {
      const Callback& cb = p.callbacks[ci];
      if (cb.skipped) continue;
      const std::string begin = ts(cb.begin);
      if (causes) {
        if (cb.cause) {
          const Cause& c = *cb.cause;
          auto from = slices.find({c.from_pass, c.from_callback});
          if (c.from_pass >= 0 && from != slices.end()) {
            flow(c.kind.c_str(), from->second.tid, from->second.ts, cb.task, begin);
          } else if (c.kind == "timer" && !timers_ts.empty()) {
            flow("timer", 0, timers_ts, cb.task, begin);
          } else if ((c.kind == "fd" || c.kind == "thread" || c.kind == "signal") && !select_ts.empty()) {
            flow(c.kind.c_str(), 0, select_ts, cb.task, begin);
          }
        }
      } else if (ci >= n - nt && !timers_ts.empty()) {
        flow("timer", 0, timers_ts, cb.task, begin);
      } else if (ci >= n - nt - nio && !select_ts.empty()) {
        flow("fd ready", 0, select_ts, cb.task, begin);
      } else if (cb.task) {
        auto waiting = created.find(cb.task_name);
        if (waiting != created.end() && !waiting->second.empty()) {
          flow("create_task", waiting->second.front().tid, waiting->second.front().ts, cb.task, begin);
          waiting->second.erase(waiting->second.begin());
          if (waiting->second.empty()) created.erase(waiting);
        }
      }
      out << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":" << cb.task << ",\"ts\":" << begin
          << ",\"dur\":" << width(cb.end - cb.begin) << ",\"name\":" << json_string(cb.handle)
          << ",\"cat\":\"callback\",\"args\":{\"pass\":" << p.index << ",\"t\":" << seconds(cb.begin)
          << ",\"seconds\":" << seconds(cb.end - cb.begin);
      if (cb.task) out << ",\"task\":" << json_string(cb.task_name);
      if (!cb.outcome.empty()) out << ",\"outcome\":" << json_string(cb.outcome);
      if (!cb.awaited.empty()) out << ",\"awaited\":" << json_string(cb.awaited);
      if (cb.cause) out << ",\"cause\":" << json_string(cb.cause->words);
      if (cb.real) out << ",\"real\":" << seconds(*cb.real);
      if (!cb.raised.empty()) out << ",\"raised\":" << json_string(cb.raised);
      out << "}}";
      slices[{static_cast<long>(pi), static_cast<long>(ci)}] = Slice{cb.task, begin};
      for (const std::string& name : cb.created) created[name].push_back({cb.task, begin});
    }
    // What step 4 queued for the next pass: the next pass's handles that were queued before it.
    if (pi + 1 < passes.size() && passes[pi + 1].loop == p.loop) {
      const Pass& next = passes[pi + 1];
      const std::size_t nn = next.callbacks.size(), nnt = std::min(next.timers.size(), nn);
      counter(ts(p.end), nn - nnt - std::min(next.io.size(), nn - nnt));
    }
    heap_counter(ts(p.end), p.heap_end);
  }
  out << "\n]}\n";
}

// ---------------------------------------------------------------- HTML viewer

namespace {
constexpr std::size_t HEAP_SHOWN = 5;  // the heap's head: as many as --step's `t` prints
}  // namespace

void StepTables::before(const Event& event, const TraceBuilder& trace) {
  if (event.kind() == "pass_begin") {
    in_pass_ = true;
    done_ = 0;
    return;
  }
  if (!in_pass_ || !trace.has_causes() || trace.passes().empty()) return;
  const int k = step_of(event, done_);
  for (int step = done_ + 1; step < k; ++step) {
    done_ = step;
    Tables& t = at_[{static_cast<long>(trace.passes().size()) - 1, step}];
    for (const QueuedHandle& q : trace.ready_queue()) t.ready.push_back(handle_line(q));
    const std::vector<QueuedHandle> heap = trace.timer_heap();
    t.heap_size = heap.size();
    for (std::size_t i = 0; i < heap.size() && i < HEAP_SHOWN; ++i)
      // A sleep's timer is best named by its sleep ("timer of sleep(0.2) [blink]"), not its handle.
      t.heap.push_back("due at " + seconds(heap[i].when) + "  " +
                       (heap[i].cause.rfind("timer of ", 0) == 0 ? heap[i].cause + (heap[i].cancelled ? " (cancelled)" : "")
                                                                 : handle_line(heap[i])));
  }
  if (k == 5) in_pass_ = false;
}

const StepTables::Tables* StepTables::at(long pass, int step) const {
  const auto found = at_.find({pass, step});
  return found == at_.end() ? nullptr : &found->second;
}

// The page is tools/trace/viewer/ (template, style, script), embedded at build time; this side
// only writes the data: the model as one JSON object, every string through json_string() so no
// name can close the <script> it sits in.
namespace {

void json_strings(std::ostream& out, const std::vector<std::string>& list) {
  out << "[";
  for (std::size_t i = 0; i < list.size(); ++i) out << (i ? "," : "") << json_string(list[i]);
  out << "]";
}

std::string num(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%.6f", v);
  return text;
}

void html_data(std::ostream& out, const TraceBuilder& trace, const std::string& title, double slow,
               const StepTables* tables) {
  TextOptions plain;
  plain.fold = false;
  plain.slow = slow;
  std::ostringstream sink;
  TextRenderer text(sink, plain);
  bool virtual_clock = false;
  for (const Pass& p : trace.passes()) virtual_clock = virtual_clock || p.virtual_clock;
  out << "{\"title\":" << json_string(title) << ",\"clock\":\"" << (virtual_clock ? "virtual" : "real")
      << "\",\"causes\":" << (trace.has_causes() ? "true" : "false") << ",\"slow\":" << num(slow) << ",\"end\":" << json_string(trace.end_reason())
      << ",\"trailing_output\":" << json_string(trace.trailing_output()) << ",\n\"tasks\":[";
  bool first = true;
  for (const auto& [id, t] : trace.tasks()) {
    out << (first ? "" : ",") << "\n{\"id\":" << id << ",\"name\":" << json_string(t.name)
        << ",\"created_pass\":" << t.created_pass << ",\"state\":" << json_string(t.state)
        << ",\"repr\":" << json_string(t.repr) << "}";
    first = false;
  }
  out << "],\n\"passes\":[";
  first = true;
  for (const Pass& p : trace.passes()) {
    out << (first ? "" : ",") << "\n{\"index\":" << p.index << ",\"loop\":" << p.loop << ",\"begin\":" << num(p.begin)
        << ",\"end\":" << num(p.end) << ",\"complete\":" << (p.complete ? "true" : "false") << ",\"created_before\":";
    first = false;
    json_strings(out, p.created_before);
    out << ",\"output_before\":" << json_string(p.output_before) << ",\"dropped\":[";
    for (std::size_t i = 0; i < p.dropped.size(); ++i)
      out << (i ? "," : "") << "{\"handle\":" << json_string(p.dropped[i].handle) << ",\"when\":" << num(p.dropped[i].when)
          << "}";
    out << "],\"heap_rebuilt\":";
    if (p.heap_rebuilt) {
      out << "[" << p.heap_rebuilt->first << "," << p.heap_rebuilt->second << "]";
    } else {
      out << "null";
    }
    out << ",\"select\":";
    if (p.selector.empty()) {
      out << "null";
    } else {
      out << "{\"selector\":" << json_string(p.selector) << ",\"timeout\":" << (p.timeout ? num(*p.timeout) : "null")
          << ",\"reason\":" << json_string(p.reason) << ",\"begin\":" << num(p.select_begin)
          << ",\"end\":" << num(p.select_end) << ",\"events\":" << p.nevents
          << ",\"idle\":" << (step2_idle(p) ? "true" : "false") << "}";
    }
    out << ",\"io\":[";
    for (std::size_t i = 0; i < p.io.size(); ++i)
      out << (i ? "," : "") << "{\"fd\":" << p.io[i].fd << ",\"mask\":" << json_string(p.io[i].mask)
          << ",\"handle\":" << json_string(p.io[i].handle) << ",\"name\":" << json_string(p.io[i].task_name) << "}";
    out << "],\"timers\":[";
    for (std::size_t i = 0; i < p.timers.size(); ++i)
      out << (i ? "," : "") << "{\"handle\":" << json_string(p.timers[i].handle)
          << ",\"name\":" << json_string(p.timers[i].task_name) << ",\"when\":" << num(p.timers[i].when)
          << ",\"late\":" << num(p.timers[i].late) << "}";
    out << "],\"callbacks\":[";
    for (std::size_t i = 0; i < p.callbacks.size(); ++i) {
      const Callback& cb = p.callbacks[i];
      out << (i ? "," : "") << "\n {\"handle\":" << json_string(cb.handle) << ",\"task\":" << cb.task
          << ",\"name\":" << json_string(cb.task_name) << ",\"begin\":" << num(cb.begin) << ",\"end\":" << num(cb.end)
          << ",\"skipped\":" << (cb.skipped ? "true" : "false") << ",\"finished\":" << (cb.finished ? "true" : "false")
          << ",\"outcome\":" << json_string(cb.outcome) << ",\"awaited\":" << json_string(cb.awaited)
          << ",\"done_repr\":" << json_string(cb.done_repr) << ",\"created\":";
      json_strings(out, cb.created);
      out << ",\"output\":" << json_string(cb.output) << ",\"h\":" << cb.h << ",\"real\":"
          << (cb.real ? num(*cb.real) : "null") << ",\"at\":" << json_string(cb.at)
          << ",\"raised\":" << json_string(cb.raised) << ",\"cancelled_by\":" << json_string(cb.cancelled_by)
          << ",\"cause\":";
      if (cb.cause) {
        out << "{\"kind\":" << json_string(cb.cause->kind) << ",\"words\":" << json_string(cb.cause->words)
            << ",\"from_pass\":" << cb.cause->from_pass << ",\"from_callback\":" << cb.cause->from_callback << "}";
      } else {
        out << "null";
      }
      out << "}";
    }
    out << "],\"tables\":";
    const long pos = &p - trace.passes().data();  // a second loop numbers its passes from 1 again
    if (tables && tables->at(pos, 1)) {  // after steps 1-4 (a pass cut short: the steps it had)
      out << "[null";
      for (int step = 1; step <= 4; ++step) {
        const StepTables::Tables* t = tables->at(pos, step);
        if (!t) {
          out << ",null";
          continue;
        }
        out << ",{\"ready\":";
        json_strings(out, t->ready);
        out << ",\"heap\":";
        json_strings(out, t->heap);
        out << ",\"heap_size\":" << t->heap_size << "}";
      }
      out << "]";
    } else {
      out << "null";
    }
    out << ",\"ran\":" << p.ran << ",\"heap\":[" << p.heap_begin << "," << p.heap_end << "],\"text\":" << json_string(text.block(p, true)) << "}";
  }
  out << "]}";
}

// Writes `page` with each @NAME@ marker replaced; markers are looked for in the template only.
void fill(std::ostream& out, std::string_view page, const std::map<std::string, std::function<void()>>& parts) {
  std::size_t at = 0;
  while (at < page.size()) {
    const std::size_t open = page.find('@', at);
    const std::size_t close = open == std::string_view::npos ? open : page.find('@', open + 1);
    if (close == std::string_view::npos) {
      out << page.substr(at);
      return;
    }
    const auto part = parts.find(std::string(page.substr(open + 1, close - open - 1)));
    if (part == parts.end()) {
      out << page.substr(at, close - at);
      at = close;
      continue;
    }
    out << page.substr(at, open - at);
    part->second();
    at = close + 1;
  }
}

}  // namespace

void write_html(std::ostream& out, const TraceBuilder& trace, const std::string& title, double slow,
                const StepTables* tables) {
  fill(out, viewer::page,
       {{"TITLE", [&] { out << html_escape(title); }},
        {"STYLE", [&] { out << viewer::style; }},
        {"DATA", [&] { html_data(out, trace, title, slow, tables); }},
        {"SCRIPT", [&] { out << viewer::script; }}});
}

}  // namespace asyncio_trace
