// Coroutine twin of stream_limit_boundary.py (issue 16): the same StreamReader limit boundaries
// with stackless tasks (co_await reader->readuntil_async(sep), readline_async(), read_async()).
#include <cstdio>
#include <memory>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {

constexpr std::size_t LIMIT = 8;

// Python's repr of a bytes object, for the few bytes these tests use.
std::string b(const std::string& s) {
  std::string out = "b'";
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out + "'";
}

std::unique_ptr<StreamReader> reader(const std::string& data, bool eof = true) {
  auto r = std::make_unique<StreamReader>(LIMIT);
  r->feed_data(data);
  if (eof) r->feed_eof();
  return r;
}

Coro<void> until(StreamReader& r, std::string sep) {
  try {
    std::printf("  read %s\n", b(co_await r.readuntil_async(sep)).c_str());
  } catch (const LimitOverrunError& e) {
    std::printf("  LimitOverrunError: %s consumed=%zu\n", e.what(), e.consumed);
  }
  std::printf("  left %s\n", b(co_await r.read_async(100)).c_str());
}

Coro<void> line(StreamReader& r) {
  try {
    std::printf("  read %s\n", b(co_await r.readline_async()).c_str());
  } catch (const ValueError& e) {
    std::printf("  ValueError: %s\n", e.what());
  }
  std::printf("  left %s\n", b(co_await r.read_async(100)).c_str());
}

Coro<void> main_() {
  for (const std::string sep : {"\n", "\r\n"}) {
    std::printf("separator %s\n", b(sep).c_str());
    std::puts(" found at the limit");
    co_await until(*reader(std::string(LIMIT, 'a') + sep + "tail"), sep);
    std::puts(" found one past the limit");
    co_await until(*reader(std::string(LIMIT + 1, 'b') + sep + "tail"), sep);
    std::puts(" not found, largest buffer that still waits");
    auto r = reader(std::string(LIMIT + sep.size() - 1, 'c'), false);
    Task<std::string> t = create_task(r->readuntil_async(sep));
    co_await sleep_async(0);
    std::printf("  waiting: %s\n", t.done() ? "False" : "True");
    r->feed_data(sep);
    try {
      std::printf("  read %s\n", b(co_await t).c_str());
    } catch (const LimitOverrunError& e) {
      std::printf("  LimitOverrunError: %s consumed=%zu\n", e.what(), e.consumed);
    }
    std::puts(" not found, one byte more");
    co_await until(*reader(std::string(LIMIT + sep.size(), 'd'), false), sep);
  }
  std::puts("readline");
  co_await line(*reader(std::string(LIMIT, 'e') + "\nnext\n"));
  co_await line(*reader(std::string(LIMIT + 1, 'f') + "\nnext\n"));
  co_await line(*reader(std::string(LIMIT + 1, 'g')));
}

}  // namespace

int main() { asyncio::run(main_()); }
