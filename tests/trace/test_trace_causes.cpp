// test_trace_causes.cpp: asyncio-trace's reading side on format version 2 streams written by hand
// to the spec (docs/trace-format.md, "Version 2"): causes joined by handle id, their words in the
// text trace, folding, slow callbacks on the virtual clock, bad input, and diff's `causes` rule.
// The writer's side is tested in test_trace.cpp. Course: docs/trace.md
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "trace/diff.hpp"
#include "trace/render.hpp"
#include "trace/step.hpp"
#include "trace/trace_model.hpp"

namespace {

using namespace asyncio_trace;

std::vector<std::string> fixture_lines(const std::string& name) {
  std::ifstream in(std::string(TRACE_GOLDEN_DIR) + "/" + name);
  REQUIRE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TraceBuilder build(const std::vector<std::string>& lines) {
  TraceBuilder trace;
  for (const std::string& line : lines) trace.add_line(line);
  trace.finish();
  return trace;
}

std::vector<std::string> split(const std::string& stream) {
  std::vector<std::string> lines;
  std::istringstream in(stream);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The text of a whole stream as asyncio-trace prints it.
std::string render(const std::vector<std::string>& lines, TextOptions options = {}) {
  std::ostringstream out;
  TextRenderer text(out, options);
  TraceBuilder trace;
  trace.on_pass = [&](const Pass& p) { text.pass(p); };
  for (const std::string& line : lines) trace.add_line(line);
  trace.finish();
  text.finish();
  return out.str();
}

std::string cause_of(const Callback& cb) { return cb.cause ? cb.cause->words : std::string("(none)"); }

const char* const HEADER = "{\"v\":2,\"format\":\"asyncio-trace\"}";

}  // namespace

TEST_SUITE("trace.causes") {
  TEST_CASE("each callback is joined to its scheduled line by h, and its cause named in the docs' words") {
    const TraceBuilder trace = build(fixture_lines("causes_v2.jsonl"));
    REQUIRE(trace.passes().size() == 6);
    CHECK(trace.has_causes());
    const auto& p = trace.passes();
    CHECK(cause_of(p[0].callbacks[0]) == "create_task in the loop");  // asyncio::run, before the loop ran
    CHECK(cause_of(p[1].callbacks[0]) == "create_task in Task 'main'");
    CHECK(cause_of(p[1].callbacks[1]) == "call_soon in Task 'main'");
    CHECK(p[1].callbacks[2].skipped);
    CHECK(p[1].callbacks[2].cancelled_by == "cancel in Task 'main'");
    CHECK(cause_of(p[2].callbacks[0]) == "fd 7 readable");
    CHECK(cause_of(p[2].callbacks[1]) == "another thread");
    CHECK(cause_of(p[2].callbacks[2]) == "call_later(0.06) in Task 'main'");
    CHECK(cause_of(p[3].callbacks[0]) == "timer of sleep(0.1) [button]");
    // The sleep's future was completed by its timer: the wake-up is that timer's doing.
    CHECK(cause_of(p[4].callbacks[0]) == "timer of sleep(0.1) [button]");
    CHECK(cause_of(p[5].callbacks[0]) == "set_result in Task 'button'");
    CHECK(cause_of(p[5].callbacks[1]) == "Task 'button' done");
  }

  TEST_CASE("a cause knows the callback it came from, so arrows and flows can start there") {
    const TraceBuilder trace = build(fixture_lines("causes_v2.jsonl"));
    const auto& p = trace.passes();
    const Cause& create = *p[1].callbacks[0].cause;
    CHECK(create.kind == "call_soon");
    CHECK(create.from_pass == 0);
    CHECK(create.from_callback == 0);
    const Cause& wake = *p[4].callbacks[0].cause;  // from the sleep's timer callback in pass 4
    CHECK(wake.kind == "timer");
    CHECK(wake.from_pass == 3);
    CHECK(wake.from_callback == 0);
    const Cause& done = *p[5].callbacks[0].cause;  // on_done() <- set_result in the button's step of pass 5
    CHECK(done.kind == "set_result");
    CHECK(done.from_pass == 4);
    CHECK(p[2].callbacks[0].cause->kind == "fd");
    CHECK(p[2].callbacks[0].cause->from_pass == -1);  // drawn from step 2
    CHECK(p[2].callbacks[1].cause->kind == "thread");
    CHECK(p[2].callbacks[2].cause->kind == "timer");
  }

  TEST_CASE("the timer heap's size is counted from scheduled, timer_ready and timer_dropped lines") {
    const TraceBuilder trace = build(fixture_lines("causes_v2.jsonl"));
    std::vector<long> ends;
    for (const Pass& p : trace.passes()) ends.push_back(p.heap_end);
    CHECK(ends == std::vector<long>{1, 2, 1, 0, 0, 0});
    CHECK(trace.passes()[0].heap_begin == 0);
    // A version 1 stream cannot say.
    const TraceBuilder v1 = build(split(std::string(HEADER) + "\n{\"e\":\"pass_begin\",\"t\":0,\"pass\":1}\n"
                                        "{\"e\":\"pass_end\",\"t\":0,\"pass\":1,\"ran\":0}\n"));
    CHECK(v1.passes()[0].heap_begin == -1);
    CHECK(v1.passes()[0].heap_end == -1);
    CHECK_FALSE(v1.has_causes());
  }

  TEST_CASE("the text ends each step-4 line with its cause; raised, stderr, where a task waits, slow") {
    const std::string text = render(fixture_lines("causes_v2.jsonl"));
    CHECK(text.find("    Task.__step() [button] -> awaited sleep(0.1) at examples/demo.cpp:25 <- create_task in Task 'main'\n") !=
          std::string::npos);
    CHECK(text.find("    tick() <- call_soon in Task 'main'\n      | tick\n      ! warning: low battery\n") !=
          std::string::npos);
    CHECK(text.find("    skipped (cancelled) never() <- cancel in Task 'main'\n") != std::string::npos);
    CHECK(text.find("    reader() SLOW: blocked the loop for 0.250000 s (real time) <- fd 7 readable\n") != std::string::npos);
    CHECK(text.find("    button_interrupt() <- call_later(0.06) in Task 'main'\n"
                    "      raised ValueError('bounce'), which went to the loop's default exception handler\n") !=
          std::string::npos);
    CHECK(text.find("    Task.task_wakeup() [button] -> returned <- timer of sleep(0.1) [button]\n") != std::string::npos);
    CHECK(text.find("    Task.task_wakeup() [main] -> returned <- Task 'button' done\n") != std::string::npos);
    CHECK(text.find("      created task button at examples/demo.cpp:41\n") != std::string::npos);
    // Each step that waited or ran says when it ended.
    CHECK(text.find("  Step 2: poll the selector: epoll, timeout=0.060000 (next timer), waited 0.060000 s until "
                    "t=0.060000, 1 event\n") != std::string::npos);
    CHECK(text.find("  Step 4: run what was ready: 3 callbacks, ran until t=0.060000\n") != std::string::npos);
  }

  TEST_CASE("--slow sets the threshold the text flags callbacks at, on real time") {
    TextOptions strict;
    strict.slow = 0.3;
    CHECK(render(fixture_lines("causes_v2.jsonl"), strict).find("SLOW") == std::string::npos);
    TextOptions loose;
    loose.slow = 0.000005;  // tick() took 0.000002 s: not flagged; the button's first step took 0.000005 s: flagged
    const std::string text = render(fixture_lines("causes_v2.jsonl"), loose);
    CHECK(text.find("    tick() <- call_soon") != std::string::npos);
    CHECK(text.find("    Task.__step() [button] -> awaited sleep(0.1) at examples/demo.cpp:25 SLOW: blocked the loop "
                    "for 0.000005 s (real time)") != std::string::npos);
    std::ostringstream summary;
    write_summary(summary, build(fixture_lines("causes_v2.jsonl")), 0.1, false);
    CHECK(summary.str().find("  pass 3: reader() took 0.250000 s of real time (the virtual clock did not move)\n") !=
          std::string::npos);
  }

  TEST_CASE("a version 1 stream renders without causes") {
    const std::string text = render(split(std::string(HEADER) +
                                          "\n{\"e\":\"pass_begin\",\"t\":0,\"pass\":1}\n"
                                          "{\"e\":\"callback_begin\",\"t\":0,\"handle\":\"tick()\"}\n"
                                          "{\"e\":\"callback_end\",\"t\":0,\"handle\":\"tick()\"}\n"
                                          "{\"e\":\"pass_end\",\"t\":0,\"pass\":1,\"ran\":1}\n"));
    CHECK(text ==
          "Pass 1 (t=0.000000)\n"
          "  Step 4: run what was ready: 1 callback, ran until t=0.000000\n"
          "    tick() (0.000000 s)\n"
          "  idle: Step 1, Step 2, Step 3\n");
  }
}

TEST_SUITE("trace.folding") {
  // Passes that each run one call_soon'd callback; `cause` picks who scheduled each.
  std::string spin(int passes, const std::vector<std::string>& by) {
    std::string s = std::string(HEADER) + "\n{\"e\":\"loop\",\"loop\":1,\"clock\":\"virtual\",\"selector\":\"epoll\"}\n";
    s += "{\"e\":\"scheduled\",\"t\":0,\"h\":1,\"handle\":\"spin()\",\"how\":\"call_soon\",\"by\":\"loop\"}\n";
    for (int i = 1; i <= passes; ++i) {
      const std::string n = std::to_string(i), h = std::to_string(i), next = std::to_string(i + 1);
      s += "{\"e\":\"pass_begin\",\"t\":0,\"pass\":" + n + "}\n";
      s += "{\"e\":\"callback_begin\",\"t\":0,\"h\":" + h + ",\"handle\":\"spin()\"}\n";
      const std::string who = by[static_cast<std::size_t>(i - 1) % by.size()];
      s += "{\"e\":\"scheduled\",\"t\":0,\"h\":" + next + ",\"handle\":\"spin()\",\"how\":\"call_soon\",\"by\":\"" + who +
           "\"" + (who == "callback" ? ",\"by_h\":" + h : std::string()) + "}\n";
      s += "{\"e\":\"callback_end\",\"t\":0,\"h\":" + h + ",\"handle\":\"spin()\"}\n";
      s += "{\"e\":\"pass_end\",\"t\":0,\"pass\":" + n + ",\"ran\":1}\n";
    }
    return s;
  }

  TEST_CASE("passes identical in everything shown fold; a fold of one pass is not printed as a range") {
    const std::string text = render(split(spin(4, {"callback"})));
    CHECK(text.find("Pass 2 (t=") != std::string::npos);  // pass 1's cause is the loop's: pass 2 differs
    CHECK(text.find("Passes 3-4: 2 passes the same as pass 2 (folded)\n") != std::string::npos);
    const std::string one = render(split(spin(3, {"callback"})));
    CHECK(one.find("Pass 3: the same as pass 2 (folded)\n") != std::string::npos);
    CHECK(one.find("Passes 3-3") == std::string::npos);
  }

  TEST_CASE("passes whose causes differ are not folded") {
    // Pass k runs what pass k-1 scheduled: alternately a callback and the loop (a different cause).
    const std::string text = render(split(spin(5, {"callback", "loop"})));
    CHECK(text.find("folded") == std::string::npos);
    CHECK(text.find("spin() <- call_soon in spin()\n") != std::string::npos);
    CHECK(text.find("spin() <- call_soon in the loop\n") != std::string::npos);
  }

  TEST_CASE("--no-fold prints every pass") {
    TextOptions no_fold;
    no_fold.fold = false;
    const std::string text = render(split(spin(4, {"callback"})), no_fold);
    CHECK(text.find("folded") == std::string::npos);
    CHECK(text.find("Pass 4 (t=") != std::string::npos);
  }
}

TEST_SUITE("trace.bad_input") {
  TEST_CASE("event types this reader does not know are skipped and counted; the rest is shown") {
    const TraceBuilder trace = build(fixture_lines("unknown_events.jsonl"));
    REQUIRE(trace.passes().size() == 1);
    CHECK(trace.passes()[0].callbacks.size() == 1);
    CHECK(trace.skipped() == std::map<std::string, long>{{"frobnicate", 1}, {"gc_pause", 2}});
  }

  TEST_CASE("a line that is not an event is a FormatError; the builder takes the next lines") {
    TraceBuilder trace;
    std::vector<std::string> errors;
    long number = 0;
    for (const std::string& line : fixture_lines("malformed.jsonl")) {
      ++number;
      try {
        trace.add_line(line);
      } catch (const FormatError& e) {
        errors.push_back("line " + std::to_string(number) + ": " + e.what());
      }
    }
    trace.finish();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].rfind("line 5: not a trace event (expected '}' at column", 0) == 0);
    REQUIRE(trace.passes().size() == 2);
    CHECK(trace.passes()[1].callbacks[0].handle == "tock()");
  }
}

TEST_SUITE("trace.diff_causes") {
  std::vector<std::string> with_cause(const std::string& who, long first_h) {
    const std::string h = std::to_string(first_h), h2 = std::to_string(first_h + 1);
    return split(std::string(HEADER) + "\n{\"e\":\"loop\",\"loop\":1,\"clock\":\"virtual\",\"selector\":\"epoll\"}\n" +
                 "{\"e\":\"scheduled\",\"t\":0,\"h\":" + h + ",\"handle\":\"a()\",\"how\":\"call_soon\",\"by\":\"loop\"}\n" +
                 "{\"e\":\"scheduled\",\"t\":0,\"h\":" + h2 + ",\"handle\":\"b()\",\"how\":\"call_soon\",\"by\":\"loop\"}\n" +
                 "{\"e\":\"pass_begin\",\"t\":0,\"pass\":1}\n" +
                 "{\"e\":\"callback_begin\",\"t\":0,\"h\":" + h + ",\"handle\":\"a()\"}\n" +
                 "{\"e\":\"scheduled\",\"t\":0,\"h\":" + std::to_string(first_h + 2) +
                 ",\"handle\":\"c()\",\"how\":\"call_soon\",\"by\":\"callback\",\"by_h\":" + (who == "a" ? h : h2) + "}\n" +
                 "{\"e\":\"callback_end\",\"t\":0,\"h\":" + h + ",\"handle\":\"a()\",\"real\":0.00001" + h + "}\n" +
                 "{\"e\":\"pass_end\",\"t\":0,\"pass\":1,\"ran\":1}\n");
  }
  int compare(const std::vector<std::string>& a, const std::vector<std::string>& b, bool causes, std::string& out) {
    RuleCounts applied;
    const DiffSide na = normalise_stream(a, "A", true, applied, causes);
    const DiffSide nb = normalise_stream(b, "B", true, applied, causes);
    std::ostringstream text;
    const int status = compare_streams(na, nb, applied, DiffOptions{}, text);
    out = text.str();
    return status;
  }

  TEST_CASE("diff compares causes by what they name, not by handle id or real time") {
    std::string out;
    CHECK(compare(with_cause("a", 1), with_cause("a", 40), true, out) == 0);
    CHECK(out.find("identical: 1 passes") == 0);
    CHECK(out.find("  causes (") != std::string::npos);
  }

  TEST_CASE("diff reports two traces whose causes differ") {
    std::string out;
    CHECK(compare(with_cause("a", 1), with_cause("b", 1), true, out) == 1);
    CHECK(out.find("what differs: a cause: what scheduled a handle, how and by whom") != std::string::npos);
    CHECK(out.find("by_h=a()") != std::string::npos);
  }

  TEST_CASE("diff --passes N compares the first N passes only") {
    // Two passes each, the second different: --passes 1 finds them identical, --passes 2 does not.
    auto two_passes = [](const std::string& second) {
      return split(std::string(HEADER) + "\n{\"e\":\"loop\",\"loop\":1,\"clock\":\"virtual\",\"selector\":\"epoll\"}\n" +
                   "{\"e\":\"pass_begin\",\"t\":0,\"pass\":1}\n{\"e\":\"pass_end\",\"t\":0,\"pass\":1,\"ran\":0}\n" +
                   "{\"e\":\"pass_begin\",\"t\":0,\"pass\":2}\n" +
                   "{\"e\":\"callback_begin\",\"t\":0,\"handle\":\"" + second + "()\"}\n" +
                   "{\"e\":\"callback_end\",\"t\":0,\"handle\":\"" + second + "()\"}\n" +
                   "{\"e\":\"pass_end\",\"t\":0,\"pass\":2,\"ran\":1}\n");
    };
    RuleCounts applied;
    const DiffSide na = normalise_stream(two_passes("x"), "A", true, applied);
    const DiffSide nb = normalise_stream(two_passes("y"), "B", true, applied);
    DiffOptions first_only;
    first_only.passes = 1;
    std::ostringstream one, both;
    CHECK(compare_streams(na, nb, applied, first_only, one) == 0);
    CHECK(one.str().rfind("identical: the first 1 passes (--passes 1; A ran 2, B ran 2)\n", 0) == 0);
    DiffOptions two;
    two.passes = 2;
    CHECK(compare_streams(na, nb, applied, two, both) == 1);
    CHECK(both.str().find("first difference: pass 2 (loop 1)") != std::string::npos);
  }

  TEST_CASE("diff leaves causes out when only one side has them") {
    std::string out;
    CHECK(compare(with_cause("a", 1), with_cause("b", 1), false, out) == 0);
  }

  // asyncio-trace --step: the ready queue and the heap at any line of a stream, and where the
  // stream's steps end (the writer waits at the same lines: test_trace.cpp).
  TEST_CASE("the ready queue and the timer heap are rebuilt from the stream line by line") {
    const std::vector<std::string> lines = {
        R"j({"v":2,"format":"asyncio-trace"})j",
        R"j({"e":"loop","loop":1,"clock":"virtual","selector":"epoll"})j",
        R"j({"e":"task_created","t":0,"task":1,"name":"Task-1"})j",
        R"j({"e":"scheduled","t":0,"h":1,"handle":"Task.__step()","task":1,"name":"Task-1","how":"task_step","by":"loop"})j",
        R"j({"e":"task_renamed","t":0,"task":1,"name":"main"})j",
        R"j({"e":"pass_begin","t":0,"pass":1})j",                                                       // 5
        R"j({"e":"select_begin","t":0,"selector":"epoll","timeout":0,"reason":"ready"})j",
        R"j({"e":"select_end","t":0,"events":0})j",
        R"j({"e":"callback_begin","t":0,"h":1,"handle":"Task.__step()","task":1,"name":"main"})j",
        R"j({"e":"scheduled","t":0,"h":2,"handle":"tick()","how":"call_at","when":5,"delay":5,"by":"callback","by_h":1,"by_task":1})j",
        R"j({"e":"scheduled","t":0,"h":3,"handle":"tock()","how":"call_at","when":2,"delay":2,"by":"callback","by_h":1,"by_task":1})j",  // 10
        R"j({"e":"scheduled","t":0,"h":4,"handle":"hello()","how":"call_soon","by":"callback","by_h":1,"by_task":1})j",
        R"j({"e":"handle_cancelled","t":0,"h":4,"handle":"hello()","by":"callback","by_h":1,"by_task":1})j",
        R"j({"e":"callback_end","t":0,"h":1,"handle":"Task.__step()","task":1,"name":"main"})j",
        R"j({"e":"pass_end","t":0,"pass":1,"ran":1})j",
        R"j({"e":"pass_begin","t":0,"pass":2})j",                                                       // 15
        R"j({"e":"scheduled","t":0,"h":5,"handle":"ping()","how":"call_soon_threadsafe","by":"thread"})j",
        R"j({"e":"select_begin","t":0,"selector":"epoll","timeout":0,"reason":"ready"})j",
        R"j({"e":"select_end","t":2,"events":0})j",
        R"j({"e":"scheduled","t":2,"h":6,"handle":"pong()","how":"call_soon_threadsafe","by":"thread"})j",
        R"j({"e":"timer_ready","t":2,"h":3,"handle":"tock()","when":2,"late":0})j",                     // 20
        R"j({"e":"callback_skipped","t":2,"h":4,"handle":"hello()"})j",
        R"j({"e":"callback_begin","t":2,"h":5,"handle":"ping()"})j",
        R"j({"e":"callback_end","t":2,"h":5,"handle":"ping()"})j",
        R"j({"e":"pass_end","t":2,"pass":2,"ran":4})j",
    };
    using asyncio_trace::QueuedHandle;
    const auto names = [](const std::vector<QueuedHandle>& queue) {
      std::string out;
      for (const QueuedHandle& q : queue) out += (out.empty() ? "" : ", ") + q.handle + (q.cancelled ? " (cancelled)" : "");
      return out;
    };
    TraceBuilder trace;
    std::vector<int> steps;  // step_of each line, as asyncio-trace --step reads them
    int done = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (i > 0) {
        const Event event = parse_event(lines[i]);
        if (event.kind() == "pass_begin") done = 0;
        const int k = step_of(event, done);
        steps.push_back(k);
        done = std::max(done, k - 1);
      }
      trace.add_line(lines[i]);
      switch (i) {
        case 4:  // queued under its first name, shown under the name it has now
          REQUIRE(trace.ready_queue().size() == 1);
          CHECK(trace.ready_queue()[0].task_name == "main");
          CHECK(trace.ready_queue()[0].cause == "create_task in the loop");
          break;
        case 8:
          CHECK(trace.ready_queue().empty());
          break;
        case 14:  // after pass 1: hello() queued and cancelled, two timers by deadline
          CHECK(names(trace.ready_queue()) == "hello() (cancelled)");
          CHECK(names(trace.timer_heap()) == "tock(), tick()");
          CHECK(trace.timer_heap()[0].when == doctest::Approx(2.0));
          CHECK(trace.timer_heap()[1].cause == "call_later(5) in Task 'main'");
          break;
        case 20:  // step 3 moved tock() behind what the threads queued in step 2
          CHECK(names(trace.ready_queue()) == "hello() (cancelled), ping(), pong(), tock()");
          CHECK(names(trace.timer_heap()) == "tick()");
          break;
        case 22:
          CHECK(names(trace.ready_queue()) == "pong(), tock()");
          break;
        default:
          break;
      }
    }
    // 0: belongs to the step going on; 1-4: that step has begun; 5: pass_end. A threadsafe handle
    // taken in before step 2's select begins step 2; one taken in after it does not.
    CHECK(steps == std::vector<int>{0, 0, 0, 0, 0, 2, 2, 4, 0, 0, 0, 0, 0, 5, 0, 2, 2, 2, 0, 3, 4, 4, 0, 5});
  }
}
