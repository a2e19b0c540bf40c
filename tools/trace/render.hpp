// render.hpp: asyncio-trace's writers: the text of each pass (the four steps as
// docs/03-the-loop.md labels them), the summary tables, Chrome trace-event JSON and the HTML
// timeline. A C++-only tool. Owns formatting only; the model comes from trace_model.hpp.
// Course: docs/trace.md
#pragma once

#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trace_model.hpp"

namespace asyncio_trace {

// The labels of the four steps, word for word as the docs and run_once()'s comments say them.
extern const char* const STEP_LABELS[4];

struct TextOptions {
  bool color = false;
  std::pair<long, long> passes{1, std::numeric_limits<long>::max()};
  std::string task;                   // only passes and callbacks of this task ("" = all)
  std::vector<int> steps{1, 2, 3, 4};  // which steps to show
  bool fold = true;                   // fold runs of identical passes into one line
  double slow = 0.1;                  // a callback that blocked the loop this long (real time) is flagged
};

// Prints one block per pass as passes arrive; a run of passes identical to the one before in
// everything the text shows (measured durations and clocks aside) is held back and printed as
// one line by the next different pass or finish().
class TextRenderer {
 public:
  TextRenderer(std::ostream& out, TextOptions options);
  void pass(const Pass& pass);
  // Whether the filters (--passes, --task) let this pass through.
  bool selected(const Pass& pass) const;
  void finish();
  // After the last pass: what the program printed once its loop was done (may be "").
  void trailing_output(const std::string& text);
  void trailing_output(const std::vector<Printed>& printed);
  // Returns the block that would be printed for `pass` (times included or not).
  std::string block(const Pass& pass, bool with_times) const;
  // One step (1-4) of a pass, for asyncio-trace --step: the pass's header with step 1, an idle
  // step as one line saying so; "" for a step --steps hides.
  std::string step_block(const Pass& pass, int step) const;

 private:
  enum class Times { none, shown, shape };  // shape: what folding compares (measurements masked)
  std::string block_(const Pass& pass, Times times) const;
  void header_(std::ostream& b, const Pass& pass, Times times, bool stepping) const;
  bool step_(std::ostream& b, const Pass& pass, int step, Times times, bool stepping) const;
  bool shows_(int step) const;
  std::string paint_(const char* code, const std::string& text) const;
  void flush_folded_();
  void output_lines_(std::ostream& b, const std::string& text, const char* indent) const;
  void printed_lines_(std::ostream& b, const std::vector<Printed>& printed, const char* indent) const;

  std::ostream& out_;
  TextOptions options_;
  std::string last_shape_;
  long folded_first_ = 0, folded_last_ = 0, folded_of_ = 0;
};

// --summary: per task (steps, busy time, longest step, waiting and on what), the loop (passes,
// time blocked in select, busiest pass) and the callbacks slower than `slow` seconds.
void write_summary(std::ostream& out, const TraceBuilder& trace, double slow, bool color);

// Chrome trace-event JSON (Perfetto, chrome://tracing): tasks as tracks, callbacks as slices,
// select waits as idle slices on the loop's track, passes as instant markers.
void write_chrome(std::ostream& out, const TraceBuilder& trace);

// The ready queue and the timer heap as they were after each step, for the HTML view's panel.
// Fed every event before the model takes it in (TraceBuilder::on_event), at the same step
// boundaries as --step (step_of, step.hpp). A stream without handle ids (format version 1) cannot
// say: nothing is recorded and the page falls back to what the order of the pass implies.
class StepTables {
 public:
  struct Tables {
    std::vector<std::string> ready, heap;  // each handle in the text's words; the heap's first few
    std::size_t heap_size = 0;
  };
  void before(const Event& event, const TraceBuilder& trace);
  // The tables after step 1-4 of the pass at this position in TraceBuilder::passes(), or nullptr.
  const Tables* at(long pass, int step) const;

 private:
  std::map<std::pair<long, int>, Tables> at_;
  bool in_pass_ = false;
  int done_ = 0;
};

// A self-contained HTML page (no network): the viewer of tools/trace/viewer/ and the trace as
// data; a callback at least `slow` seconds long is drawn as having blocked the loop. `tables`:
// the ready queue and heap after each step (StepTables), when they were recorded.
void write_html(std::ostream& out, const TraceBuilder& trace, const std::string& title, double slow = 0.1,
                const StepTables* tables = nullptr);

std::string html_escape(std::string_view text);
// A JSON string literal safe to embed in <script> (no "</", no U+2028/9 surprises).
std::string json_string(std::string_view text);
// Each line of `text` with `prefix` before it (a last line without a newline gets one).
std::string indent(const std::string& text, const std::string& prefix);
// Seconds with six decimals: "1.000000".
std::string seconds(double s);
// Step 2's timeout reason in the text trace's words (trace.cpp's to_string(TimeoutReason) names).
std::string reason_words(const std::string& reason);
// Step 2 polled for 0 seconds because work was ready and found nothing: shown as idle.
bool step2_idle(const Pass& p);
// A callback that blocked the loop for at least `slow` seconds of real time (callback_end.real,
// or the clock's own duration in a stream without it).
bool is_slow(const Callback& cb, double slow);

}  // namespace asyncio_trace
