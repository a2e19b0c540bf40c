// fuzz_streams.cpp: libFuzzer target for StreamReader's reads (readline, readuntil, readexactly,
// read) fed arbitrary chunks with an arbitrary limit, checked against a model of CPython 3.11's
// Lib/asyncio/streams.py StreamReader (the same reads on a plain byte string).
// Any difference in a result, an exception, its fields or the bytes left buffered aborts.
// Course: docs/11-http-client.md ("Fuzzing the parsers"); input format: tests/fuzz/README.md
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "fuzz_support.hpp"

namespace {

// One read the reader task makes. kind: l readline, u readuntil(sep), x readexactly(n), r read(n),
// e at_eof().
struct Op {
  char kind;
  std::string sep;
  std::ptrdiff_t n = 0;
};

struct Input {
  std::size_t limit = 1;
  std::vector<std::string> chunks;  // fed in order, one per pass, then EOF
  std::vector<Op> ops;
};

// Byte 0: the limit (1..64). Then records: an opcode byte, and its operands.
Input decode(const std::uint8_t* data, std::size_t size) {
  fuzz::Bytes in(data, size);
  Input input;
  input.limit = 1 + in.byte() % 64;
  while (!in.empty()) {
    switch (in.byte() % 8) {
      case 0: input.chunks.push_back(in.take(in.byte() % 48)); break;
      case 1: input.ops.push_back({'l', "", 0}); break;
      case 2: input.ops.push_back({'u', in.take(1 + in.byte() % 3), 0}); break;
      case 3: input.ops.push_back({'x', "", static_cast<std::ptrdiff_t>(in.byte() % 80)}); break;
      case 4: {
        const int n = in.byte();
        input.ops.push_back({'r', "", n == 255 ? -1 : n % 80});
        break;
      }
      case 5: input.ops.push_back({'e', "", 0}); break;
      case 6: input.ops.push_back({'u', "\r\n", 0}); break;
      default: input.chunks.push_back(in.take(in.byte() % 8)); break;
    }
  }
  return input;
}

// CPython's StreamReader on a std::string, synchronous: waiting for data takes the next chunk the
// feeder task will feed (empty chunks wake nobody), or EOF when none is left.
struct Model {
  std::size_t limit;
  std::deque<std::string> chunks;
  std::string buffer;
  bool eof = false;
  std::size_t fed = 0;  // bytes that reached the buffer

  void wait_for_data() {
    while (!chunks.empty()) {
      std::string chunk = std::move(chunks.front());
      chunks.pop_front();
      if (!chunk.empty()) {
        buffer += chunk;
        fed += chunk.size();
        return;
      }
    }
    eof = true;
  }

  std::string take(std::size_t n) {
    std::string out = buffer.substr(0, n);
    buffer.erase(0, out.size());
    return out;
  }

  std::string readuntil(const std::string& sep) {
    if (sep.empty()) return "ValueError: Separator should be at least one-byte string";
    std::size_t offset = 0, isep = std::string::npos;
    for (;;) {
      if (buffer.size() >= offset + sep.size()) {
        isep = buffer.find(sep, offset);
        if (isep != std::string::npos) break;
        offset = buffer.size() + 1 - sep.size();
        if (offset > limit) return "LimitOverrunError: Separator is not found, and chunk exceed the limit, consumed " + std::to_string(offset);
      }
      if (eof) return "IncompleteReadError: partial " + fuzz::repr(take(buffer.size())) + ", expected None";
      wait_for_data();
    }
    if (isep > limit) return "LimitOverrunError: Separator is found, but chunk is longer than limit, consumed " + std::to_string(isep);
    return "ok " + fuzz::repr(take(isep + sep.size()));
  }

  std::string readline() {
    const std::string r = readuntil("\n");
    if (r.rfind("IncompleteReadError", 0) == 0) return "ok " + r.substr(r.find("partial ") + 8, r.rfind(", expected") - r.find("partial ") - 8);
    if (r.rfind("LimitOverrunError", 0) == 0) {
      const std::size_t consumed = std::stoul(r.substr(r.rfind(' ') + 1));
      if (buffer.compare(consumed, 1, "\n") == 0) buffer.erase(0, consumed + 1);
      else buffer.clear();
      return "ValueError: " + r.substr(19, r.find(", consumed") - 19);
    }
    return r;
  }

  std::string read(std::ptrdiff_t n) {
    if (n == 0) return "ok ''";
    if (n < 0) {
      std::string all;
      for (;;) {
        if (buffer.empty() && !eof) wait_for_data();
        std::string block = take(limit);
        if (block.empty()) break;
        all += block;
      }
      return "ok " + fuzz::repr(all);
    }
    if (buffer.empty() && !eof) wait_for_data();
    return "ok " + fuzz::repr(take(static_cast<std::size_t>(n)));
  }

  std::string readexactly(std::ptrdiff_t n) {
    if (n == 0) return "ok ''";
    const auto want = static_cast<std::size_t>(n);
    while (buffer.size() < want) {
      if (eof) return "IncompleteReadError: partial " + fuzz::repr(take(buffer.size())) + ", expected " + std::to_string(n);
      wait_for_data();
    }
    return "ok " + fuzz::repr(take(want));
  }

  std::string run(const Op& op) {
    switch (op.kind) {
      case 'l': return readline();
      case 'u': return readuntil(op.sep);
      case 'x': return readexactly(op.n);
      case 'r': return read(op.n);
      default: return eof && buffer.empty() ? "at_eof" : "not at_eof";
    }
  }
};

// The same read on the real StreamReader, inside a task; exceptions become the model's words.
std::string run(asyncio::StreamReader& reader, const Op& op) {
  try {
    switch (op.kind) {
      case 'l': return "ok " + fuzz::repr(reader.readline());
      case 'u': return "ok " + fuzz::repr(reader.readuntil(op.sep));
      case 'x': return "ok " + fuzz::repr(reader.readexactly(op.n));
      case 'r': return "ok " + fuzz::repr(reader.read(op.n));
      default: return reader.at_eof() ? "at_eof" : "not at_eof";
    }
  } catch (const asyncio::IncompleteReadError& e) {
    return "IncompleteReadError: partial " + fuzz::repr(e.partial) + ", expected " +
           (e.expected < 0 ? std::string("None") : std::to_string(e.expected));
  } catch (const asyncio::LimitOverrunError& e) {
    return std::string("LimitOverrunError: ") + e.what() + ", consumed " + std::to_string(e.consumed);
  } catch (const asyncio::ValueError& e) {
    return std::string("ValueError: ") + e.what();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Input input = decode(data, size);
  asyncio::BaseEventLoop& loop = fuzz::loop();
  Model model{input.limit, {input.chunks.begin(), input.chunks.end()}, "", false, 0};
  loop.run_until_complete([&] {
    asyncio::StreamReader reader(input.limit);
    auto read_all = asyncio::create_task([&] {
      for (std::size_t i = 0; i < input.ops.size(); ++i) {
        const std::string got = run(reader, input.ops[i]);
        const std::string want = model.run(input.ops[i]);
        if (got != want) fuzz::fail("read " + std::to_string(i) + " (" + input.ops[i].kind + "): got " + got + ", the model says " + want);
        if (reader.buffered() != model.buffer.size())
          fuzz::fail("after read " + std::to_string(i) + ": " + std::to_string(reader.buffered()) + " bytes buffered, the model has " +
                     std::to_string(model.buffer.size()));
      }
    });
    // One chunk per pass (the reader runs first in each), then EOF: the model's wait_for_data.
    auto feed = asyncio::create_task([&] {
      for (const std::string& chunk : input.chunks) {
        reader.feed_data(chunk);
        asyncio::sleep(0);
      }
      reader.feed_eof();
    });
    asyncio::await(read_all);
    asyncio::await(feed);
    // Linear reads: compaction never moves more bytes than the reads took out.
    if (reader.bytes_compacted() > model.fed - model.buffer.size())
      fuzz::fail("compaction moved " + std::to_string(reader.bytes_compacted()) + " bytes, more than the " +
                 std::to_string(model.fed - model.buffer.size()) + " read");
  });
  return 0;
}
