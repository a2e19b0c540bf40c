// Rule: StreamReader's limit boundaries (streams.py readuntil): a separator that starts exactly at
// the limit is accepted, one byte further raises "Separator is found, but chunk is longer than
// limit"; without a separator, limit + len(sep) - 1 bytes still wait for more data and one byte
// more raises "Separator is not found, and chunk exceed the limit". readline turns both into
// ValueError and drops what it must.
#include <cstdio>
#include <memory>
#include <string>

#include "asyncio/asyncio.hpp"

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

std::unique_ptr<asyncio::StreamReader> reader(const std::string& data, bool eof = true) {
  auto r = std::make_unique<asyncio::StreamReader>(LIMIT);
  r->feed_data(data);
  if (eof) r->feed_eof();
  return r;
}

void until(asyncio::StreamReader& r, const std::string& sep) {
  try {
    std::printf("  read %s\n", b(r.readuntil(sep)).c_str());
  } catch (const asyncio::LimitOverrunError& e) {
    std::printf("  LimitOverrunError: %s consumed=%zu\n", e.what(), e.consumed);
  }
  std::printf("  left %s\n", b(r.read(100)).c_str());
}

void line(asyncio::StreamReader& r) {
  try {
    std::printf("  read %s\n", b(r.readline()).c_str());
  } catch (const asyncio::ValueError& e) {
    std::printf("  ValueError: %s\n", e.what());
  }
  std::printf("  left %s\n", b(r.read(100)).c_str());
}

void main_task() {
  for (const std::string sep : {"\n", "\r\n"}) {
    std::printf("separator %s\n", b(sep).c_str());
    std::puts(" found at the limit");
    until(*reader(std::string(LIMIT, 'a') + sep + "tail"), sep);
    std::puts(" found one past the limit");
    until(*reader(std::string(LIMIT + 1, 'b') + sep + "tail"), sep);
    std::puts(" not found, largest buffer that still waits");
    auto r = reader(std::string(LIMIT + sep.size() - 1, 'c'), false);
    auto t = asyncio::create_task([&r, sep] { return r->readuntil(sep); });
    asyncio::sleep(0);
    std::printf("  waiting: %s\n", t.done() ? "False" : "True");
    r->feed_data(sep);
    try {
      std::printf("  read %s\n", b(asyncio::await(t)).c_str());
    } catch (const asyncio::LimitOverrunError& e) {
      std::printf("  LimitOverrunError: %s consumed=%zu\n", e.what(), e.consumed);
    }
    std::puts(" not found, one byte more");
    until(*reader(std::string(LIMIT + sep.size(), 'd'), false), sep);
  }
  std::puts("readline");
  line(*reader(std::string(LIMIT, 'e') + "\nnext\n"));
  line(*reader(std::string(LIMIT + 1, 'f') + "\nnext\n"));
  line(*reader(std::string(LIMIT + 1, 'g')));
}

}  // namespace

int main() { asyncio::run(main_task); }
