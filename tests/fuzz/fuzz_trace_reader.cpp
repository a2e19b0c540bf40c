// fuzz_trace_reader.cpp: libFuzzer target for asyncio-trace's reading side
// (tools/trace/trace_model.cpp parse_event, TraceBuilder) on arbitrary JSON Lines, and for every
// writer that reads the model it builds (text, summary, Chrome JSON, HTML) and for diff's
// normaliser. A stream may be refused with FormatError, nothing else; what is read renders.
// Course: docs/trace.md; input format: tests/fuzz/README.md
#include <cstddef>
#include <cstdint>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "trace/diff.hpp"
#include "trace/render.hpp"
#include "trace/trace_model.hpp"

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

void read_and_render(const std::vector<std::string>& lines) {
  using namespace asyncio_trace;
  std::ostringstream out;
  TextOptions options;
  TextRenderer text(out, options);
  TraceBuilder trace;
  trace.on_pass = [&](const Pass& pass) { text.pass(pass); };
  try {
    for (const std::string& line : lines) trace.add_line(line);
  } catch (const FormatError& e) {
    if (std::string(e.what()).empty()) fuzz::fail("a FormatError without a message");
    return;  // asyncio-trace stops reading here and says why
  }
  trace.finish();
  text.finish();
  text.trailing_output(trace.trailing_output());
  if (!trace.saw_header()) return;
  write_summary(out, trace, 0.1, false);
  write_chrome(out, trace);
  write_html(out, trace, "fuzz", 0.1);
}

void normalise(const std::vector<std::string>& lines) {
  using namespace asyncio_trace;
  RuleCounts applied;
  try {
    const DiffSide side = normalise_stream(lines, "fuzz", true, applied);
    std::ostringstream out;
    compare_streams(side, side, applied, DiffOptions{}, out);
  } catch (const FormatError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> lines = split_lines(std::string(reinterpret_cast<const char*>(data), size));
  try {
    read_and_render(lines);
    normalise(lines);
  } catch (const std::exception& e) {
    fuzz::fail(std::string("the trace reader let through ") + e.what());
  }
  return 0;
}
