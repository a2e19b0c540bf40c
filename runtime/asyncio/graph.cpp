// graph.cpp: the awaited_by registry, capture/format/print_call_graph, the await tree, the task
// table and the stuck report.
// Mirrors Lib/asyncio/graph.py (CPython 3.14): _build_graph_for_future, capture_call_graph,
// print_call_graph's render_level. Course: docs/trace.md ("Who waits on what")
#include "asyncio/graph.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "asyncio/base_events.hpp"
#include "asyncio/exceptions.hpp"
#include "asyncio/futures.hpp"
#include "asyncio/source_text.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

namespace {

// CPython keeps a set on each future (_asyncio_awaited_by). Here one process-wide table, so a
// future that no combinator touches carries nothing; a flag on the future (in_graph_) says it is
// in the table, so completing or destroying it cleans up. Both directions, in insertion order, so
// trees print the same every run. Locked: loops may run on several threads.
//
// Every operation is O(1) (amortized) in the number of children: a gather of 100,000 children
// was quadratic when each finished child was found by a linear search in its parent's list and
// erased by moving the rest down. Now each edge remembers its slot in the waiter's list: a
// removal leaves a hole there (nullptr, skipped when read), squeezed out once holes outnumber the
// live entries.
//
// gather is the exception, because it is the hot one (spawn_gather: one gather of 100,000
// tasks): its future keeps its children in a list of its own for its whole life, so the table
// keeps a pointer to that list (a Group) instead of an edge per child, and nothing is done per
// child when it is added, completes or is destroyed. Who awaits a child is then found by
// looking through the groups, which only the introspection functions do. A child drops out of
// a group when it is done, as an edge is removed then. `seq` orders edges and groups as they
// were made, so both directions read in insertion order.
struct Link {
  FutureCore* waiter;
  std::size_t slot;  // where the child sits in the waiter's Children::items
  std::uint64_t seq;
};
struct Children {
  std::vector<FutureCore*> items;  // nullptr: a removed child
  std::size_t live = 0;
};
struct Group {
  const std::vector<Ref<FutureCore>>* kids;  // the gather's own list (duplicates repeat)
  bool distinct;                             // no child repeats: nothing to skip when read
  std::uint64_t seq;
  std::vector<const FutureCore*> discarded;  // future_discard_from_awaited_by on a child
};
struct Registry {
  std::mutex mutex;
  std::uint64_t next_seq = 0;
  std::unordered_map<const FutureCore*, std::vector<Link>> waiters;  // child -> who awaits it
  std::unordered_map<const FutureCore*, Children> children;        // waiter -> what it awaits
  std::unordered_map<const FutureCore*, Group> groups;             // gather -> its children
  std::unordered_map<const FutureCore*, const char*> names;        // combinator futures
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: futures may die during static destruction
  return *r;
}

Link* find_link(std::vector<Link>& links, const FutureCore* waiter) {
  for (Link& l : links)
    if (l.waiter == waiter) return &l;
  return nullptr;
}

// Empty the slot of a child in its waiter's list (under the lock); squeeze the holes out when
// they outnumber the children left, telling each moved child its new slot.
void clear_slot_locked(Registry& r, const FutureCore* waiter, std::size_t slot) {
  auto it = r.children.find(waiter);
  if (it == r.children.end() || slot >= it->second.items.size() || !it->second.items[slot]) return;
  Children& c = it->second;
  c.items[slot] = nullptr;
  if (--c.live == 0) {
    r.children.erase(it);
    return;
  }
  if (c.items.size() - c.live <= c.live) return;
  std::size_t to = 0;
  for (FutureCore* child : c.items) {
    if (!child) continue;
    if (auto w = r.waiters.find(child); w != r.waiters.end())
      if (Link* l = find_link(w->second, waiter)) l->slot = to;
    c.items[to++] = child;
  }
  c.items.resize(to);
}

// Both directions of one edge, under the lock.
void unlink_locked(Registry& r, const FutureCore* child, const FutureCore* waiter) {
  auto it = r.waiters.find(child);
  if (it == r.waiters.end()) return;
  std::vector<Link>& links = it->second;
  Link* l = find_link(links, waiter);
  if (!l) return;
  const std::size_t slot = l->slot;
  links.erase(links.begin() + (l - links.data()));
  if (links.empty()) r.waiters.erase(it);
  clear_slot_locked(r, waiter, slot);
}

bool discarded_from(const Group& g, const FutureCore* child) {
  return std::find(g.discarded.begin(), g.discarded.end(), child) != g.discarded.end();
}

// The children of a group that still count (not done, not discarded), each once, in order;
// `f` returns false to stop.
template <class F>
void for_each_group_child(const Group& g, F&& f) {
  std::unordered_set<const FutureCore*> seen;
  for (const Ref<FutureCore>& c : *g.kids) {
    if (c->done() || discarded_from(g, c.get())) continue;
    if (!g.distinct && !seen.insert(c.get()).second) continue;
    if (!f(c.get())) return;
  }
}

bool in_group_locked(const Group& g, const FutureCore* child) {
  if (child->done() || discarded_from(g, child)) return false;
  for (const Ref<FutureCore>& c : *g.kids)
    if (c.get() == child) return true;
  return false;
}

std::vector<Ref<FutureCore>> children_of(const FutureCore& parent) {
  std::vector<Ref<FutureCore>> out;
  if (!parent.in_graph_()) return out;
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (auto g = r.groups.find(&parent); g != r.groups.end())
    for_each_group_child(g->second, [&](FutureCore* c) {
      out.emplace_back(c);
      return true;
    });
  if (auto it = r.children.find(&parent); it != r.children.end())
    for (FutureCore* c : it->second.items)
      if (c) out.emplace_back(c);
  return out;
}

bool has_children(const FutureCore& parent) {
  if (!parent.in_graph_()) return false;
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (r.children.count(&parent) != 0) return true;
  bool any = false;
  if (auto g = r.groups.find(&parent); g != r.groups.end())
    for_each_group_child(g->second, [&](FutureCore*) {
      any = true;
      return false;
    });
  return any;
}

std::string hex_id(const void* p) {
  char hex_id_buffer[32];
  std::snprintf(hex_id_buffer, sizeof hex_id_buffer, "%#lx", static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(p)));
  return hex_id_buffer;
}

std::string task_label(const TaskCore& task) { return "Task " + py_repr(task.get_name()); }

// What a task waits on, in the tree's words: "Task 'b'", "gather", "Future".
std::string awaited_label(const FutureCore& fut) {
  if (fut.is_task()) return task_label(static_cast<const TaskCore&>(fut));
  if (const char* name = detail::combinator_name_(fut)) return name;
  return fut.class_name_();
}

// What `task` waits on, in the tree's words: as awaited_label, but a plain future the task awaits
// inside a public asyncio call is named by the call ("Queue.get()"), as the trace names it.
std::string waiter_label(const TaskCore& task, const FutureCore& fut) {
  if (!fut.is_task() && !detail::combinator_name_(fut))
    if (const detail::CallLabel call = task.call_label()) return call.text();
  return awaited_label(fut);
}

// The loop's pending tasks, in creation order (all_tasks()'s order).
std::vector<Ref<TaskCore>> pending_tasks(BaseEventLoop& loop) { return all_tasks(loop); }

std::string task_state(BaseEventLoop& loop, const TaskCore& task) {
  if (task.done()) return "done";
  if (loop.current_task_ == &task) return "running";
  if (const FutureCore* w = task.fut_waiter()) return "waiting on " + waiter_label(task, *w);
  return "ready";
}

// What hangs under a task in the tree: the task it awaits, or the children of the combinator it
// awaits, then the tasks recorded as awaited by the task itself (a TaskGroup's).
std::vector<Ref<FutureCore>> tree_children(const TaskCore& task) {
  std::vector<Ref<FutureCore>> out;
  if (FutureCore* w = task.fut_waiter()) {
    if (w->is_task()) {
      out.emplace_back(w);
    } else {
      out = children_of(*w);
    }
  }
  for (Ref<FutureCore>& c : children_of(task))
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
  return out;
}

class TreeWriter {
 public:
  explicit TreeWriter(BaseEventLoop& loop) : loop_(loop) {}
  void node(const FutureCore& f, int level) {
    const std::string indent(static_cast<std::size_t>(level) * 2, ' ');
    if (!f.is_task()) {
      // A future under a combinator: a nested combinator shows its children, a plain one its state.
      const char* name = detail::combinator_name_(f);
      out_ << indent << (name ? name : f.class_name_()) << (f.done() ? " (done)" : "") << "\n";
      if (!name || !path_.insert(&f).second) return;
      for (const Ref<FutureCore>& c : children_of(f)) node(*c, level + 1);
      path_.erase(&f);
      return;
    }
    const auto& task = static_cast<const TaskCore&>(f);
    out_ << indent << task_label(task);
    if (path_.count(&task)) {
      out_ << " (cycle)\n";
      return;
    }
    if (shown_.count(&task)) {
      out_ << " (shown above)\n";
      return;
    }
    shown_.insert(&task);
    const std::string state = task_state(loop_, task);
    out_ << (state.rfind("waiting on ", 0) == 0 ? " awaits " + state.substr(11) : " (" + state + ")") << "\n";
    path_.insert(&task);
    for (const Ref<FutureCore>& c : tree_children(task)) node(*c, level + 1);
    path_.erase(&task);
  }
  std::string take() { return out_.str(); }
  bool shown(const TaskCore* t) const { return shown_.count(t) != 0; }

 private:
  BaseEventLoop& loop_;
  std::ostringstream out_;
  std::unordered_set<const FutureCore*> shown_;
  std::unordered_set<const FutureCore*> path_;
};

// The tasks a task waits for, through combinator futures (not through other tasks).
void waited_tasks(const FutureCore& f, std::vector<const TaskCore*>& out, std::unordered_set<const FutureCore*>& seen) {
  for (const Ref<FutureCore>& c : children_of(f)) {
    if (!seen.insert(c.get()).second) continue;
    if (c->is_task()) {
      out.push_back(static_cast<const TaskCore*>(c.get()));
    } else {
      waited_tasks(*c, out, seen);
    }
  }
}

std::vector<const TaskCore*> task_edges(const TaskCore& task) {
  std::vector<const TaskCore*> out;
  std::unordered_set<const FutureCore*> seen;
  if (const FutureCore* w = task.fut_waiter()) {
    if (w->is_task()) {
      out.push_back(static_cast<const TaskCore*>(w));
    } else {
      waited_tasks(*w, out, seen);
    }
  }
  waited_tasks(task, out, seen);
  return out;
}

FutureCallGraph build_graph(FutureCore& future, std::unordered_set<const FutureCore*>& path) {
  FutureCallGraph g{Ref<FutureCore>(&future), {}, {}};
  if (future.is_task()) {
    const auto& task = static_cast<const TaskCore&>(future);
    if (const FutureCore* w = task.fut_waiter()) {
      std::string what = w->is_task() ? task_label(static_cast<const TaskCore&>(*w))
                                      : std::string(awaited_label(*w)) + "(id=" + hex_id(w) + ")";
      // CPython's call stack would show the asyncio frame (Queue.get()) above the user's.
      if (const std::string label = waiter_label(task, *w); label != awaited_label(*w)) what += " in " + label;
      g.call_stack.push_back({"awaits " + what});
    } else if (task.get_loop().current_task_ == &task) {
      g.call_stack.push_back({"running"});
    }
  }
  // A cycle (two tasks awaiting each other) would recurse for ever: stop where it closes.
  if (!path.insert(&future).second) return g;
  for (const Ref<FutureCore>& parent : future_awaited_by(future)) g.awaited_by.push_back(build_graph(*parent, path));
  path.erase(&future);
  return g;
}

void render_level(const FutureCallGraph& g, std::string& buf, int level) {
  const std::string indent(static_cast<std::size_t>(level) * 4, ' ');
  if (g.future->is_task()) {
    buf += indent + "* Task(name=" + py_repr(static_cast<const TaskCore&>(*g.future).get_name()) +
           ", id=" + hex_id(g.future.get()) + ")\n";
  } else {
    buf += indent + "* Future(id=" + hex_id(g.future.get()) + ")\n";
  }
  if (!g.call_stack.empty()) {
    buf += indent + "  + Call stack:\n";
    for (const FrameCallGraphEntry& e : g.call_stack) buf += indent + "  |   " + e.what + "\n";
  }
  if (!g.awaited_by.empty()) {
    buf += indent + "  + Awaited by:\n";
    for (const FutureCallGraph& parent : g.awaited_by) render_level(parent, buf, level + 1);
  }
}

}  // namespace

// ---------------------------------------------------------------- the awaited_by registry

void future_add_to_awaited_by(FutureCore& fut, FutureCore& waiter) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (waiter.in_graph_())
    if (auto g = r.groups.find(&waiter); g != r.groups.end() && in_group_locked(g->second, &fut)) return;
  std::vector<Link>& w = r.waiters[&fut];
  if (find_link(w, &waiter)) return;
  Children& c = r.children[&waiter];
  c.items.push_back(&fut);
  ++c.live;
  w.push_back({&waiter, c.items.size() - 1, r.next_seq++});
  fut.set_in_graph_();
  waiter.set_in_graph_();
}

void future_discard_from_awaited_by(FutureCore& fut, FutureCore& waiter) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (waiter.in_graph_())
    if (auto g = r.groups.find(&waiter); g != r.groups.end() && in_group_locked(g->second, &fut))
      g->second.discarded.push_back(&fut);
  unlink_locked(r, &fut, &waiter);
}

std::vector<Ref<FutureCore>> future_awaited_by(const FutureCore& fut) {
  std::vector<Ref<FutureCore>> out;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    std::vector<std::pair<std::uint64_t, FutureCore*>> found;  // edges and groups, in the order made
    if (auto it = r.waiters.find(&fut); it != r.waiters.end())
      for (const Link& l : it->second) found.emplace_back(l.seq, l.waiter);
    if (!fut.done())
      for (const auto& [parent, g] : r.groups)
        if (in_group_locked(g, &fut)) found.emplace_back(g.seq, const_cast<FutureCore*>(parent));
    std::sort(found.begin(), found.end());
    for (const auto& [seq, waiter] : found) out.emplace_back(waiter);
  }
  for (const Ref<TaskCore>& t : pending_tasks(fut.get_loop()))
    if (t->fut_waiter() == &fut) out.emplace_back(t.get());
  return out;
}

namespace detail {

void combinator_created_(FutureCore& parent, const char* what, const std::vector<FutureCore*>& children,
                         bool record) {
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.names[&parent] = what;
    parent.set_in_graph_();
  }
  if (record)
    for (FutureCore* c : children)
      if (!c->done()) future_add_to_awaited_by(*c, parent);
  BaseEventLoop& loop = parent.get_loop();
  loop.tracer().emit(loop, [&](Observer& o) { o.future_created(loop, parent, what, children); });
}

void gather_created_(FutureCore& parent, const std::vector<Ref<FutureCore>>& children, bool distinct) {
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.names[&parent] = "gather";
    r.groups[&parent] = Group{&children, distinct, r.next_seq++, {}};
    parent.set_in_graph_();
  }
  BaseEventLoop& loop = parent.get_loop();
  loop.tracer().emit(loop, [&](Observer& o) {
    // The trace names each child once, as combinator_created_ does.
    std::vector<FutureCore*> named;
    named.reserve(children.size());
    std::unordered_set<const FutureCore*> seen;
    for (const Ref<FutureCore>& c : children)
      if (distinct || seen.insert(c.get()).second) named.push_back(c.get());
    o.future_created(loop, parent, "gather", named);
  });
}

const char* combinator_name_(const FutureCore& future) {
  if (!future.in_graph_()) return nullptr;
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.names.find(&future);
  return it == r.names.end() ? nullptr : it->second;
}

void graph_child_done_(FutureCore& future) noexcept {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.waiters.find(&future);
  if (it == r.waiters.end()) return;
  const std::vector<Link> links = std::move(it->second);
  r.waiters.erase(it);
  for (const Link& l : links) clear_slot_locked(r, l.waiter, l.slot);
}

void graph_forget_(FutureCore& future) noexcept {
  graph_child_done_(future);
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.names.erase(&future);
  r.groups.erase(&future);
  auto it = r.children.find(&future);
  if (it == r.children.end()) return;
  const Children kids = std::move(it->second);
  r.children.erase(it);
  for (FutureCore* c : kids.items) {
    if (!c) continue;
    if (auto w = r.waiters.find(c); w != r.waiters.end()) {
      if (Link* l = find_link(w->second, &future)) w->second.erase(w->second.begin() + (l - w->second.data()));
      if (w->second.empty()) r.waiters.erase(w);
    }
  }
}

}  // namespace detail

// ---------------------------------------------------------------- capture_call_graph

std::optional<FutureCallGraph> capture_call_graph(FutureCore* future, int depth, std::optional<int> limit) {
  (void)depth;  // no C++ frames to skip
  BaseEventLoop* loop = get_running_loop_or_null();
  if (!future) {
    if (!loop)
      throw RuntimeError(
          "capture_call_graph() is called outside of a running event loop and no *future* to introspect was provided");
    future = loop->current_task_;
    if (!future) return std::nullopt;
  }
  std::unordered_set<const FutureCore*> path;
  FutureCallGraph g = build_graph(*future, path);
  if (limit) {
    auto& st = g.call_stack;
    const std::size_t n = static_cast<std::size_t>(*limit >= 0 ? *limit : -*limit);
    if (n < st.size()) {
      if (*limit >= 0) {
        st.resize(n);
      } else {
        st.erase(st.begin(), st.end() - static_cast<std::ptrdiff_t>(n));
      }
    }
  }
  return g;
}

std::string format_call_graph(FutureCore* future, int depth, std::optional<int> limit) {
  std::optional<FutureCallGraph> g = capture_call_graph(future, depth + 1, limit);
  if (!g) return {};
  std::string buf;
  render_level(*g, buf, 0);
  if (!buf.empty()) buf.pop_back();  // CPython joins the lines with '\n'
  return buf;
}

void print_call_graph(FutureCore* future, std::FILE* file, int depth, std::optional<int> limit) {
  const std::optional<FutureCallGraph> g = capture_call_graph(future, depth + 1, limit);
  if (!g) return;
  std::string buf;
  render_level(*g, buf, 0);
  std::fputs(buf.c_str(), file ? file : stdout);
  std::fflush(file ? file : stdout);
}

// ---------------------------------------------------------------- the loop's tree and table

std::string format_await_tree(BaseEventLoop& loop) {
  const std::vector<Ref<TaskCore>> tasks = pending_tasks(loop);
  std::unordered_set<const FutureCore*> below;  // tasks some other task waits for
  for (const Ref<TaskCore>& t : tasks)
    for (const TaskCore* c : task_edges(*t)) below.insert(c);
  TreeWriter tree(loop);
  for (const Ref<TaskCore>& t : tasks)
    if (!below.count(t.get())) tree.node(*t, 0);
  for (const Ref<TaskCore>& t : tasks)  // tasks only in cycles have no root above them
    if (!tree.shown(t.get())) tree.node(*t, 0);
  return tree.take();
}

std::string format_task_table(BaseEventLoop& loop) {
  const std::vector<Ref<TaskCore>> tasks = pending_tasks(loop);
  std::size_t width = 4;
  std::vector<std::string> names;
  for (const Ref<TaskCore>& t : tasks) {
    names.push_back(py_repr(t->get_name()));
    width = std::max(width, names.back().size());
  }
  std::string out = "task" + std::string(width - 4 + 2, ' ') + "state\n";
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    out += names[i] + std::string(width - names[i].size() + 2, ' ') + task_state(loop, *tasks[i]);
    // Since when and where a waiting task suspended, as asyncio-trace --tasks shows it.
    if (tasks[i]->fut_waiter() && !tasks[i]->done() && loop.current_task_ != tasks[i].get()) {
      out += " since pass " + std::to_string(tasks[i]->waiting_since());
      const std::string at = detail::location_text(tasks[i]->suspended_at());
      if (!at.empty()) out += " at " + at;
    }
    out += "\n";
  }
  return out;
}

// ---------------------------------------------------------------- the stuck report

StuckReport make_stuck_report(BaseEventLoop& loop, std::size_t pass) {
  StuckReport report;
  report.pass = pass;
  const std::vector<Ref<TaskCore>> tasks = pending_tasks(loop);
  for (const Ref<TaskCore>& t : tasks) report.tasks.push_back(t.get());

  // Cycles: depth-first over "task waits for task", each cycle once (from its earliest task).
  std::unordered_map<const TaskCore*, int> colour;  // 0 new, 1 on the path, 2 finished
  std::vector<const TaskCore*> path;
  std::vector<std::vector<const TaskCore*>> cycles;
  auto index_of = [&](const TaskCore* t) {
    return std::find(report.tasks.begin(), report.tasks.end(), t) - report.tasks.begin();
  };
  std::function<void(const TaskCore*)> visit = [&](const TaskCore* t) {
    colour[t] = 1;
    path.push_back(t);
    for (const TaskCore* next : task_edges(*t)) {
      if (next->done()) continue;
      if (colour[next] == 1) {
        std::vector<const TaskCore*> cycle(std::find(path.begin(), path.end(), next), path.end());
        std::rotate(cycle.begin(),
                    std::min_element(cycle.begin(), cycle.end(),
                                     [&](const TaskCore* a, const TaskCore* b) { return index_of(a) < index_of(b); }),
                    cycle.end());
        if (std::find(cycles.begin(), cycles.end(), cycle) == cycles.end()) cycles.push_back(cycle);
      } else if (colour[next] == 0) {
        visit(next);
      }
    }
    path.pop_back();
    colour[t] = 2;
  };
  for (const TaskCore* t : report.tasks)
    if (colour[t] == 0) visit(t);
  report.cycles = cycles;

  // Orphans: a plain future a task awaits that no combinator feeds and that the task does not
  // wait on through children of its own (a TaskGroup's parent awaits a future its tasks complete).
  std::vector<std::pair<const FutureCore*, const TaskCore*>> orphans;
  for (const Ref<TaskCore>& t : tasks) {
    const FutureCore* w = t->fut_waiter();
    if (!w || w->is_task() || has_children(*w) || has_children(*t)) continue;
    if (std::none_of(orphans.begin(), orphans.end(), [&](const auto& o) { return o.first == w; }))
      orphans.emplace_back(w, t.get());
  }
  for (const auto& o : orphans) report.orphans.push_back(o.first);

  std::ostringstream text;
  text << "Stuck: pass " << pass << " would wait for ever with " << tasks.size() << " task"
       << (tasks.size() == 1 ? "" : "s") << " pending.\n"
       << "Nothing can wake the loop: no timer, no fd but its own, no executor or thread job, no signal handler,\n"
       << "no call_soon_threadsafe from another thread.\n";
  text << "Await tree:\n";
  std::istringstream tree(format_await_tree(loop));
  for (std::string line; std::getline(tree, line);) text << "  " << line << "\n";
  for (const auto& cycle : report.cycles) {
    text << "Cycle: ";
    for (const TaskCore* t : cycle) text << task_label(*t) << " awaits ";
    text << task_label(*cycle.front()) << "\n";
  }
  for (const auto& [fut, task] : orphans)
    text << "Nothing can complete the " << waiter_label(*task, *fut) << " that " << task_label(*task) << " awaits.\n";
  text << "Assumption: no thread the program started itself will call the loop (the runtime cannot see such "
          "threads).\n";
  report.text = text.str();
  return report;
}

}  // namespace asyncio
