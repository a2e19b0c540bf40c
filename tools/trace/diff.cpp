// diff.cpp: `asyncio-trace diff`: runs or reads two streams, normalises what differs by design
// between asyncio-cpp and CPython (one table, NORMALISATION, each rule named and printed when it
// applied), aligns the passes and prints `identical: N passes` or the first differing pass side by
// side. A C++-only tool, no CPython twin. Course: docs/trace.md ("Diff")
#include "diff.hpp"

#include <sys/wait.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

namespace asyncio_trace {

namespace {

// ---------------------------------------------------------------- the rules

struct NormState {
  bool compare_times = true;
  bool compare_causes = true;      // both sides carry causes (handle ids)
  bool drop = false;               // set by a rule: leave this event out
  std::map<long, std::string> names;  // handle id -> its callable's name
  std::string last_begin_handle;  // the handle of the callback now running (its callback_begin)
};

// The callable a handle names, without its arguments, source location or qualifying names:
// "schedule_hardware.<locals>.button_interrupt(3, True) at 02_superloop_async.py:28" and
// "button_interrupt()" both become "button_interrupt()".
// A functools.partial is named by the function it wraps, as CPython's repr names it
// ("functools.partial(_release_waiter)" becomes "_release_waiter()").
std::string bare_callable(const std::string& handle) {
  static const std::string PARTIAL = "functools.partial(";
  const std::size_t start = handle.rfind(PARTIAL, 0) == 0 ? PARTIAL.size() : 0;
  std::string name = handle.substr(start, handle.find_first_of("()", start) - start);
  // A qualified name's last part ("Task.task_wakeup" -> "task_wakeup", "<locals>.f" -> "f").
  const std::size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot + 1 < name.size()) name = name.substr(dot + 1);
  return name + "()";
}

bool rule_callable(Event& e, NormState&) {
  bool changed = false;
  for (const char* key : {"handle"}) {
    auto it = e.fields.find(key);
    if (it == e.fields.end()) continue;
    auto* text = std::get_if<std::string>(&it->second);
    if (!text) continue;
    std::string bare = bare_callable(*text);
    if (bare != *text) {
      *text = std::move(bare);
      changed = true;
    }
  }
  return changed;
}

bool rule_callback_end_name(Event& e, NormState& state) {
  const std::string kind = e.kind();
  if (kind == "callback_begin") {
    state.last_begin_handle = e.str("handle");
    return false;
  }
  if (kind != "callback_end" || e.str("handle") == state.last_begin_handle) return false;
  e.fields["handle"] = state.last_begin_handle;
  return true;
}

bool rule_task_repr(Event& e, NormState&) {
  if (e.kind() != "task_done") return false;
  std::string repr = e.str("repr");
  const std::size_t at = repr.find(" coro=<");
  if (at == std::string::npos) return false;
  int depth = 0;
  std::size_t end = at + 6;
  for (; end < repr.size(); ++end) {
    if (repr[end] == '<') ++depth;
    if (repr[end] == '>' && --depth == 0) break;
  }
  repr.erase(at, end + 1 - at);
  e.fields["repr"] = repr;
  return true;
}

bool rule_real_clock(Event& e, NormState& state) {
  if (state.compare_times) return false;
  bool changed = false;
  for (const char* key : {"t", "timeout", "when", "late"}) {
    auto it = e.fields.find(key);
    if (it != e.fields.end() && std::holds_alternative<double>(it->second)) {
      e.fields.erase(it);
      changed = true;
    }
  }
  return changed;
}

bool rule_loop_line(Event& e, NormState&) {
  if (e.kind() != "loop" || !e.has("selector")) return false;
  e.fields.erase("selector");
  return true;
}

// Causes (format version 2) name handles by id, and ids are the writer's own numbering: compare
// what they name. Measured and source-dependent keys are never compared. When only one side has
// causes, its cause lines and keys are left out so the rest can still be compared.
bool rule_causes(Event& e, NormState& state) {
  static const char* const CAUSE_EVENTS[] = {"scheduled", "handle_cancelled", "callback_raised", "future_created", "stuck"};
  static const char* const CAUSE_KEYS[] = {"h", "by", "by_h", "by_task", "cancel_by_h", "cancel_by_task", "how",
                                           "exc", "sleep", "delay", "of_task"};
  const std::string kind = e.kind();
  bool changed = false;
  for (const char* key : {"real", "at"}) changed = e.fields.erase(key) > 0 || changed;
  if (kind == "output" && e.has("fd")) {
    // fd 1 is what an output line without fd means; stderr (fd 2) is captured only with causes.
    if (e.integer("fd") == 2 && !state.compare_causes) {
      state.drop = true;
      return true;
    }
    if (e.integer("fd") == 1) {
      e.fields.erase("fd");
      changed = true;
    }
  }
  if (!state.compare_causes) {
    for (const char* cause : CAUSE_EVENTS) {
      if (kind == cause) {
        state.drop = true;
        return true;
      }
    }
    // future_done's how and exc are version 2 keys too; a version 1 reader never had them.
    for (const char* key : CAUSE_KEYS) changed = e.fields.erase(key) > 0 || changed;
    return changed;
  }
  if (e.has("h")) {
    const long h = e.integer("h");
    if (e.has("handle")) state.names[h] = bare_callable(e.str("handle"));
    e.fields.erase("h");
    changed = true;
  }
  for (const char* key : {"by_h", "cancel_by_h"}) {
    if (!e.has(key)) continue;
    auto it = state.names.find(e.integer(key));
    e.fields[key] = it == state.names.end() ? std::string("?") : it->second;
    changed = true;
  }
  return changed;
}

struct Rule {
  const char* name;
  const char* why;
  bool (*apply)(Event&, NormState&);
};

// Every difference between an asyncio-cpp stream and a CPython one that is there by design, as
// one named rule. Each rule rewrites a field; only `causes` drops events (when one side has none). docs/trace.md lists them.
const Rule NORMALISATION[] = {
    {"callable-name",
     "a handle is compared by its callable's own name: CPython's repr adds the qualified name, the "
     "arguments and the source line; C++ callbacks have only the name they were given (a "
     "functools.partial goes by the function it wraps, as in CPython's repr)",
     rule_callable},
    {"callback-end-name",
     "a callback_end names the handle its callback_begin named (asyncio-cpp ends a task's wakeup "
     "as Task.__step)",
     rule_callback_end_name},
    {"task-repr-coro",
     "a task's repr is compared without coro=<...>: a C++ task has no coroutine object",
     rule_task_repr},
    {"real-clock",
     "times (t, timeout, when, late) are compared only when both sides ran on the virtual clock",
     rule_real_clock},
    {"selector-kind",
     "the selector's kind on a loop line is not compared (each runtime picks its own default)",
     rule_loop_line},
    {"causes",
     "a cause names handles by what they run, not by id (h is dropped, by_h becomes the running callback's name); "
     "real durations and source locations (real, at) are not compared; an output's fd 1 is the same as no fd; "
     "when only one side carries causes, the other's cause lines (scheduled, handle_cancelled, callback_raised, "
     "future_created, stuck, stderr output) and keys are left out",
     rule_causes},
};

const Rule* find_rule(const std::string& name) {
  for (const Rule& r : NORMALISATION)
    if (name == r.name) return &r;
  return nullptr;
}

// ---------------------------------------------------------------- text

std::string value_text(const Event::Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "null";
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::string text;
    for (const char c : *s) text += c == '\n' ? std::string("\\n") : std::string(1, c);
    return text;
  }
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  const double d = std::get<double>(v);
  char buf[40];
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", d);
  } else {
    std::snprintf(buf, sizeof buf, "%.6f", d);
  }
  return buf;
}

// One event as a line: its name, then its fields (t first, the others by name).
std::string event_line(const Event& e) {
  std::string line = e.kind();
  if (auto it = e.fields.find("t"); it != e.fields.end()) line += " t=" + value_text(it->second);
  for (const auto& [key, value] : e.fields) {
    if (key == "e" || key == "t") continue;
    line += " " + key + "=" + value_text(value);
  }
  return line;
}

std::string fit(const std::string& s, std::size_t width) {
  if (s.size() <= width) return s + std::string(width - s.size(), ' ');
  return s.substr(0, width - 1) + "~";
}

// Which step an event belongs to, for the "what differs" line.
std::string what_part(const std::string& line) {
  const std::string kind = line.substr(0, line.find(' '));
  if (kind == "timer_dropped" || kind == "heap_rebuilt") return "step 1 (cancelled timers)";
  if (kind == "select_begin" || kind == "select_end") return "step 2 (the select call: timeout or reason)";
  if (kind == "io_event") return "step 2 (I/O events)";
  if (kind == "timer_ready") return "step 3 (due timers)";
  if (kind == "callback_begin" || kind == "callback_end" || kind == "callback_skipped")
    return "step 4 (which callback runs, in what order)";
  if (kind == "task_step_end") return "a task's step (what it awaited or how it ended)";
  if (kind == "task_done") return "a task's outcome";
  if (kind == "task_created" || kind == "task_renamed") return "a task's creation or name";
  if (kind == "future_done") return "a future's completion";
  if (kind == "scheduled") return "a cause: what scheduled a handle, how and by whom";
  if (kind == "handle_cancelled") return "a cause: who cancelled a handle";
  if (kind == "callback_raised") return "a callback that raised";
  if (kind == "output") return "the program's output";
  if (kind == "pass_end") return "how many callbacks the pass ran";
  if (kind == "end") return "how the stream ends";
  return kind;
}

// A side-by-side row: the two lines (either may be absent) and its mark.
struct Row {
  std::optional<std::string> a, b;
};

// Aligns two segments' lines (longest common subsequence) into rows.
std::vector<Row> align(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<Row> rows;
  if (n * m > 4'000'000) {  // too large to align: line by line
    for (std::size_t i = 0; i < std::max(n, m); ++i)
      rows.push_back({i < n ? std::optional(a[i]) : std::nullopt, i < m ? std::optional(b[i]) : std::nullopt});
    return rows;
  }
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      rows.push_back({a[i++], b[j++]});
    } else if (i < n && j < m && lcs[i + 1][j] == lcs[i][j + 1]) {
      rows.push_back({a[i++], b[j++]});  // both differ here: one row, side by side
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      rows.push_back({std::nullopt, b[j++]});
    } else {
      rows.push_back({a[i++], std::nullopt});
    }
  }
  return rows;
}

void print_rows(std::ostream& out, const std::vector<Row>& rows, const DiffOptions& o) {
  for (const Row& r : rows) {
    const char* mark = !r.a ? " > " : !r.b ? " < " : *r.a == *r.b ? "   " : " | ";
    out << "  " << fit(r.a.value_or(""), static_cast<std::size_t>(o.width)) << mark << (r.b ? *r.b : "") << "\n";
  }
}

void print_segment_pair(std::ostream& out, const DiffSide::Segment* a, const DiffSide::Segment* b,
                        const DiffOptions& o) {
  const std::string title_a = a ? a->title : "(no such pass)";
  const std::string title_b = b ? b->title : "(no such pass)";
  out << "  " << fit(title_a, static_cast<std::size_t>(o.width)) << "   " << title_b << "\n";
  static const std::vector<std::string> none;
  print_rows(out, align(a ? a->lines : none, b ? b->lines : none), o);
}

// The first row where the two sides differ, described.
std::string describe_difference(const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    if (r.a && r.b && *r.a == *r.b) continue;
    const std::string& any = r.a ? *r.a : *r.b;
    std::string text = "what differs: " + what_part(any);
    if (r.a && r.b) {
      text += "\n    A: " + *r.a + "\n    B: " + *r.b;
    } else if (r.a) {
      text += "\n    only A: " + *r.a;
    } else {
      text += "\n    only B: " + *r.b;
    }
    return text;
  }
  return "what differs: nothing line by line";
}

}  // namespace

// ---------------------------------------------------------------- normalising a stream

DiffSide normalise_stream(const std::vector<std::string>& lines, const std::string& label, bool compare_times,
                          RuleCounts& applied, bool compare_causes) {
  DiffSide side;
  side.label = label;
  std::size_t first = 0;
  while (first < lines.size() && lines[first].empty()) ++first;
  if (first == lines.size()) return side;
  const Event header = parse_event(lines[first]);
  if (header.str("format") != "asyncio-trace") throw FormatError("not an asyncio-trace stream (no header)");
  side.version = static_cast<int>(header.num("v"));
  side.writer = header.str("writer") == "cpython" ? "CPython " + header.str("python") : "asyncio-cpp";

  NormState state;
  state.compare_times = compare_times;
  state.compare_causes = compare_causes;
  std::map<std::string, long> counts;
  std::vector<std::string> pending;  // lines since the last pass ended
  long loop = 1;
  bool in_pass = false;
  std::map<long, long> awaited_futures;  // a stream's future id -> its rank among awaited ones
  for (std::size_t i = first + 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    Event e = parse_event(lines[i]);
    const std::string kind = e.kind();
    // [graph] Who waits on what: lines derived for --tasks/--tree, which the two writers build
    // from different sources (the runtime's graph; the recorder's reading of CPython's callbacks):
    // not compared here (twintrace.tasks_tree.* compares what they show).
    if (kind == "future_created" || kind == "stuck") continue;
    // v2 also reports futures only callbacks waited for, numbered from the same counter: compare
    // the futures some task awaited, numbered in the order they were first awaited.
    if (e.has("future") && (kind == "task_step_end" || kind == "future_done")) {
      const long id = e.integer("future");
      auto it = awaited_futures.find(id);
      if (it == awaited_futures.end()) {
        if (kind == "future_done") continue;
        it = awaited_futures.emplace(id, static_cast<long>(awaited_futures.size()) + 1).first;
      }
      e.fields["future"] = static_cast<double>(it->second);
    }
    if (kind == "loop") {
      loop = e.integer("loop");
      if (side.clock.empty()) side.clock = e.str("clock");
    }
    state.drop = false;
    for (const Rule& rule : NORMALISATION) {
      if (rule.apply(e, state)) ++counts[rule.name];
      if (state.drop) break;
    }
    if (state.drop) continue;
    pending.push_back(event_line(e));
    if (kind == "pass_begin") {
      in_pass = true;
    } else if (kind == "pass_end" && in_pass) {
      in_pass = false;
      ++side.passes;
      side.segments.push_back({"pass " + std::to_string(e.integer("pass")) + " (loop " + std::to_string(loop) + ")",
                               std::move(pending)});
      pending.clear();
    }
  }
  if (!pending.empty()) side.segments.push_back({in_pass ? "the last pass, cut off" : "after the last pass", pending});
  for (const auto& count : counts) {  // not a structured binding: Clang 14 cannot capture one
    auto it = std::find_if(applied.begin(), applied.end(), [&](const auto& p) { return p.first == count.first; });
    if (it == applied.end()) {
      applied.emplace_back(count.first, count.second);
    } else {
      it->second += count.second;
    }
  }
  return side;
}

int compare_streams(const DiffSide& a, const DiffSide& b, const RuleCounts& applied, const DiffOptions& o,
                    std::ostream& out) {
  std::size_t n = std::max(a.segments.size(), b.segments.size());
  // --passes N: the first N passes (segments) only; what follows them is not compared.
  const bool cut = o.passes > 0 && o.passes < std::max(a.passes, b.passes);
  if (cut) n = static_cast<std::size_t>(o.passes);
  std::vector<std::size_t> differing;
  for (std::size_t i = 0; i < n; ++i) {
    const bool same = i < a.segments.size() && i < b.segments.size() && a.segments[i].lines == b.segments[i].lines;
    if (!same) {
      differing.push_back(i);
      if (!o.all) break;
    }
  }
  auto print_rules = [&] {
    if (applied.empty()) return;
    out << "normalised (docs/trace.md, \"Diff\"):\n";
    for (const auto& [name, count] : applied) {
      const Rule* rule = find_rule(name);
      out << "  " << name << " (" << count << " event" << (count == 1 ? "" : "s") << "): " << (rule ? rule->why : "")
          << "\n";
    }
  };
  if (differing.empty()) {
    if (cut) {
      out << "identical: the first " << n << " passes (--passes " << o.passes << "; A ran " << a.passes << ", B ran "
          << b.passes << ")\n";
    } else {
      out << "identical: " << a.passes << " passes\n";
    }
    print_rules();
    return 0;
  }
  out << "A: " << a.label << " (" << a.writer << ", " << a.passes << " passes)\n";
  out << "B: " << b.label << " (" << b.writer << ", " << b.passes << " passes)\n";
  const std::size_t first = differing.front();
  const DiffSide::Segment* sa = first < a.segments.size() ? &a.segments[first] : nullptr;
  const DiffSide::Segment* sb = first < b.segments.size() ? &b.segments[first] : nullptr;
  out << "first difference: " << (sa ? sa->title : sb->title) << "\n";
  const std::size_t from = first >= static_cast<std::size_t>(o.context) ? first - static_cast<std::size_t>(o.context) : 0;
  for (std::size_t i = from; i <= first; ++i)
    print_segment_pair(out, i < a.segments.size() ? &a.segments[i] : nullptr,
                       i < b.segments.size() ? &b.segments[i] : nullptr, o);
  static const std::vector<std::string> none;
  out << describe_difference(align(sa ? sa->lines : none, sb ? sb->lines : none)) << "\n";
  if (a.passes != b.passes) out << "A ran " << a.passes << " passes, B ran " << b.passes << "\n";
  if (o.all) {
    out << "every difference (" << differing.size() << " part" << (differing.size() == 1 ? "" : "s") << "):\n";
    for (std::size_t k = 1; k < differing.size(); ++k) {
      const std::size_t i = differing[k];
      const DiffSide::Segment* xa = i < a.segments.size() ? &a.segments[i] : nullptr;
      const DiffSide::Segment* xb = i < b.segments.size() ? &b.segments[i] : nullptr;
      std::vector<Row> rows = align(xa ? xa->lines : none, xb ? xb->lines : none);
      rows.erase(std::remove_if(rows.begin(), rows.end(), [](const Row& r) { return r.a && r.b && *r.a == *r.b; }),
                 rows.end());
      out << "  " << fit(xa ? xa->title : "(no such pass)", static_cast<std::size_t>(o.width)) << "   "
          << (xb ? xb->title : "(no such pass)") << "\n";
      print_rows(out, rows, o);
    }
  }
  print_rules();
  return 1;
}

// ---------------------------------------------------------------- the subcommand

namespace {

struct Side {
  std::string spec;
  std::vector<std::string> lines;
  bool ran = false;
  int status = 0;
};

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Reads a .jsonl, or runs a .py under the recorder or a C++ program; false with `error` if not.
bool load_side(Side& side, const std::string& python, bool virtual_clock, const ProgramResolver& resolve,
               std::string& error) {
  if (ends_with(side.spec, ".jsonl")) {
    std::ifstream in(side.spec, std::ios::binary);
    if (!in) {
      error = "cannot read " + side.spec;
      return false;
    }
    for (std::string line; std::getline(in, line);) side.lines.push_back(line);
    return true;
  }
  std::vector<std::string> argv;
  if (is_python_program(side.spec)) {
    auto command = python_command(python, side.spec, {}, error);
    if (!command) return false;
    argv = std::move(*command);
  } else {
    const std::optional<std::string> path = resolve(side.spec, error);
    if (!path) return false;
    argv.push_back(*path);
  }
  Recording rec = record(argv, virtual_clock);
  side.lines = std::move(rec.lines);
  side.status = rec.status;
  side.ran = true;
  if (side.lines.empty()) {
    error = side.spec + " emitted no trace events: it is not built on asyncio-cpp or tracing was off";
    return false;
  }
  return true;
}

}  // namespace

int run_diff(int argc, char** argv, const ProgramResolver& resolve) {
  CLI::App app{"Compare two traces pass by pass: identical: N passes (exit 0), or the first differing pass (exit 1).",
               "asyncio-trace diff"};
  std::string clock = "virtual", python = "python3";
  std::vector<std::string> sides;
  DiffOptions o;
  app.add_option("--clock", clock, "The clock both programs run on: virtual (default) or real")
      ->check(CLI::IsMember({"real", "virtual"}));
  app.add_flag("--all", o.all, "List every differing pass, not only the first");
  app.add_option("--context", o.context, "Passes shown before the first difference (default 2)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--python", python, "The Python interpreter for a .py side (default: python3 in PATH)");
  app.add_option("--passes", o.passes,
                 "Compare only the first N passes (a program's clean-up after them may depend on CPython's addresses)")
      ->check(CLI::PositiveNumber);
  app.add_option("A B", sides,
                 "Each: a C++ program (an example's name or number, or a path), a Python program (.py) or a "
                 "recorded stream (.jsonl)")
      ->expected(2)
      ->required();
  app.footer("Differences that are there by design are normalised by named rules, printed when they applied; "
             "see docs/trace.md, \"Diff\". Exit status: 0 identical, 1 different, 2 bad input.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  Side a{sides[0], {}, false, 0}, b{sides[1], {}, false, 0};
  for (Side* side : {&a, &b}) {
    std::string error;
    if (!load_side(*side, python, clock == "virtual", resolve, error)) {
      std::cerr << "asyncio-trace diff: " << error << "\n";
      return 2;
    }
  }
  RuleCounts applied;
  DiffSide na, nb;
  try {
    // Times are compared only when both streams ran on the virtual clock; that needs each clock.
    auto clock_of = [](const std::vector<std::string>& lines) -> std::string {
      for (const std::string& line : lines) {
        if (line.find("\"e\":\"loop\"") == std::string::npos) continue;
        return parse_event(line).str("clock");
      }
      return {};
    };
    const bool both_virtual = clock_of(a.lines) == "virtual" && clock_of(b.lines) == "virtual";
    // Causes are compared only when both streams carry them (handle ids, format version 2).
    auto has_causes = [](const std::vector<std::string>& lines) {
      return std::any_of(lines.begin(), lines.end(), [](const std::string& l) { return l.find("\"h\":") != std::string::npos; });
    };
    const bool both_causes = has_causes(a.lines) && has_causes(b.lines);
    na = normalise_stream(a.lines, a.spec, both_virtual, applied, both_causes);
    nb = normalise_stream(b.lines, b.spec, both_virtual, applied, both_causes);
  } catch (const FormatError& e) {
    std::cerr << "asyncio-trace diff: " << e.what() << "\n";
    return 2;
  }
  if (na.version != nb.version) {
    std::cerr << "asyncio-trace diff: A (" << a.spec << ") is trace format version " << na.version << ", B ("
              << b.spec << ") is version " << nb.version << ": streams of different versions are not compared\n";
    return 2;
  }
  if (na.version > FORMAT_VERSION) {
    std::cerr << "asyncio-trace diff: the streams are format version " << na.version << "; this tool reads version "
              << FORMAT_VERSION << "\n";
    return 2;
  }
  if (!na.clock.empty() && !nb.clock.empty() && na.clock != nb.clock)
    std::cout << "note: A ran on the " << na.clock << " clock, B on the " << nb.clock
              << " clock: times are not compared\n";
  return compare_streams(na, nb, applied, o, std::cout);
}

}  // namespace asyncio_trace
