// fuzz_support.hpp: what the libFuzzer targets share: a cursor over the input bytes, a printable
// form of bytes, one event loop for every input, and the abort that reports a finding.
// A C++-only test helper, no CPython twin. Course: docs/11-http-client.md ("Fuzzing the parsers")
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "asyncio/asyncio.hpp"

namespace fuzz {

// Reads the input front to back; past the end every byte is 0 and every string is short.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const noexcept { return pos_ >= size_; }
  std::uint8_t byte() noexcept { return pos_ < size_ ? data_[pos_++] : 0; }
  std::string take(std::size_t n) {
    const std::size_t k = n < size_ - pos_ ? n : size_ - pos_;
    std::string out(reinterpret_cast<const char*>(data_ + pos_), k);
    pos_ += k;
    return out;
  }
  std::string rest() { return take(size_ - pos_); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// Bytes as Python's repr would show them, short enough to read in a report.
inline std::string repr(const std::string& data) {
  std::string out = "'";
  for (unsigned char c : data) {
    static const char* hex = "0123456789abcdef";
    if (c == '\'' || c == '\\') out += {'\\', static_cast<char>(c)};
    else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else out += {'\\', 'x', hex[c >> 4], hex[c & 15]};
  }
  return out + "'";
}

// A finding: say what differs and abort, so libFuzzer (or the corpus driver) reports the input.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// One loop for the whole run (a new epoll fd and self-pipe per input would only slow the
// fuzzer), closed at exit like any loop a program is done with.
inline asyncio::BaseEventLoop& loop() {
  struct Owner {
    asyncio::Ref<asyncio::BaseEventLoop> loop = asyncio::new_event_loop();
    Owner() { asyncio::set_event_loop(loop); }
    ~Owner() {
      if (!loop->is_closed()) loop->close();
    }
  };
  static Owner owner;
  return *owner.loop;
}

}  // namespace fuzz
