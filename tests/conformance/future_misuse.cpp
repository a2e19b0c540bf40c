// Rule: misusing a Future or Task raises CPython's errors with the C accelerator's texts
// (CPYTHON-RULES 5, 6.1): InvalidStateError 'Result is not set.' / 'invalid state', RuntimeError on tasks.
#include <cstdio>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

// call returns what the Python twin's call returns, as its repr prints it.
template <class F>
void attempt(const char* label, F call) {
  try {
    const std::string value = call();
    std::printf("%s: returned %s\n", label, value.c_str());
  } catch (const asyncio::InvalidStateError&) {
    std::printf("%s: %s\n", label, asyncio::exception_line(std::current_exception()).c_str());
  } catch (const asyncio::RuntimeError&) {
    std::printf("%s: %s\n", label, asyncio::exception_line(std::current_exception()).c_str());
  }
}

std::string py_bool(bool b) { return b ? "True" : "False"; }

int noop() { return 7; }

void main_() {
  auto& loop = asyncio::get_running_loop();
  auto fut = loop.create_future<int>();
  attempt("result() while pending", [&] { return std::to_string(fut.result()); });
  attempt("exception() while pending", [&] { return asyncio::exception_repr(fut.exception()); });
  fut.set_result(1);
  attempt("set_result() twice", [&] {
    fut.set_result(2);
    return std::string("None");
  });
  attempt("set_exception() when done", [&] {
    fut.set_exception(asyncio::ValueError("x"));
    return std::string("None");
  });
  attempt("cancel() when done", [&] { return py_bool(fut.cancel()); });
  attempt("result() when done", [&] { return std::to_string(fut.result()); });

  auto task = asyncio::create_task(noop);
  attempt("task.set_result()", [&] {
    task.set_result(1);
    return std::string("None");
  });
  attempt("task.set_exception()", [&] {
    task.set_exception(asyncio::ValueError("x"));
    return std::string("None");
  });
  attempt("task.result() before it ran", [&] { return std::to_string(task.result()); });
  asyncio::await(task);
  attempt("task.result() after", [&] { return std::to_string(task.result()); });
}

}  // namespace

int main() { asyncio::run(main_); }
