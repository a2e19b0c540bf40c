// Rule: a pending task nothing can reach (it awaits a future only its own frame holds, and the
// program dropped its handle) is collected: its coroutine is closed (its `finally` runs), it
// leaves all_tasks(), and the exception handler gets "Task was destroyed but it is pending!"
// with the keys message and task (tasks.py Task.__del__). A task awaiting a future someone
// else holds (an Event's waiter list, a sleep's timer) is reachable and stays.
// C++: the moment is the drop of the last handle (Python's gc.collect() right after `del`); the
// body's fiber is unwound, so its destructors run (the `finally` below is one).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

std::string names() {
  std::vector<std::string> all;
  for (const auto& t : asyncio::all_tasks()) all.push_back(t->get_name());
  std::sort(all.begin(), all.end());
  std::string out = "[";
  for (const auto& n : all) out += (out.size() > 1 ? ", " : "") + asyncio::py_repr(n);
  return out + "]";
}

void handler(asyncio::BaseEventLoop&, const asyncio::ExceptionContext& context) {
  std::vector<std::string> keys{"message"};
  if (context.exception) keys.push_back("exception");
  if (context.future) keys.push_back("future");
  if (context.handle) keys.push_back("handle");
  if (context.task) keys.push_back("task");
  for (const auto& [key, value] : context.extra) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  std::string list = "[";
  for (const auto& k : keys) list += (list.size() > 1 ? ", " : "") + asyncio::py_repr(k);
  list += "]";
  std::printf("handler: %s keys=%s name=%s\n", context.message.c_str(), list.c_str(),
              context.task->get_name().c_str());
}

void orphan() {
  asyncio::Future<void> fut = asyncio::get_running_loop().create_future<void>();
  struct Finally {
    ~Finally() {
      const std::string all = names();
      std::printf("orphan: finally, in all_tasks: %s\n",
                  all.find("'orphan'") != std::string::npos ? "True" : "False");
    }
  } finally;
  asyncio::await(fut);
}

void waiter(asyncio::Event& ev) {
  ev.wait();
  std::puts("waiter: woke");
}

void sleeper() {
  asyncio::sleep(0.01);
  std::puts("sleeper: woke");
}

void main_task() {
  asyncio::get_running_loop().set_exception_handler(handler);
  asyncio::Event ev;
  auto t = asyncio::create_task(asyncio::TaskOptions{"orphan"}, orphan);
  auto w = asyncio::create_task(asyncio::TaskOptions{"waiter"}, waiter, std::ref(ev));
  auto s = asyncio::create_task(asyncio::TaskOptions{"sleeper"}, sleeper);
  asyncio::sleep(0);
  std::printf("tasks: %s\n", names().c_str());
  t = {};  // del t, w, s; gc.collect()
  w = {};
  s = {};
  std::printf("after collect: %s\n", names().c_str());
  ev.set();
  asyncio::sleep(0.05);
  std::printf("at the end: %s\n", names().c_str());
}

}  // namespace

int main() { asyncio::run(main_task); }
