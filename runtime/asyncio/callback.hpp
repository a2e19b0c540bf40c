// callback.hpp: Callback, the function a Handle runs, stored without a heap allocation when
// its captures fit in 32 bytes (a lambda capturing a few pointers or Refs).
// A C++-only idea: CPython keeps (callback, args) in the Handle; here the lambda's captures
// are the args. Like std::function<void()>, but move-friendly and smaller on the hot path.
// Course: docs/04-handles-and-timers.md
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace asyncio {

// A callable that keeps its own arguments and can print them as CPython's Handle repr does,
// "('k1', 2)": what call_soon(named(...), args...) stores (events.hpp, futures.hpp).
template <class D>
concept DescribesArgs = requires(const D& d) {
  { d.args_repr() } -> std::same_as<std::string>;
};

class Callback {
 public:
  static constexpr std::size_t inline_size = 32;

  Callback() noexcept = default;
  Callback(std::nullptr_t) noexcept {}
  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, Callback> && std::is_invocable_v<std::decay_t<F>&>)
  Callback(F&& f) {  // NOLINT: implicit, as std::function's
    using D = std::decay_t<F>;
    // A function passed by name (F = void(&)()) can never be null: g++ rejects the test.
    if constexpr (std::is_pointer_v<std::remove_reference_t<F>> || std::is_member_pointer_v<D>) {
      if (f == nullptr) return;
    }
    if constexpr (fits_inline<D>) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      ops_ = &inline_ops<D>;
    } else {
      *reinterpret_cast<D**>(storage_) = new D(std::forward<F>(f));
      ops_ = &heap_ops<D>;
    }
  }
  Callback(Callback&& o) noexcept : ops_(o.ops_) {
    if (ops_) {
      ops_->move(o.storage_, storage_);
      o.ops_ = nullptr;
    }
  }
  // Copies the target when it is copyable; a move-only target raises std::bad_function_call.
  Callback(const Callback& o) : ops_(o.ops_) {
    if (ops_) ops_->copy(o.storage_, storage_);
  }
  Callback& operator=(Callback o) noexcept {
    swap(o);
    return *this;
  }
  ~Callback() { reset(); }

  void operator()() { ops_->invoke(storage_); }
  explicit operator bool() const noexcept { return ops_ != nullptr; }
  // The target's type (typeid(void) when empty), for descriptions in traces and errors.
  const std::type_info& target_type() const noexcept { return ops_ ? ops_->type() : typeid(void); }
  // The kept arguments as "('k1', 2)" when the target keeps them (DescribesArgs), else "".
  bool describes_args() const noexcept { return ops_ && ops_->args_repr; }
  std::string args_repr() const { return describes_args() ? ops_->args_repr(storage_) : std::string(); }
  void reset() noexcept {
    if (ops_) {
      ops_->destroy(storage_);
      ops_ = nullptr;
    }
  }
  void swap(Callback& o) noexcept {
    Callback tmp(std::move(o));
    o.take_(std::move(*this));
    take_(std::move(tmp));
  }

 private:
  struct Ops {
    void (*invoke)(void*);
    void (*move)(void* from, void* to) noexcept;
    void (*copy)(const void* from, void* to);
    void (*destroy)(void*) noexcept;
    const std::type_info& (*type)() noexcept;
    std::string (*args_repr)(const void* storage);  // nullptr unless the target is DescribesArgs
  };
  template <class D>
  static constexpr bool fits_inline = sizeof(D) <= inline_size && alignof(D) <= alignof(void*) &&
                                      std::is_nothrow_move_constructible_v<D>;
  template <class D>
  static void copy_or_throw(const D& from, void* to) {
    if constexpr (std::is_copy_constructible_v<D>) {
      ::new (to) D(from);
    } else {
      (void)from;
      (void)to;
      throw std::bad_function_call();
    }
  }
  template <class D>
  static constexpr auto inline_args_repr() -> std::string (*)(const void*) {
    if constexpr (DescribesArgs<D>) {
      return [](const void* s) { return std::launder(static_cast<const D*>(s))->args_repr(); };
    } else {
      return nullptr;
    }
  }
  template <class D>
  static constexpr auto heap_args_repr() -> std::string (*)(const void*) {
    if constexpr (DescribesArgs<D>) {
      return [](const void* s) { return (*static_cast<const D* const*>(s))->args_repr(); };
    } else {
      return nullptr;
    }
  }
  template <class D>
  static constexpr Ops inline_ops{
      [](void* s) { (*std::launder(static_cast<D*>(s)))(); },
      [](void* from, void* to) noexcept {
        D* f = std::launder(static_cast<D*>(from));
        ::new (to) D(std::move(*f));
        f->~D();
      },
      [](const void* from, void* to) { copy_or_throw<D>(*std::launder(static_cast<const D*>(from)), to); },
      [](void* s) noexcept { std::launder(static_cast<D*>(s))->~D(); },
      []() noexcept -> const std::type_info& { return typeid(D); },
      inline_args_repr<D>(),
  };
  template <class D>
  static constexpr Ops heap_ops{
      [](void* s) { (**static_cast<D**>(s))(); },
      [](void* from, void* to) noexcept { *static_cast<D**>(to) = *static_cast<D**>(from); },
      [](const void* from, void* to) {
        if constexpr (std::is_copy_constructible_v<D>) {
          *static_cast<D**>(to) = new D(**static_cast<D* const*>(from));
        } else {
          (void)from;
          (void)to;
          throw std::bad_function_call();
        }
      },
      [](void* s) noexcept { delete *static_cast<D**>(s); },
      []() noexcept -> const std::type_info& { return typeid(D); },
      heap_args_repr<D>(),
  };
  void take_(Callback&& o) noexcept {
    ops_ = o.ops_;
    if (ops_) {
      ops_->move(o.storage_, storage_);
      o.ops_ = nullptr;
    }
  }

  const Ops* ops_ = nullptr;
  // Pointer-aligned, not max_align_t: a 16-byte alignment would pad every Handle by 16 bytes
  // for captures (long double, SSE types) that callbacks hardly ever hold; those go to the heap.
  alignas(void*) unsigned char storage_[inline_size];
};

}  // namespace asyncio
