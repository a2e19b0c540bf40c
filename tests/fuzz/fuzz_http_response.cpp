// fuzz_http_response.cpp: libFuzzer target for example 12's response parser
// (examples/http_parse.hpp read_response) fed an arbitrary response in arbitrary chunks, and for
// its URL and --timeout parsers. The parser may accept a response or refuse it with HttpError, nothing else;
// what it accepts keeps its caps (header count, body size).
// Course: docs/11-http-client.md ("Fuzzing the parsers"); input format: tests/fuzz/README.md
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"
#include "fuzz_support.hpp"
#include "http_parse.hpp"

namespace {

void check_url(const std::string& url) {
  try {
    const http::Target t = http::parse_url(url);
    if (t.host.empty() || t.port < 1 || t.port > 65535 || t.path.empty() || t.path[0] != '/')
      fuzz::fail("parse_url accepted " + fuzz::repr(url) + " as host " + fuzz::repr(t.host) + ", port " +
                 std::to_string(t.port) + ", path " + fuzz::repr(t.path));
  } catch (const http::HttpError&) {
  }
}

void check_response(const std::string& response, std::size_t chunk_size) {
  fuzz::loop().run_until_complete([&] {
    asyncio::StreamReader reader;  // open_connection's reader: the default 64 KiB limit
    auto feed = asyncio::create_task([&] {
      for (std::size_t at = 0; at < response.size(); at += chunk_size) {
        reader.feed_data(std::string_view(response).substr(at, chunk_size));
        asyncio::sleep(0);
      }
      reader.feed_eof();
    });
    try {
      const http::Response r = http::read_response(reader);
      if (r.status < 100 || r.status > 599) fuzz::fail("status " + std::to_string(r.status) + " accepted");
      if (r.headers.size() > http::MAX_HEADERS) fuzz::fail(std::to_string(r.headers.size()) + " headers accepted");
      if (r.body.size() > http::MAX_BODY) fuzz::fail(std::to_string(r.body.size()) + " body bytes accepted");
      for (const auto& [name, value] : r.headers)
        if (name.empty() || name.find(':') != std::string::npos) fuzz::fail("header name " + fuzz::repr(name) + " accepted");
    } catch (const http::HttpError& e) {
      if (std::string(e.what()).empty()) fuzz::fail("an HttpError without a message");
    } catch (const std::exception& e) {
      fuzz::fail(std::string("read_response let through ") + e.what());
    }
    asyncio::await(feed);
  });
}

void check_timeout(const std::string& text) {
  try {
    const double seconds = http::parse_timeout(text);
    if (!(seconds > 0) || seconds > 1e21) fuzz::fail("parse_timeout accepted " + fuzz::repr(text) + " as " + std::to_string(seconds));
  } catch (const http::HttpError&) {
  }
}

}  // namespace

// Byte 0: what to parse (0 mod 8: the rest is a URL; 1 mod 8: a --timeout value; else a
// response) and how the response arrives (in chunks of 1..32 bytes, or all at once from 224).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Bytes in(data, size);
  const std::uint8_t mode = in.byte();
  if (mode % 8 == 0) {
    check_url(in.rest());
  } else if (mode % 8 == 1) {
    check_timeout(in.rest());
  } else {
    const std::size_t chunk = mode >= 224 ? size + 1 : 1 + mode % 32;
    check_response(in.rest(), chunk);
  }
  return 0;
}
