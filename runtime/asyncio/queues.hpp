// queues.hpp: Queue<T>, PriorityQueue<T> and LifoQueue<T>, for producer and consumer tasks.
// Mirrors Lib/asyncio/queues.py (Queue, PriorityQueue, LifoQueue, QueueFull, QueueEmpty).
// QueueBase owns the untyped rules (getters, putters, maxsize, task_done/join); the templates
// only store items. Course: docs/09-composing-tasks.md
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "asyncio/locks.hpp"

namespace asyncio {

namespace detail {
// Python's repr() of a queue item; pairs and tuples print as Python tuples: (1, 'a').
template <class T>
std::string item_repr(const T& item);
template <class... Ts>
std::string item_repr(const std::tuple<Ts...>& item) {
  std::string out = "(";
  std::apply([&](const auto&... x) { ((out += (out.size() > 1 ? ", " : "") + item_repr(x)), ...); }, item);
  return out + (sizeof...(Ts) == 1 ? ",)" : ")");
}
template <class A, class B>
std::string item_repr(const std::pair<A, B>& item) {
  return "(" + item_repr(item.first) + ", " + item_repr(item.second) + ")";
}
template <class T>
std::string item_repr(const T& item) {
  return value_repr_of(item);
}
}  // namespace detail

class QueueBase : public LoopBoundMixin {
 public:
  // maxsize <= 0: unbounded.
  explicit QueueBase(long maxsize, const char* type_name);
  virtual ~QueueBase() = default;
  QueueBase(const QueueBase&) = delete;
  QueueBase& operator=(const QueueBase&) = delete;

  virtual std::size_t qsize() const noexcept = 0;
  long maxsize() const noexcept { return maxsize_; }
  bool empty() const noexcept { return qsize() == 0; }
  // Never true for an unbounded queue.
  bool full() const noexcept { return maxsize_ > 0 && qsize() >= static_cast<std::size_t>(maxsize_); }
  // One item fetched with get() is done. ValueError('task_done() called too many times').
  void task_done();
  // Suspends until every item put has been marked done (no yield if none is pending).
  void join(source_location where = source_location::current());
  Coro<void> join_async();  // the coroutine form: `co_await q.join_async()`
  // "<Queue at 0x... maxsize=1 _queue=[1] _getters[1] tasks=1>"; str() drops the address.
  std::string repr() const;
  std::string str() const;

 protected:
  // The `while self.full(): await putter` of put(), and its twin in get().
  void wait_not_full_(source_location where);
  void wait_not_empty_(source_location where);
  Coro<void> wait_not_full_async_();  // their coroutine forms
  Coro<void> wait_not_empty_async_();
  // put_nowait's and get_nowait's bookkeeping once the item is stored or taken.
  void after_put_();
  void after_get_();
  // Python's repr() of the stored items, in storage order: "[1, 2]".
  virtual std::string items_repr_() const = 0;

 private:
  std::string format_() const;
  long maxsize_;
  const char* type_name_;
  std::deque<Future<void>> getters_;
  std::deque<Future<void>> putters_;
  long unfinished_tasks_ = 0;
  Event finished_;
};

// Queue<T>: FIFO. put()/get() suspend while full/empty; a woken task re-checks, so another task
// calling get() first can take the item (a wake-up is a hint, not a hand-over).
template <class T>
class Queue : public QueueBase {
 public:
  explicit Queue(long maxsize = 0) : Queue(maxsize, "Queue") {}

  void put(T item, source_location where = source_location::current()) {
    wait_not_full_(where);
    put_nowait(std::move(item));
  }
  // The coroutine forms: `co_await q.put_async(x)`, `T x = co_await q.get_async()`.
  Coro<void> put_async(T item) {
    co_await wait_not_full_async_();
    put_nowait(std::move(item));
  }
  Coro<T> get_async() {
    co_await wait_not_empty_async_();
    co_return get_nowait();
  }
  // QueueFull when full.
  void put_nowait(T item) {
    if (full()) throw QueueFull();
    put_(std::move(item));
    after_put_();
  }
  T get(source_location where = source_location::current()) {
    wait_not_empty_(where);
    return get_nowait();
  }
  // QueueEmpty when empty.
  T get_nowait() {
    if (empty()) throw QueueEmpty();
    T item = get_();
    after_get_();
    return item;
  }
  std::size_t qsize() const noexcept override { return queue_.size(); }

 protected:
  Queue(long maxsize, const char* type_name) : QueueBase(maxsize, type_name) {}
  // Queue._put / Queue._get: where subclasses change the order.
  virtual void put_(T item) { queue_.push_back(std::move(item)); }
  virtual T get_() {
    T item = std::move(queue_.front());
    queue_.pop_front();
    return item;
  }
  std::string items_repr_() const override {
    std::string out = "[";
    for (std::size_t i = 0; i < queue_.size(); ++i) out += (i ? ", " : "") + detail::item_repr(queue_[i]);
    return out + "]";
  }
  std::deque<T> queue_;  // the list of PriorityQueue and LifoQueue too
};

// PriorityQueue<T>: lowest first (operator<), kept as heapq keeps its list, so items that compare
// equal come out in the same order as in CPython.
template <class T>
class PriorityQueue final : public Queue<T> {
 public:
  explicit PriorityQueue(long maxsize = 0) : Queue<T>(maxsize, "PriorityQueue") {}

 private:
  // heapq.heappush: append, then _siftdown(heap, 0, n-1).
  void put_(T item) override {
    auto& heap = this->queue_;
    heap.push_back(std::move(item));
    std::size_t pos = heap.size() - 1;
    T newitem = std::move(heap[pos]);
    while (pos > 0) {
      const std::size_t parent = (pos - 1) >> 1;
      if (!(newitem < heap[parent])) break;
      heap[pos] = std::move(heap[parent]);
      pos = parent;
    }
    heap[pos] = std::move(newitem);
  }
  // heapq.heappop: take the last item, put it at the root and _siftup.
  T get_() override {
    auto& heap = this->queue_;
    T last = std::move(heap.back());
    heap.pop_back();
    if (heap.empty()) return last;
    T top = std::move(heap[0]);
    const std::size_t end = heap.size();
    std::size_t pos = 0;
    std::size_t child = 1;
    while (child < end) {
      const std::size_t right = child + 1;
      if (right < end && !(heap[child] < heap[right])) child = right;
      heap[pos] = std::move(heap[child]);
      pos = child;
      child = 2 * pos + 1;
    }
    // _siftdown(heap, 0, pos) with the former last item.
    while (pos > 0) {
      const std::size_t parent = (pos - 1) >> 1;
      if (!(last < heap[parent])) break;
      heap[pos] = std::move(heap[parent]);
      pos = parent;
    }
    heap[pos] = std::move(last);
    return top;
  }
};

// LifoQueue<T>: the most recently put item first.
template <class T>
class LifoQueue final : public Queue<T> {
 public:
  explicit LifoQueue(long maxsize = 0) : Queue<T>(maxsize, "LifoQueue") {}

 private:
  T get_() override {
    T item = std::move(this->queue_.back());
    this->queue_.pop_back();
    return item;
  }
};

}  // namespace asyncio
