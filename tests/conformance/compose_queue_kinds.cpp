// Rule: PriorityQueue pops lowest first in heapq's order, LifoQueue newest first; join() waits
// until every item got is marked task_done(), and returns at once when none is pending (10).
#include <iostream>
#include <string>
#include <utility>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
using Entry = std::pair<int, std::string>;

void worker(PriorityQueue<Entry>& q, std::string name) {
  while (true) {
    auto [prio, item] = q.get();
    asyncio::sleep(0);
    std::cout << name << " did " << prio << " " << item << "\n";
    q.task_done();
  }
}

void first() {
  PriorityQueue<Entry> pq;
  for (const Entry& e : std::vector<Entry>{{5, "e"}, {1, "a"}, {3, "c"}, {2, "b"}, {4, "d"}, {1, "a2"}})
    pq.put_nowait(e);
  std::cout << pq.str() << "\n";
  std::string out;
  while (!pq.empty()) out += (out.empty() ? "" : ", ") + detail::item_repr(pq.get_nowait());
  std::cout << "priority: [" << out << "]\n";
  LifoQueue<int> lq;
  for (int i = 0; i < 4; ++i) lq.put_nowait(i);
  out.clear();
  while (!lq.empty()) out += (out.empty() ? "" : ", ") + std::to_string(lq.get_nowait());
  std::cout << "lifo: [" << out << "]\n";
}

void main2() {
  PriorityQueue<Entry> q;
  std::vector<Task<void>> ws;
  for (int i = 0; i < 2; ++i) ws.push_back(create_task(worker, std::ref(q), "w" + std::to_string(i)));
  for (const Entry& e : std::vector<Entry>{{3, "c"}, {1, "a"}, {2, "b"}}) q.put_nowait(e);
  q.join();
  std::cout << "all done\n";
  for (auto& w : ws) w.cancel();
  await(gather(return_exceptions, ws));
  q.join();
  std::cout << "join with nothing pending returns at once\n";
}
}  // namespace

int main() {
  asyncio::run(first);
  asyncio::run(main2);
}
