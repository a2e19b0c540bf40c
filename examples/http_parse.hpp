// http_parse.hpp: a careful reader of one HTTP/1.1 response from a StreamReader, for example 12.
// Every check a client owes a server it does not trust: the status line, each header line, caps on
// header count and size and on the body, Content-Length or chunked framing, EOF anywhere.
// Chapter: docs/11-http-client.md · Python twin: examples/http_parse.py (same checks, same messages)
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace http {

inline constexpr std::size_t MAX_LINE = 8192;        // one status or header line, line end included
inline constexpr std::size_t MAX_HEADERS = 100;      // header lines (and trailer lines)
inline constexpr std::size_t MAX_HEAD = 65536;       // status line and headers together
inline constexpr std::size_t MAX_BODY = 1 << 20;     // the body, however it is framed
inline constexpr int MAX_INTERIM = 10;                // interim (1xx) responses before the final one

struct HttpError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Response {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
};

// Bytes as a quoted, escaped, shortened string, the same in C++ and Python.
inline std::string show(const std::string& data, std::size_t most = 40) {
  std::string out = "'";
  for (std::size_t i = 0; i < data.size() && i < most; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    static const char* hex = "0123456789abcdef";
    if (c == '\'' || c == '\\') out += {'\\', static_cast<char>(c)};
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else out += {'\\', 'x', hex[c >> 4], hex[c & 15]};
  }
  return out + (data.size() > most ? "'..." : "'");
}

// One line without its "\r\n" or "\n" (both accepted). EOF before the line end is an error, never
// an empty line: a loop on readline() that waits for "" would spin forever at EOF. `at_eof`, if
// given, is the error when the connection closed before the line's first byte.
inline std::string read_line(asyncio::StreamReader& reader, const char* where, const std::string& at_eof = "") {
  std::string line;
  try {
    line = reader.readuntil("\n");
  } catch (const asyncio::IncompleteReadError& e) {
    throw HttpError(e.partial.empty() && !at_eof.empty() ? at_eof : std::string("connection closed inside the ") + where);
  } catch (const asyncio::LimitOverrunError&) {
    throw HttpError(std::string(where) + " too long (more than " + std::to_string(MAX_LINE) + " bytes)");
  }
  if (line.size() > MAX_LINE) throw HttpError(std::string(where) + " too long (more than " + std::to_string(MAX_LINE) + " bytes)");
  line.pop_back();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

inline bool is_token(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && std::string("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string::npos) return false;
  return true;
}

inline std::string trim(const std::string& s) {
  const std::size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Header (or trailer) lines up to the blank line: "name: value", at most MAX_HEADERS of them.
inline std::vector<std::pair<std::string, std::string>> read_fields(asyncio::StreamReader& reader, const char* where,
                                                                     std::size_t head_size) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (std::string line = read_line(reader, where); !line.empty(); line = read_line(reader, where)) {
    head_size += line.size() + 2;
    if (head_size > MAX_HEAD) throw HttpError(std::string(where) + "s too large (more than " + std::to_string(MAX_HEAD) + " bytes)");
    if (fields.size() == MAX_HEADERS) throw HttpError("too many " + std::string(where) + "s (more than " + std::to_string(MAX_HEADERS) + ")");
    const std::size_t colon = line.find(':');
    std::string name = line.substr(0, colon == std::string::npos ? 0 : colon);
    if (colon == std::string::npos || !is_token(name)) throw HttpError("bad " + std::string(where) + ": " + show(line));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    fields.emplace_back(name, trim(line.substr(colon + 1)));
  }
  return fields;
}

// A decimal or hex number of at most `digits` digits, or -1.
inline long long parse_number(const std::string& s, int base, std::size_t digits) {
  if (s.empty() || s.size() > digits) return -1;
  long long n = 0;
  for (unsigned char c : s) {
    const int d = std::isdigit(c) ? c - '0' : base == 16 && std::isxdigit(c) ? std::tolower(c) - 'a' + 10 : -1;
    if (d < 0) return -1;
    n = n * base + d;
  }
  return n;
}

inline std::string too_large(long long n) {
  return "body too large: " + std::to_string(n) + " bytes is over the limit of " + std::to_string(MAX_BODY);
}

inline std::string read_exactly(asyncio::StreamReader& reader, std::size_t n, const char* where) {
  try {
    return reader.readexactly(static_cast<std::ptrdiff_t>(n));
  } catch (const asyncio::IncompleteReadError& e) {
    throw HttpError("connection closed inside the " + std::string(where) + " (" + std::to_string(e.partial.size()) +
                    " of " + std::to_string(n) + " bytes)");
  }
}

inline std::string read_chunked(asyncio::StreamReader& reader) {
  std::string body;
  for (;;) {
    const std::string line = read_line(reader, "chunk size line");
    const std::string size_text = trim(line.substr(0, line.find(';')));
    const long long size = parse_number(size_text, 16, 8);
    if (size < 0) throw HttpError("bad chunk size: " + show(line));
    if (size == 0) break;
    if (body.size() + static_cast<std::size_t>(size) > MAX_BODY) throw HttpError(too_large(static_cast<long long>(body.size()) + size));
    body += read_exactly(reader, static_cast<std::size_t>(size), "chunk");
    if (!read_line(reader, "chunk").empty()) throw HttpError("bad chunk: no line end after its " + size_text + " bytes");
  }
  read_fields(reader, "trailer line", 0);
  return body;
}

// "HTTP/1.x NNN reason": the status code and the reason, or HttpError.
inline std::pair<int, std::string> parse_status_line(const std::string& status_line) {
  const std::size_t sp = status_line.find(' ');
  const std::string code = status_line.substr(sp == std::string::npos ? 0 : sp + 1, 3);
  const bool version_ok = status_line.size() >= 8 && status_line.compare(0, 7, "HTTP/1.") == 0 &&
                          std::isdigit(static_cast<unsigned char>(status_line[7])) && sp == 8;
  const long long status = parse_number(code, 10, 3);
  const bool tail_ok = status_line.size() == 12 || (status_line.size() > 12 && status_line[12] == ' ');
  if (!version_ok || code.size() != 3 || status < 100 || status > 599 || !tail_ok)
    throw HttpError("bad status line: " + show(status_line));
  return {static_cast<int>(status), status_line.size() > 13 ? status_line.substr(13) : ""};
}

inline Response read_response(asyncio::StreamReader& reader) {
  Response r;
  std::string status_line;
  // Interim responses (1xx: 100 Continue, 103 Early Hints, ...) come before the final one: a
  // status line and headers, no body. Skip them; 101 only answers an upgrade we never ask for.
  for (int interim = 0;; ++interim) {
    status_line = read_line(reader, "status line",
                            interim == 0 ? "empty response: the connection closed before the status line"
                                         : "connection closed after " + std::to_string(interim) + " interim (1xx) response" +
                                               (interim == 1 ? "" : "s") + ", before the final one");
    std::tie(r.status, r.reason) = parse_status_line(status_line);
    if (r.status >= 200) break;
    if (r.status == 101) throw HttpError("unexpected 101 Switching Protocols: this client asked for no upgrade");
    if (interim == MAX_INTERIM) throw HttpError("too many interim (1xx) responses (more than " + std::to_string(MAX_INTERIM) + ")");
    read_fields(reader, "header line", status_line.size() + 2);
  }
  r.headers = read_fields(reader, "header line", status_line.size() + 2);

  std::string length_text, encoding;
  for (const auto& [name, value] : r.headers) {
    if (name == "content-length") {
      if (!length_text.empty() && value != length_text)
        throw HttpError("conflicting Content-Length headers: " + show(length_text) + " and " + show(value));
      length_text = value;
    } else if (name == "transfer-encoding") {
      encoding = value;
    }
  }
  if (!encoding.empty() && !length_text.empty()) throw HttpError("both Transfer-Encoding and Content-Length given");
  if (r.status == 204 || r.status == 304) return r;
  if (!encoding.empty()) {
    std::string lower = encoding;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != "chunked") throw HttpError("unsupported Transfer-Encoding: " + show(encoding));
    r.body = read_chunked(reader);
  } else if (!length_text.empty()) {
    const long long length = parse_number(length_text, 10, 18);
    if (length < 0) throw HttpError("bad Content-Length: " + show(length_text));
    if (static_cast<unsigned long long>(length) > MAX_BODY) throw HttpError(too_large(length));
    r.body = read_exactly(reader, static_cast<std::size_t>(length), "body");
  } else {  // no framing: the body runs to EOF
    r.body = reader.read(static_cast<std::ptrdiff_t>(MAX_BODY) + 1);
    while (r.body.size() <= MAX_BODY) {
      const std::string more = reader.read(static_cast<std::ptrdiff_t>(MAX_BODY + 1 - r.body.size()));
      if (more.empty()) break;
      r.body += more;
    }
    if (r.body.size() > MAX_BODY) throw HttpError("body too large: more than " + std::to_string(MAX_BODY) + " bytes");
  }
  return r;
}

// --timeout's value: seconds written as digits with at most one '.', above 0; else a usage error.
inline double parse_timeout(const std::string& text) {
  const bool digits_only = text.find_first_not_of("0123456789.") == std::string::npos &&
                           text.find_first_of("0123456789") != std::string::npos &&
                           text.find('.') == text.rfind('.') && text.size() <= 20;
  const double seconds = digits_only ? std::stod(text) : 0.0;
  if (!(seconds > 0)) throw HttpError("bad --timeout value: " + show(text) + " (seconds: a number above 0, such as 2.5)");
  return seconds;
}

struct Target {
  std::string host;
  int port;
  std::string path, label;
};

// "http://host[:port][/path]"; anything else is a usage error.
inline Target parse_url(const std::string& url) {
  const std::string rest = url.rfind("http://", 0) == 0 ? url.substr(7) : "";
  const std::size_t slash = std::min(rest.find('/'), rest.size()), colon = rest.substr(0, slash).find(':');
  Target t{rest.substr(0, std::min(colon, slash)), 80, slash < rest.size() ? rest.substr(slash) : "/", url};
  if (colon != std::string::npos) {
    const long long port = parse_number(rest.substr(colon + 1, slash - colon - 1), 10, 5);
    t.port = port >= 1 && port <= 65535 ? static_cast<int>(port) : 0;
  }
  if (t.host.empty() || t.port == 0) throw HttpError("not an http://host[:port]/path URL: " + show(url));
  return t;
}

}  // namespace http
