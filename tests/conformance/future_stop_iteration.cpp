// Rule: Future.set_exception refuses StopIteration itself (futures.py: `type(exception) is
// StopIteration`) with a TypeError and leaves the future pending; a subclass of it and
// StopAsyncIteration are ordinary exceptions.
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {
class MyStop : public asyncio::StopIteration {
 public:
  const char* name() const noexcept override { return "MyStop"; }
};
}  // namespace

int main() {
  auto loop = asyncio::new_event_loop();
  auto fut = loop->create_future<void>();
  try {
    fut.set_exception(asyncio::StopIteration());
  } catch (const asyncio::TypeError& e) {
    std::printf("TypeError: %s\n", e.what());
  }
  std::printf("still pending: %s\n", fut.done() ? "False" : "True");
  fut.set_exception(asyncio::StopAsyncIteration("end"));
  std::printf("%s\n", asyncio::exception_repr(fut.exception()).c_str());
  auto sub = loop->create_future<void>();
  sub.set_exception(MyStop());
  bool is_stop = false;
  try {
    std::rethrow_exception(sub.exception());
  } catch (const asyncio::StopIteration&) {
    is_stop = true;
  }
  std::printf("%s %s\n", asyncio::exception_name(sub.exception()).c_str(), is_stop ? "True" : "False");
  loop->close();
}
