// ref.hpp: Ref<T>, the intrusive reference that keeps handles, futures, tasks and loops alive.
// A C++-only idea: CPython counts references for every object; here only the runtime's own
// objects are counted, with a plain (non-atomic) count, because each lives on one loop's thread.
// Course: docs/architecture.md ("Who owns what")
#pragma once

#include <cstddef>
#include <utility>

namespace asyncio {

// T provides incref_() and decref_(); decref_() frees the object when the count reaches zero.
template <class T>
class Ref {
 public:
  Ref() noexcept = default;
  Ref(std::nullptr_t) noexcept {}
  explicit Ref(T* p) noexcept : p_(p) {
    if (p_) p_->incref_();
  }
  // Takes over a count the caller already holds (used right after `new`).
  static Ref adopt(T* p) noexcept {
    Ref r;
    r.p_ = p;
    return r;
  }
  Ref(const Ref& o) noexcept : p_(o.p_) {
    if (p_) p_->incref_();
  }
  Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  template <class U>
  Ref(const Ref<U>& o) noexcept : p_(o.get()) {
    if (p_) p_->incref_();
  }
  template <class U>
  Ref(Ref<U>&& o) noexcept : p_(o.release()) {}
  Ref& operator=(Ref o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~Ref() {
    if (p_) p_->decref_();
  }

  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  // Gives up the count without releasing it (the caller now owns it).
  T* release() noexcept { return std::exchange(p_, nullptr); }
  void reset() noexcept { Ref().swap(*this); }
  void swap(Ref& o) noexcept { std::swap(p_, o.p_); }

  friend bool operator==(const Ref& a, const Ref& b) noexcept { return a.p_ == b.p_; }
  friend bool operator==(const Ref& a, std::nullptr_t) noexcept { return a.p_ == nullptr; }

 private:
  T* p_ = nullptr;
};

// InnerRef<T>: a reference an object of the runtime itself holds on an event loop (a future's
// or task's loop, a transport's, a lock's). It keeps the loop's memory alive like a Ref but is
// not a *use*: when only inner references are left, the program has dropped the loop, and a
// loop dropped unclosed warns and closes itself (docs/architecture.md, "Who owns what").
// T provides incref_inner_() and decref_inner_().
template <class T>
class InnerRef {
 public:
  InnerRef() noexcept = default;
  explicit InnerRef(T* p) noexcept : p_(p) {
    if (p_) p_->incref_inner_();
  }
  InnerRef(const InnerRef& o) noexcept : InnerRef(o.p_) {}
  InnerRef(InnerRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  InnerRef& operator=(InnerRef o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~InnerRef() {
    if (p_) p_->decref_inner_();
  }
  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  void reset() noexcept { InnerRef().swap(*this); }
  void swap(InnerRef& o) noexcept { std::swap(p_, o.p_); }

 private:
  T* p_ = nullptr;
};

// A base for counted objects whose last release deletes them through a virtual destructor.
class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;
  void incref_() noexcept { ++refs_; }
  void decref_() noexcept {
    if (--refs_ == 0) delete this;
  }
  long refcount_() const noexcept { return refs_; }

 protected:
  virtual ~RefCounted() = default;

 private:
  long refs_ = 0;
};

}  // namespace asyncio
