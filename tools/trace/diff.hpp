// diff.hpp: `asyncio-trace diff A B`: two event streams (a C++ program, a Python program under
// the recorder, or a recorded .jsonl) compared pass by pass under the documented rules for what
// differs by design (the NORMALISATION table in diff.cpp).
// A C++-only tool, no CPython twin. Owns the alignment, the rules and the diff's text.
// Course: docs/trace.md ("Diff")
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "program.hpp"
#include "trace_model.hpp"

namespace asyncio_trace {

// One side's stream, normalised: the passes (and what happened between them) as lines of text.
struct DiffSide {
  std::string label;
  std::string writer;       // "asyncio-cpp" or "CPython 3.11.7" (from the header)
  int version = 0;          // the header's format version
  std::string clock;        // the first loop's clock
  struct Segment {
    std::string title;      // "pass 3 (loop 1)", "before pass 1 (loop 1)", "after the last pass"
    std::vector<std::string> lines;
  };
  std::vector<Segment> segments;
  long passes = 0;
};

struct DiffOptions {
  bool all = false;   // every differing pass, not only the first
  int context = 2;    // passes shown before the first difference
  int width = 60;     // one column of the side-by-side view
  long passes = 0;    // compare only the first N passes (0: all of them)
};

// The rules applied to a side, by name, with how many events each changed.
using RuleCounts = std::vector<std::pair<std::string, long>>;

// Parses and normalises one stream (its header first). `compare_times`: both sides ran on the
// virtual clock; `compare_causes`: both carry causes (rule `causes`). FormatError when a line is
// not an event.
DiffSide normalise_stream(const std::vector<std::string>& lines, const std::string& label, bool compare_times,
                          RuleCounts& applied, bool compare_causes = true);

// Compares two normalised streams; writes the verdict. Returns 0 identical, 1 different.
int compare_streams(const DiffSide& a, const DiffSide& b, const RuleCounts& applied, const DiffOptions& options,
                    std::ostream& out);

// The subcommand: argv[0] is "diff". `resolve` finds a C++ program by an example's name.
int run_diff(int argc, char** argv, const ProgramResolver& resolve);

}  // namespace asyncio_trace
