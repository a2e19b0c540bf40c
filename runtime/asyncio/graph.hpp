// graph.hpp: who awaits what: the call graph of a task or future, the await tree of a loop, and
// the report of a loop that can never wake up again (stuck).
// Mirrors Lib/asyncio/graph.py of CPython 3.14 (capture_call_graph, format_call_graph,
// print_call_graph, FutureCallGraph) and futures.future_add_to_awaited_by / _discard_from_.
// Owns the awaited_by registry the combinators fill. Course: docs/trace.md ("Who waits on what")
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "asyncio/ref.hpp"

namespace asyncio {

class BaseEventLoop;
class FutureCore;
class TaskCore;

// One entry of a call stack. CPython lists the coroutine frames of the awaiting task; C++ frames
// cannot be walked, so a task has one entry: the point where it is suspended (what it awaits),
// or "running" for the task that asks about itself.
struct FrameCallGraphEntry {
  std::string what;  // "awaits Future(id=0x...)", "awaits Task 'worker'", "running"
};

// A future (or task), where it is suspended, and the futures and tasks that await it.
struct FutureCallGraph {
  Ref<FutureCore> future;
  std::vector<FrameCallGraphEntry> call_stack;
  std::vector<FutureCallGraph> awaited_by;
};

// capture_call_graph(future=None, depth=1, limit=None): the graph of `future` (nullptr: the
// current task; no current task: std::nullopt). Called outside a running loop with no future:
// RuntimeError, as CPython's. `depth` is kept for CPython's signature (there are no frames to
// skip); `limit` keeps at most that many call stack entries (negative: the last -limit).
std::optional<FutureCallGraph> capture_call_graph(FutureCore* future = nullptr, int depth = 1,
                                                  std::optional<int> limit = std::nullopt);
// format_call_graph: the text print_call_graph prints ("" if there is no current task).
std::string format_call_graph(FutureCore* future = nullptr, int depth = 1, std::optional<int> limit = std::nullopt);
void print_call_graph(FutureCore* future = nullptr, std::FILE* file = stdout, int depth = 1,
                      std::optional<int> limit = std::nullopt);

// futures.future_add_to_awaited_by(fut, waiter): record that `waiter` awaits `fut` (gather's
// outer future awaits its children, a TaskGroup's parent task its tasks). A task awaiting a
// future directly needs no record: its fut_waiter() says so.
void future_add_to_awaited_by(FutureCore& fut, FutureCore& waiter);
void future_discard_from_awaited_by(FutureCore& fut, FutureCore& waiter);
// Who awaits `fut`: the recorded waiters, then the tasks suspended on it.
std::vector<Ref<FutureCore>> future_awaited_by(const FutureCore& fut);

// The await tree of `loop`: each pending task under what awaits it, gather/TaskGroup/wait
// children under their parent. Two spaces of indent per level; a task shown twice says so.
std::string format_await_tree(BaseEventLoop& loop);
// The table of the loop's pending tasks: name, state (ready, running, waiting on X).
std::string format_task_table(BaseEventLoop& loop);

// Why a loop can never wake up: the pending tasks, the cycles among them (each a list of tasks,
// A awaits B awaits A) and the awaited futures nothing can complete, with the report as text.
struct StuckReport {
  std::size_t pass = 0;
  std::vector<const TaskCore*> tasks;
  std::vector<std::vector<const TaskCore*>> cycles;
  std::vector<const FutureCore*> orphans;
  std::string text;  // "Stuck: ..." (several lines, each ending in \n)
};
StuckReport make_stuck_report(BaseEventLoop& loop, std::size_t pass);

namespace detail {
// The public asyncio call a task is in while it waits ("Queue.get()", "Event.wait()", ...): the
// await tree, the task table and the trace name what the task awaits by it, as CPython's frames
// do. A task keeps the outermost one as a small index (TaskCore::call_label_, one byte in
// existing padding); the labels are this fixed list. CallLabel("Queue.get()") is checked at
// compile time: a label not in the list does not compile.
inline constexpr const char* call_labels_[] = {
    nullptr,  // none
    "Queue.get()", "Queue.put()", "Queue.join()", "Lock.acquire()", "Event.wait()", "Condition.wait()",
    "Condition.wait_for()", "Semaphore.acquire()", "Barrier.wait()", "Barrier.reset()", "Barrier.abort()",
    "StreamReader.read()", "StreamReader.readline()", "StreamReader.readuntil()", "StreamReader.readexactly()",
    "StreamWriter.drain()", "StreamWriter.wait_closed()", "as_completed()", "sleep()"};
struct CallLabel {
  std::uint8_t index = 0;
  constexpr CallLabel() = default;
  consteval CallLabel(const char* label) : index(find_(label)) {}  // NOLINT: implicit on purpose
  const char* text() const noexcept { return call_labels_[index]; }
  explicit operator bool() const noexcept { return index != 0; }
  friend constexpr bool operator==(CallLabel, CallLabel) noexcept = default;

 private:
  static consteval std::uint8_t find_(const char* label) {
    for (std::size_t i = 1; i < std::size(call_labels_); ++i) {
      const char* a = call_labels_[i];
      const char* b = label;
      while (*a && *a == *b) {
        ++a;
        ++b;
      }
      if (*a == *b) return static_cast<std::uint8_t>(i);
    }
    throw "not a call label: add it to call_labels_";  // a compile error (consteval)
  }
};

// A combinator made `parent` (gather's outer future, wait's waiter, ...), which awaits
// `children`: record them as awaited by it, name it for the tree (`what` is a string literal:
// "gather", "wait", "shield", "wait_for", "TaskGroup") and tell the trace (future_created).
// `record` false: only name it and tell the trace (a TaskGroup records its tasks as awaited by
// the parent task, as CPython's does).
void combinator_created_(FutureCore& parent, const char* what, const std::vector<FutureCore*>& children,
                         bool record = true);
// gather made `parent` over `children`, its own list, which it keeps unchanged until it is
// destroyed (a child given twice repeats; `distinct`: none does): the registry points at the list
// instead of recording an edge per child. Tells the trace (future_created), as above.
void gather_created_(FutureCore& parent, const std::vector<Ref<FutureCore>>& children, bool distinct);
// What a combinator named its future (nullptr if none did).
const char* combinator_name_(const FutureCore& future);
// A future in the registry completed (drop it as a child) or is destroyed (drop it entirely).
void graph_child_done_(FutureCore& future) noexcept;
void graph_forget_(FutureCore& future) noexcept;
}  // namespace detail

}  // namespace asyncio
