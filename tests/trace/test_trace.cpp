// test_trace.cpp: the loop's observer hooks, the JSON Lines writer and asyncio-trace's model
// and writers, all in-process (no program is spawned): a recorder asserts the exact events of a
// small program on the virtual clock (Trio's recorder tests), the writer's stream is read back
// by the tool's model, and the renderers are checked on hand-made streams.
// Course: docs/trace.md, docs/trace-format.md
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "trace/render.hpp"
#include "trace/step.hpp"
#include "trace/trace_model.hpp"

using namespace asyncio;

namespace {

// A fresh loop on the virtual clock, closed when the test ends.
struct VirtualLoop {
  Ref<BaseEventLoop> loop = new_event_loop();
  VirtualLoop() { loop->use_virtual_clock(); }
  VirtualLoop(const VirtualLoop&) = delete;
  VirtualLoop& operator=(const VirtualLoop&) = delete;
  ~VirtualLoop() {
    loop->set_observer(nullptr);
    if (!loop->is_closed()) loop->close();
  }
  BaseEventLoop* operator->() const noexcept { return loop.get(); }
};

// Records every event as a line of text, in the order the loop reports them.
struct Recorder final : Observer {
  std::vector<std::string> lines;
  static std::string num(double d) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", d);
    return text;
  }
  void pass_begin(BaseEventLoop&, std::size_t index, double now) override {
    lines.push_back("pass " + std::to_string(index) + " at " + num(now));
  }
  void timer_dropped(BaseEventLoop&, const TimerHandle& t) override { lines.push_back("step 1: drop " + t.description()); }
  void heap_rebuilt(BaseEventLoop&, std::size_t before, std::size_t after) override {
    lines.push_back("step 1: rebuild " + std::to_string(before) + " -> " + std::to_string(after));
  }
  void select_begin(BaseEventLoop&, const char* kind, std::optional<double> timeout, TimeoutReason reason) override {
    lines.push_back(std::string("step 2: ") + kind + " timeout=" + (timeout ? num(*timeout) : "None") + " (" +
                    to_string(reason) + ")");
  }
  void select_end(BaseEventLoop&, std::size_t n) override { lines.push_back("step 2: " + std::to_string(n) + " events"); }
  void io_event(BaseEventLoop&, int, int mask, const Handle& h) override {
    lines.push_back(std::string("step 2: fd ") + (mask == 1 ? "readable" : "writable") + " -> " + h.description());
  }
  void timer_ready(BaseEventLoop&, const TimerHandle& t, double now) override {
    lines.push_back("step 3: due " + t.description() + " at " + num(now));
  }
  void callback_begin(BaseEventLoop&, const Handle& h) override {
    lines.push_back("step 4: run " + h.description() + (h.task_() ? " of " + h.task_()->get_name() : ""));
  }
  void callback_end(BaseEventLoop&, const Handle&) override {}
  void callback_skipped(BaseEventLoop&, const Handle& h) override { lines.push_back("step 4: skip " + h.description()); }
  void pass_end(BaseEventLoop&, std::size_t index, std::size_t ran) override {
    lines.push_back("end of pass " + std::to_string(index) + ", ran " + std::to_string(ran));
  }
  void task_created(BaseEventLoop&, const TaskCore& t) override { lines.push_back("task created " + t.get_name()); }
  void task_step_end(BaseEventLoop&, const TaskCore& t, StepOutcome outcome, const FutureCore* awaited) override {
    lines.push_back("  " + t.get_name() + " " + to_string(outcome) + (awaited ? " a future" : ""));
  }
  void task_done(BaseEventLoop&, const TaskCore& t) override { lines.push_back("task done " + t.get_name()); }
  void future_done(BaseEventLoop&, const FutureCore&) override { lines.push_back("  future done"); }
  void sleep_called(BaseEventLoop&, const TaskCore& t, double delay) override {
    lines.push_back("  " + t.get_name() + " sleep(" + num(delay) + ")");
  }
};

// Feeds a whole stream to a builder.
asyncio_trace::TraceBuilder build(const std::string& stream) {
  asyncio_trace::TraceBuilder trace;
  std::istringstream in(stream);
  for (std::string line; std::getline(in, line);) trace.add_line(line);
  trace.finish();
  return trace;
}

// Runs `body` on a virtual-clock loop with a JsonlWriter on a pipe; returns the stream.
template <class F>
std::string jsonl_of(F body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::string stream;
  {
    VirtualLoop loop;
    JsonlWriter writer(fds[1], true);
    loop->set_observer(&writer);
    body(*loop.loop);
    loop->set_observer(nullptr);
  }  // the writer's destructor writes the end line and closes the pipe
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) stream.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  return stream;
}

// One line per event, so a failing comparison shows both lists.
std::string joined(const std::vector<std::string>& lines) {
  std::string out = "\n";
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

const char* const HEADER = "{\"v\":2,\"format\":\"asyncio-trace\"}\n";

}  // namespace

TEST_SUITE("trace") {
  TEST_CASE("the observer sees each step of each pass in the order the loop does the work") {
    VirtualLoop loop;
    Recorder rec;
    loop->set_observer(&rec);
    auto napper = loop->create_task(TaskOptions{"napper"}, [] {
      asyncio::sleep(1);
      return 7;
    });
    TimerHandleRef dropped = loop->call_later(0.5, [] {}, "cancelled_timer");
    dropped->cancel();
    CHECK(loop->run_until_complete(static_cast<Future<int>>(napper)) == 7);
    loop->set_observer(nullptr);
    const std::vector<std::string> expected = {
        "task created napper",
        "pass 1 at 0",
        "step 1: drop cancelled_timer()",
        "step 2: epoll timeout=0 (ready queue not empty)",
        "step 2: 0 events",
        "step 4: run Task.__step() of napper",
        "  napper sleep(1)",
        "  napper awaited a future",
        "end of pass 1, ran 1",
        "pass 2 at 0",
        "step 2: epoll timeout=1 (next timer)",
        "step 2: 0 events",
        "step 3: due futures._set_result_unless_cancelled() at 1",
        "step 4: run futures._set_result_unless_cancelled()",
        "  future done",
        "end of pass 2, ran 1",
        "pass 3 at 1",
        "step 2: epoll timeout=0 (ready queue not empty)",
        "step 2: 0 events",
        "step 4: run Task.task_wakeup() of napper",
        "  napper returned",
        "task done napper",
        "end of pass 3, ran 1",
        "pass 4 at 1",
        "step 2: epoll timeout=0 (ready queue not empty)",
        "step 2: 0 events",
        "step 4: run _run_until_complete_cb(<Task finished name='napper' result=7>)",
        "end of pass 4, ran 1",
    };
    CHECK(joined(rec.lines) == joined(expected));
  }

  TEST_CASE("an observer attached by a callback gets every report of the next pass, none of the rest of its own") {
    // Whether a pass is traced is asked once, as it begins (base_events.cpp, run_once()): the
    // callbacks after the attaching one, and the pass's end, go unreported; the next pass is whole.
    VirtualLoop loop;
    Recorder rec;
    loop->call_soon([&] {
      loop->set_observer(&rec);
      loop->call_soon([&] { loop->stop(); }, "stop");
    }, "attach");
    loop->call_soon([] {}, "same_pass");
    loop->run_forever();
    const std::vector<std::string> expected = {
        "pass 2 at 0",
        "step 2: epoll timeout=0 (ready queue not empty)",
        "step 2: 0 events",
        "step 4: run stop()",
        "end of pass 2, ran 1",
    };
    CHECK(joined(rec.lines) == joined(expected));
  }

  TEST_CASE("an observer detached by a callback gets no report after it, not even the end of that pass") {
    VirtualLoop loop;
    Recorder rec;
    loop->call_soon([&] { loop->set_observer(nullptr); }, "detach");
    loop->call_soon([&] { loop->stop(); }, "stop");
    loop->set_observer(&rec);
    loop->run_forever();
    const std::vector<std::string> expected = {
        "pass 1 at 0",
        "step 2: epoll timeout=0 (ready queue not empty)",
        "step 2: 0 events",
        "step 4: run detach()",
    };
    CHECK(joined(rec.lines) == joined(expected));
  }

  TEST_CASE("step 1 reports a heap rebuild when more than half of over 100 timers are cancelled") {
    // base_events._run_once: more than _MIN_SCHEDULED_TIMER_HANDLES (100) timers, more than
    // _MIN_CANCELLED_TIMER_HANDLES_FRACTION (0.5) of them cancelled: the heap is rebuilt at once.
    VirtualLoop loop;
    Recorder rec;
    std::vector<TimerHandleRef> timers;
    for (int i = 0; i < 150; ++i) timers.push_back(loop->call_later(10.0 + i, [] {}, "t"));
    for (int i = 0; i < 150; i += 3) timers[static_cast<std::size_t>(i)]->cancel();  // 50: a third
    loop->call_soon([&] { loop->stop(); }, "stop");
    loop->set_observer(&rec);
    loop->run_forever();  // a third cancelled: no rebuild, and none at the heap's head to drop
    for (int i = 1; i < 150; i += 3) timers[static_cast<std::size_t>(i)]->cancel();  // now 100 of 150
    loop->call_soon([&] { loop->stop(); }, "stop");
    loop->run_forever();
    loop->set_observer(nullptr);
    std::vector<std::string> expected = {
        "pass 1 at 0",
        "step 1: drop t()",  // timers[0] is at the head of the heap
        "step 2: epoll timeout=0 (ready queue not empty)",
        "step 2: 0 events",
        "step 4: run stop()",
        "end of pass 1, ran 1",
        "pass 2 at 0",
    };
    // The rebuild reports each of the 99 cancelled timers it leaves out, then the new size.
    expected.insert(expected.end(), 99, "step 1: drop t()");
    expected.insert(expected.end(), {"step 1: rebuild 149 -> 50", "step 2: epoll timeout=0 (ready queue not empty)",
                                     "step 2: 0 events", "step 4: run stop()", "end of pass 2, ran 1"});
    CHECK(joined(rec.lines) == joined(expected));
  }

  TEST_CASE("a readable fd is reported in step 2, after the select returns, with the handle it queued") {
    VirtualLoop loop;
    Recorder rec;
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], "x", 1) == 1);
    loop->add_reader(fds[0], [&] {
      loop->remove_reader(fds[0]);
      loop->stop();
    }, "on_readable");
    loop->set_observer(&rec);
    loop->run_forever();
    loop->set_observer(nullptr);
    ::close(fds[0]);
    ::close(fds[1]);
    const std::vector<std::string> expected = {
        "pass 1 at 0",
        "step 2: epoll timeout=None (nothing scheduled)",
        "step 2: 1 events",
        "step 2: fd readable -> on_readable()",
        "step 4: run on_readable()",
        "end of pass 1, ran 1",
    };
    CHECK(joined(rec.lines) == joined(expected));
  }

  TEST_CASE("an observer that throws is detached and reported once; the program goes on") {
    struct Broken final : Observer {
      int calls = 0;
      void pass_begin(BaseEventLoop&, std::size_t, double) override {
        ++calls;
        throw std::runtime_error("observer bug");
      }
    } broken;
    VirtualLoop loop;
    std::vector<std::string> messages;
    loop->set_exception_handler([&](BaseEventLoop&, const ExceptionContext& c) { messages.push_back(c.message); });
    loop->set_observer(&broken);
    int ran = 0;
    loop->call_soon([&] { ++ran; });
    loop->call_soon([&] { loop->call_soon([&] { ++ran; }); });
    loop->run_once();
    loop->run_once();
    CHECK(broken.calls == 1);
    CHECK(loop->tracer().observer() == nullptr);
    CHECK(ran == 2);
    CHECK(messages == std::vector<std::string>{"Trace observer raised an exception and was detached"});
  }

  TEST_CASE("the JSON Lines writer's stream opens with the versioned header and ends with an end line") {
    const std::string stream = jsonl_of([](BaseEventLoop& loop) {
      loop.call_soon([] {}, "hello");
      loop.run_once();
    });
    // callback_end's real duration differs each run: compared as R.
    // (A plain scan, not std::regex: GCC 12's <regex> trips -Wmaybe-uninitialized in the sanitizer build.)
    std::string normalised;
    const std::string key = "\"real\":";
    for (std::size_t i = 0; i < stream.size();) {
      if (stream.compare(i, key.size(), key) == 0) {
        normalised += key + "R";
        i += key.size();
        while (i < stream.size() && (std::isdigit(static_cast<unsigned char>(stream[i])) != 0 || stream[i] == '.')) ++i;
      } else {
        normalised += stream[i++];
      }
    }
    const std::string expected = std::string(HEADER) +
                                 "{\"e\":\"loop\",\"loop\":1,\"clock\":\"virtual\",\"selector\":\"epoll\"}\n"
                                 "{\"e\":\"scheduled\",\"t\":0.000000,\"h\":1,\"handle\":\"hello()\",\"how\":\"call_soon\","
                                 "\"by\":\"loop\"}\n"
                                 "{\"e\":\"pass_begin\",\"t\":0.000000,\"pass\":1}\n"
                                 "{\"e\":\"select_begin\",\"t\":0.000000,\"selector\":\"epoll\",\"timeout\":0.000000,"
                                 "\"reason\":\"ready\"}\n"
                                 "{\"e\":\"select_end\",\"t\":0.000000,\"events\":0}\n"
                                 "{\"e\":\"callback_begin\",\"t\":0.000000,\"h\":1,\"handle\":\"hello()\"}\n"
                                 "{\"e\":\"callback_end\",\"t\":0.000000,\"h\":1,\"handle\":\"hello()\",\"real\":R}\n"
                                 "{\"e\":\"pass_end\",\"t\":0.000000,\"pass\":1,\"ran\":1}\n"
                                 "{\"e\":\"end\",\"why\":\"detached\"}\n";
    CHECK(normalised == expected);
  }

  // asyncio-trace --step: one byte per step of each pass, four per pass, at the lines where the
  // reader's step_of() says a step ended (so neither side waits for the other).
  TEST_CASE("with a step fd the writer waits once per step of each pass") {
    int go[2];
    REQUIRE(::pipe(go) == 0);
    constexpr int OFFERED = 1000;
    const std::string bytes(OFFERED, 'n');
    REQUIRE(::write(go[1], bytes.data(), bytes.size()) == OFFERED);
    ::close(go[1]);  // if the writer wanted more, it would read end-of-file and stop waiting
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::string stream;
    {
      VirtualLoop loop;
      JsonlWriter writer(fds[1], true, go[0]);
      loop->set_observer(&writer);
      loop->run_until_complete([&] {
        auto timer = loop->call_later(0.5, [] {}, "never");
        loop->call_soon([] {}, "soon");
        asyncio::sleep(0.1);  // a pass with step 3's timer, then its wakeup
        timer->cancel();
        asyncio::sleep(0.2);
      });
      loop->set_observer(nullptr);
    }
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) stream.append(buffer, static_cast<std::size_t>(n));
    ::close(fds[0]);
    long left = 0;
    for (ssize_t n; (n = ::read(go[0], buffer, sizeof buffer)) > 0;) left += n;
    ::close(go[0]);
    const asyncio_trace::TraceBuilder trace = build(stream);
    REQUIRE(trace.passes().size() >= 5);
    CHECK(OFFERED - left == 4 * static_cast<long>(trace.passes().size()));
    // The reader's split: every pass's four steps end, each once.
    std::istringstream in(stream);
    std::string line;
    std::getline(in, line);  // header
    int done = 0, ended = 0;
    while (std::getline(in, line)) {
      const asyncio_trace::Event event = asyncio_trace::parse_event(line);
      if (event.kind() == "pass_begin") done = 0;
      const int k = asyncio_trace::step_of(event, done);
      if (k - 1 > done) {
        ended += k - 1 - done;
        done = k - 1;
      }
    }
    CHECK(ended == 4 * static_cast<long>(trace.passes().size()));
  }

  TEST_CASE("the model rebuilt from the writer's stream has every task, step and outcome") {
    const std::string stream = jsonl_of([](BaseEventLoop& loop) {
      loop.run_until_complete([&loop] {
        auto child = loop.create_task(TaskOptions{"child \"quoted\""}, [] {
          asyncio::sleep(2);
          throw ValueError("boom");
        });
        try {
          asyncio::await(static_cast<Future<void>>(child));
        } catch (const ValueError&) {
        }
      });
    });
    const asyncio_trace::TraceBuilder trace = build(stream);
    CHECK(trace.end_reason() == "detached");
    REQUIRE(trace.tasks().size() == 2);
    const asyncio_trace::TaskInfo& child = trace.tasks().at(2);
    CHECK(child.name == "child \"quoted\"");
    CHECK(child.steps == 2);
    CHECK(child.state == "finished");
    CHECK(child.repr == "<Task finished name='child \"quoted\"' exception=ValueError('boom')>");
    CHECK(child.waited_on == std::map<std::string, long>{{"sleep(2)", 1}});
    CHECK(child.waiting == doctest::Approx(2.0));
    const asyncio_trace::TaskInfo& main = trace.tasks().at(1);
    CHECK(main.waited_on == std::map<std::string, long>{{"Task 'child \"quoted\"'", 1}});
    // The pass where the child raised: step 3 moved nothing, step 4 ran its wakeup.
    bool found = false;
    for (const asyncio_trace::Pass& p : trace.passes())
      for (const asyncio_trace::Callback& cb : p.callbacks)
        if (cb.task_name == child.name && cb.outcome == "raised") {
          found = true;
          CHECK(cb.handle == "Task.task_wakeup()");
          CHECK(p.begin == doctest::Approx(2.0));
        }
    CHECK(found);
  }

  TEST_CASE("a stream from a newer format version is refused with a clear message") {
    asyncio_trace::TraceBuilder trace;
    CHECK_THROWS_WITH_AS(trace.add_line("{\"v\":3,\"format\":\"asyncio-trace\"}"),
                         "this trace uses format version 3; this asyncio-trace reads version 2 and older only: "
                         "update asyncio-trace",
                         asyncio_trace::FormatError);
  }

  TEST_CASE("a stream without the header is not an asyncio-trace stream") {
    asyncio_trace::TraceBuilder trace;
    CHECK_THROWS_WITH_AS(trace.add_line("{\"e\":\"pass_begin\",\"t\":0,\"pass\":1}"),
                         "not an asyncio-trace stream: its first line is not the header "
                         "{\"v\":...,\"format\":\"asyncio-trace\"}",
                         asyncio_trace::FormatError);
    CHECK_THROWS_WITH_AS(trace.add_line("hello"), "not a trace event (expected '{' at column 1): hello",
                         asyncio_trace::FormatError);
  }

  TEST_CASE("a pass cut off by a killed program is kept and marked incomplete") {
    const asyncio_trace::TraceBuilder trace = build(std::string(HEADER) +
                                                    "{\"e\":\"pass_begin\",\"t\":0,\"pass\":1}\n"
                                                    "{\"e\":\"pass_end\",\"t\":0,\"pass\":1,\"ran\":0}\n"
                                                    "{\"e\":\"pass_begin\",\"t\":0,\"pass\":2}\n"
                                                    "{\"e\":\"callback_begin\",\"t\":0,\"handle\":\"crash()\"}\n");
    REQUIRE(trace.passes().size() == 2);
    CHECK(trace.passes()[0].complete);
    CHECK_FALSE(trace.passes()[1].complete);
    CHECK(trace.end_reason().empty());
    std::ostringstream out;
    asyncio_trace::TextRenderer text(out, {});
    CHECK(text.block(trace.passes()[1], false) ==
          "Pass 2 [incomplete: the trace ends inside this pass]\n"
          "  Step 4: run what was ready: 1 callback\n"
          "    crash() (still running when the trace ended)\n"
          "  idle: Step 1, Step 2, Step 3\n");
  }

  TEST_CASE("a select that never returned says why: stuck, or still waiting when the trace ended") {
    const std::string begin = std::string(HEADER) +
                              "{\"e\":\"pass_begin\",\"t\":0,\"pass\":4}\n"
                              "{\"e\":\"select_begin\",\"t\":0,\"selector\":\"epoll\",\"timeout\":null,\"reason\":\"none\"}\n";
    std::ostringstream out;
    asyncio_trace::TextRenderer text(out, {});
    const asyncio_trace::TraceBuilder stuck =
        build(begin + "{\"e\":\"stuck\",\"t\":0,\"pass\":4,\"tasks\":[1],\"cycles\":[],\"orphans\":[],"
                      "\"text\":\"Stuck: pass 4 would wait for ever with 1 task pending.\"}\n"
                      "{\"e\":\"end\",\"why\":\"stuck\"}\n");
    REQUIRE(stuck.passes().size() == 1);
    CHECK(stuck.passes()[0].stuck);
    CHECK(text.block(stuck.passes()[0], true).find(
              "Step 2: poll the selector: epoll, timeout=None (nothing scheduled), would block forever: stuck\n") !=
          std::string::npos);
    const asyncio_trace::TraceBuilder killed = build(begin);
    REQUIRE(killed.passes().size() == 1);
    CHECK_FALSE(killed.passes()[0].stuck);
    const std::string shown = text.block(killed.passes()[0], true);
    CHECK(shown.find("timeout=None (nothing scheduled), still waiting when the trace ended\n") != std::string::npos);
    CHECK(shown.find("waited") == std::string::npos);
  }

  TEST_CASE("the text of a pass labels the four steps as docs/03-the-loop.md does and folds idle ones") {
    const std::string stream = std::string(HEADER) +
                               "{\"e\":\"loop\",\"loop\":1,\"clock\":\"virtual\",\"selector\":\"epoll\"}\n"
                               "{\"e\":\"pass_begin\",\"t\":1.0,\"pass\":3}\n"
                               "{\"e\":\"timer_dropped\",\"t\":1.0,\"handle\":\"old()\",\"when\":4.0}\n"
                               "{\"e\":\"select_begin\",\"t\":1.0,\"selector\":\"epoll\",\"timeout\":1.0,\"reason\":\"timer\"}\n"
                               "{\"e\":\"io_event\",\"t\":2.0,\"fd\":5,\"mask\":\"read\",\"handle\":\"on_data()\"}\n"
                               "{\"e\":\"select_end\",\"t\":2.0,\"events\":1}\n"
                               "{\"e\":\"timer_ready\",\"t\":2.0,\"handle\":\"tick()\",\"when\":2.0,\"late\":0.0}\n"
                               "{\"e\":\"callback_begin\",\"t\":2.0,\"handle\":\"on_data()\"}\n"
                               "{\"e\":\"callback_end\",\"t\":2.0,\"handle\":\"on_data()\"}\n"
                               "{\"e\":\"callback_begin\",\"t\":2.0,\"handle\":\"Task.__step()\",\"task\":1,\"name\":\"main\"}\n"
                               "{\"e\":\"task_step_end\",\"t\":2.0,\"task\":1,\"name\":\"main\",\"outcome\":\"awaited\","
                               "\"awaited\":\"sleep(1)\",\"future\":1}\n"
                               "{\"e\":\"callback_end\",\"t\":2.0,\"handle\":\"Task.__step()\",\"task\":1,\"name\":\"main\"}\n"
                               "{\"e\":\"pass_end\",\"t\":2.0,\"pass\":3,\"ran\":2}\n";
    const asyncio_trace::TraceBuilder trace = build(stream);
    REQUIRE(trace.passes().size() == 1);
    std::ostringstream out;
    asyncio_trace::TextRenderer text(out, {});
    CHECK(text.block(trace.passes()[0], true) ==
          "Pass 3 (t=0.000000)\n"
          "  Step 1: drop cancelled timers: 1 timer\n"
          "    dropped old() (when=3.000000)\n"
          "  Step 2: poll the selector: epoll, timeout=1.000000 (next timer), waited 1.000000 s until t=1.000000, 1 event\n"
          "    fd 5 readable -> on_data()\n"
          "  Step 3: move due timers: 1 timer\n"
          "    tick() due at 1.000000, 0.000000 s late\n"
          "  Step 4: run what was ready: 2 callbacks, ran until t=1.000000\n"
          "    on_data()\n"
          "    Task.__step() [main] -> awaited sleep(1)\n");
    asyncio_trace::TextOptions only4;
    only4.steps = {4};
    asyncio_trace::TextRenderer step4(out, only4);
    CHECK(step4.block(trace.passes()[0], false) ==
          "Pass 3\n"
          "  Step 4: run what was ready: 2 callbacks\n"
          "    on_data()\n"
          "    Task.__step() [main] -> awaited sleep(1)\n");
  }

  TEST_CASE("runs of identical passes are folded into one line with their count") {
    std::string stream = HEADER;
    for (int i = 1; i <= 5; ++i) {
      const std::string n = std::to_string(i);
      stream += "{\"e\":\"pass_begin\",\"t\":" + n + ",\"pass\":" + n + "}\n" +
                "{\"e\":\"select_begin\",\"t\":" + n + ",\"selector\":\"epoll\",\"timeout\":0,\"reason\":\"ready\"}\n" +
                "{\"e\":\"select_end\",\"t\":" + n + ",\"events\":0}\n" +
                "{\"e\":\"callback_begin\",\"t\":" + n + ",\"handle\":\"" + (i == 5 ? "last" : "spin") + "()\"}\n" +
                "{\"e\":\"callback_end\",\"t\":" + n + ",\"handle\":\"spin()\"}\n" +
                "{\"e\":\"pass_end\",\"t\":" + n + ",\"pass\":" + n + ",\"ran\":1}\n";
    }
    std::ostringstream out;
    asyncio_trace::TextRenderer text(out, {});
    asyncio_trace::TraceBuilder trace;
    trace.on_pass = [&](const asyncio_trace::Pass& p) { text.pass(p); };
    std::istringstream in(stream);
    for (std::string line; std::getline(in, line);) trace.add_line(line);
    trace.finish();
    text.finish();
    CHECK(out.str() ==
          "Pass 1 (t=0.000000)\n"
          "  Step 4: run what was ready: 1 callback, ran until t=0.000000\n"
          "    spin() (0.000000 s)\n"
          "  idle: Step 1, Step 2, Step 3\n"
          "Passes 2-4: 3 passes the same as pass 1 (folded)\n"
          "Pass 5 (t=4.000000)\n"
          "  Step 4: run what was ready: 1 callback, ran until t=4.000000\n"
          "    last() (0.000000 s)\n"
          "  idle: Step 1, Step 2, Step 3\n");
  }

  TEST_CASE("the summary names a slow callback with its task and what it did next") {
    const std::string stream = std::string(HEADER) +
                               "{\"e\":\"task_created\",\"t\":0,\"task\":1,\"name\":\"reader\"}\n"
                               "{\"e\":\"pass_begin\",\"t\":0,\"pass\":1}\n"
                               "{\"e\":\"callback_begin\",\"t\":0,\"handle\":\"Task.__step()\",\"task\":1,\"name\":\"reader\"}\n"
                               "{\"e\":\"task_step_end\",\"t\":0.25,\"task\":1,\"name\":\"reader\",\"outcome\":\"awaited\","
                               "\"awaited\":\"sleep(1)\",\"future\":1}\n"
                               "{\"e\":\"callback_end\",\"t\":0.25,\"handle\":\"Task.__step()\",\"task\":1,\"name\":\"reader\"}\n"
                               "{\"e\":\"pass_end\",\"t\":0.25,\"pass\":1,\"ran\":1}\n";
    const asyncio_trace::TraceBuilder trace = build(stream);
    std::ostringstream out;
    asyncio_trace::write_summary(out, trace, 0.1, false);
    const std::string text = out.str();
    CHECK(text.find("pass 1: Task.__step() [reader] took 0.250000 s, then awaited sleep(1)\n") != std::string::npos);
    CHECK(text.find("  reader      1     0.250000     0.250000     0.000000  pending    sleep(1) x1\n") !=
          std::string::npos);
  }

  TEST_CASE("HTML output escapes names from the program") {
    const std::string stream = std::string(HEADER) +
                               "{\"e\":\"task_created\",\"t\":0,\"task\":1,\"name\":\"<script>alert('x')</script>\"}\n"
                               "{\"e\":\"pass_begin\",\"t\":0,\"pass\":1}\n"
                               "{\"e\":\"callback_begin\",\"t\":0,\"handle\":\"</script><b>()\",\"task\":1,"
                               "\"name\":\"<script>alert('x')</script>\"}\n"
                               "{\"e\":\"callback_end\",\"t\":0,\"handle\":\"x\"}\n"
                               "{\"e\":\"pass_end\",\"t\":0,\"pass\":1,\"ran\":1}\n";
    const asyncio_trace::TraceBuilder trace = build(stream);
    std::ostringstream out;
    asyncio_trace::write_html(out, trace, "prog & <args>");
    const std::string html = out.str();
    CHECK(html.find("<script>alert") == std::string::npos);
    CHECK(html.find("</script><b>") == std::string::npos);
    // Names reach the page only as data: JSON strings with every < > & escaped (the viewer puts them
    // in the DOM as text; tests/trace/check_html.py checks that in Chromium).
    CHECK(html.find(R"("\u003cscript\u003ealert('x')\u003c/script\u003e")") != std::string::npos);
    CHECK(html.find("asyncio-trace: prog &amp; &lt;args&gt;") != std::string::npos);
    CHECK(html.find("http") == html.find("http://www.w3.org/2000/svg"));  // no other URL: nothing to fetch
  }

  TEST_CASE("pass ranges and step lists are checked") {
    CHECK(asyncio_trace::parse_pass_range("5-12") == std::pair<long, long>{5, 12});
    CHECK(asyncio_trace::parse_pass_range("7") == std::pair<long, long>{7, 7});
    CHECK(asyncio_trace::parse_pass_range("-3") == std::pair<long, long>{1, 3});
    CHECK(asyncio_trace::parse_steps("2,4") == std::vector<int>{2, 4});
    CHECK_THROWS_WITH_AS(asyncio_trace::parse_pass_range("12-5"), "--passes: 12-5 is an empty range",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(asyncio_trace::parse_pass_range("a"), "--passes takes N, N-M, N- or -M (pass numbers), not 'a'",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(asyncio_trace::parse_steps("2,5"),
                         "--steps takes step numbers 1-4 separated by commas, not '2,5'", std::invalid_argument);
  }
}
