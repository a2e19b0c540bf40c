// tasks.cpp: the task table and await tree of asyncio-trace --tasks / --tree, from the stream's
// task_created, task_step_end, future_created and task_done lines.
// A C++-only tool; mirrors the text of runtime/asyncio/graph.cpp. Course: docs/trace.md
#include "trace/tasks.hpp"

#include <algorithm>
#include <cstdlib>

namespace asyncio_trace {

namespace {

std::string quoted(const std::string& name) {
  // Python's repr of a plain name (the runtime's py_repr): single quotes unless the name has one.
  if (name.find('\'') != std::string::npos && name.find('"') == std::string::npos) return "\"" + name + "\"";
  return "'" + name + "'";
}

// The integers of a JSON array or object text, in order ("[1,2]", "{\"task\":3}").
std::vector<long> integers(const std::string& text) {
  std::vector<long> out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '"') {
      i = text.find('"', i + 1);
      if (i == std::string::npos) break;
      ++i;
      continue;
    }
    if (text[i] == '-' || (text[i] >= '0' && text[i] <= '9')) {
      char* end = nullptr;
      out.push_back(std::strtol(text.c_str() + i, &end, 10));
      i = static_cast<std::size_t>(end - text.c_str());
      continue;
    }
    ++i;
  }
  return out;
}

// future_created's children: [{"task":N},{"future":M}].
std::vector<std::pair<bool, long>> children_of(const std::string& text) {
  std::vector<std::pair<bool, long>> out;
  std::size_t i = 0;
  while ((i = text.find('"', i)) != std::string::npos) {
    const std::size_t close = text.find('"', i + 1);
    if (close == std::string::npos) break;
    const std::string key = text.substr(i + 1, close - i - 1);
    const std::vector<long> n = integers(text.substr(close + 1, text.find('}', close) - close));
    if (!n.empty() && (key == "task" || key == "future")) out.emplace_back(key == "task", n.front());
    i = close + 1;
  }
  return out;
}

}  // namespace

void TaskView::add(const Event& e) {
  const std::string kind = e.kind();
  if (kind == "pass_begin") {
    pass_ = e.integer("pass");
  } else if (kind == "task_created") {
    const long id = e.integer("task");
    Task task;
    task.name = e.str("name");
    tasks_[id] = task;
    order_.erase(std::remove(order_.begin(), order_.end(), id), order_.end());
    order_.push_back(id);
  } else if (kind == "task_renamed") {
    tasks_[e.integer("task")].name = e.str("name");
  } else if (kind == "callback_begin" && e.has("task")) {
    Task& t = tasks_[e.integer("task")];
    if (t.state != "done") t.state = "running";
  } else if (kind == "task_step_end") {
    Task& t = tasks_[e.integer("task")];
    const std::string outcome = e.str("outcome");
    t.at = e.str("at");
    t.awaited.clear();
    t.awaited_task = t.future = 0;
    if (outcome == "awaited") {
      t.state = "waiting";
      t.since = pass_;
      t.awaited = e.str("awaited");
      t.awaited_task = e.has("awaited_task") ? e.integer("awaited_task") : 0;
      t.future = e.has("future") ? e.integer("future") : 0;
    } else if (outcome == "yielded") {
      t.state = "ready";
    } else {
      t.state = "done";
    }
  } else if (kind == "task_done") {
    const long id = e.integer("task");
    tasks_[id].state = "done";
    // Whoever awaited it has its wakeup queued now: ready.
    for (auto& [other, t] : tasks_)
      if (t.state == "waiting" && t.awaited_task == id) t.state = "ready";
  } else if (kind == "future_done") {
    const long id = e.integer("future");
    for (auto& [other, t] : tasks_)
      if (t.state == "waiting" && t.future == id) t.state = "ready";
  } else if (kind == "future_created") {
    Fut& f = futures_[e.integer("future")];
    f.what = e.str("what");
    f.at = e.str("at");
    auto it = e.nested.find("children");
    if (it != e.nested.end()) f.children = children_of(it->second);
  } else if (kind == "stuck") {
    stuck_text_ = e.str("text");
    stuck_pass_ = e.integer("pass");
  }
}

std::string TaskView::awaited_label(const Task& t) const {
  if (t.future) {
    auto it = futures_.find(t.future);
    if (it != futures_.end() && !it->second.what.empty()) return it->second.what;
  }
  return t.awaited;
}

// In the tree, a combinator's future says where it was awaited: "gather() at examples/x.cpp:12".
std::string TaskView::tree_label(const Task& t) const {
  if (t.future) {
    auto it = futures_.find(t.future);
    if (it != futures_.end() && !it->second.what.empty() && !it->second.at.empty())
      return it->second.what + "() at " + it->second.at;
  }
  return awaited_label(t);
}

std::string TaskView::table_now() const {
  if (order_.empty()) return "(no tasks)\n";  // as the tree says it
  std::size_t width = 4;
  for (long id : order_) width = std::max(width, quoted(tasks_.at(id).name).size());
  std::string out = "task" + std::string(width - 4 + 2, ' ') + "state\n";
  for (long id : order_) {
    const Task& t = tasks_.at(id);
    const std::string name = quoted(t.name);
    out += name + std::string(width - name.size() + 2, ' ');
    if (t.state == "waiting") {
      out += "waiting on " + awaited_label(t) + " since pass " + std::to_string(t.since);
      if (!t.at.empty()) out += " at " + t.at;
    } else {
      out += t.state;
    }
    out += "\n";
  }
  return out;
}

std::string TaskView::table() {
  const std::string out = table_now();
  std::vector<long> live;
  for (long id : order_)
    if (tasks_[id].state != "done") live.push_back(id);
  order_ = live;
  return out;
}

std::vector<long> TaskView::edges(long id) const {
  std::vector<long> out;
  const Task& t = tasks_.at(id);
  if (t.state != "waiting") return out;
  if (t.awaited_task) {
    out.push_back(t.awaited_task);
    return out;
  }
  // Through combinator futures to the tasks they wait for.
  std::vector<long> todo{t.future}, seen;
  while (!todo.empty()) {
    const long f = todo.back();
    todo.pop_back();
    if (std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
    seen.push_back(f);
    auto it = futures_.find(f);
    if (it == futures_.end()) continue;
    for (const auto& [is_task, child] : it->second.children) {
      if (is_task) {
        out.push_back(child);
      } else {
        todo.push_back(child);
      }
    }
  }
  return out;
}

void TaskView::node(long id, int level, std::string& out, std::vector<long>& path, std::vector<long>& shown) const {
  const std::string indent(static_cast<std::size_t>(level) * 2, ' ');
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return;
  const Task& t = it->second;
  out += indent + "Task " + quoted(t.name);
  if (std::find(path.begin(), path.end(), id) != path.end()) {
    out += " (cycle)\n";
    return;
  }
  if (std::find(shown.begin(), shown.end(), id) != shown.end()) {
    out += " (shown above)\n";
    return;
  }
  shown.push_back(id);
  if (t.state == "waiting") {
    out += " awaits " + tree_label(t) + "\n";
  } else {
    out += " (" + t.state + ")\n";
  }
  path.push_back(id);
  for (long child : edges(id))
    if (tasks_.count(child) && tasks_.at(child).state != "done") node(child, level + 1, out, path, shown);
  path.pop_back();
}

std::string TaskView::tree() const {
  std::vector<long> live;
  for (long id : order_)
    if (tasks_.at(id).state != "done") live.push_back(id);
  std::vector<long> below;
  for (long id : live)
    for (long c : edges(id)) below.push_back(c);
  std::string out;
  std::vector<long> path, shown;
  for (long id : live)
    if (std::find(below.begin(), below.end(), id) == below.end()) node(id, 0, out, path, shown);
  for (long id : live)
    if (std::find(shown.begin(), shown.end(), id) == shown.end()) node(id, 0, out, path, shown);
  return out;
}

}  // namespace asyncio_trace
