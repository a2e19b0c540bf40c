// tasks.hpp: asyncio-trace's view of who waits on what, rebuilt from the stream: the table of
// live tasks (--tasks) and the await tree (--tree) after a pass, and the stuck report.
// A C++-only tool; the runtime's twin is runtime/asyncio/graph.cpp (same tree lines).
// Course: docs/trace.md ("Who waits on what", "Stuck programs")
#pragma once

#include <map>
#include <string>
#include <vector>

#include "trace/trace_model.hpp"

namespace asyncio_trace {

class TaskView {
 public:
  // Takes every event (TraceBuilder::on_event).
  void add(const Event& event);
  // After a pass: the live tasks, one line each ("'worker'  waiting on sleep(0.5) since pass 2
  // at examples/x.cpp:12"), tasks that finished in it as "done" (then forgotten).
  std::string table();
  // The same table at any moment, forgetting nothing (asyncio-trace --step's `k`).
  std::string table_now() const;
  // The await tree in the runtime's words (graph.cpp format_await_tree).
  std::string tree() const;
  // The stuck line's report, if the stream had one, and its pass.
  const std::string& stuck_text() const { return stuck_text_; }
  long stuck_pass() const { return stuck_pass_; }
  long pass() const { return pass_; }

 private:
  struct Task {
    std::string name;
    std::string state = "ready";  // ready, running, waiting, done
    std::string awaited;          // "sleep(0.5)", "Task 'b'", "Future"
    long awaited_task = 0;
    long future = 0;
    long since = 0;
    std::string at;
  };
  struct Fut {
    std::string what;
    std::string at;  // where the first task awaiting it suspended (future_created's `at`)
    std::vector<std::pair<bool, long>> children;  // (is a task, id)
  };
  void node(long id, int level, std::string& out, std::vector<long>& path, std::vector<long>& shown) const;
  std::vector<long> edges(long id) const;
  std::string awaited_label(const Task& t) const;
  std::string tree_label(const Task& t) const;

  long pass_ = 0;
  std::vector<long> order_;  // live tasks in creation order
  std::map<long, Task> tasks_;
  std::map<long, Fut> futures_;
  std::string stuck_text_;
  long stuck_pass_ = 0;
};

}  // namespace asyncio_trace
