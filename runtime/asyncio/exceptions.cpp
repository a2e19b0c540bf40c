// exceptions.cpp: repr()/str() of exceptions as CPython prints them.
// Mirrors Lib/asyncio/exceptions.py and BaseException.__repr__ (Objects/exceptions.c).
// Course: docs/05-futures.md
#include "asyncio/exceptions.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <typeinfo>

namespace asyncio {

OSError::OSError(int err, std::string message)
    : Exception("[Errno " + std::to_string(err) + "] " + message), errno_value_(err) {}

IncompleteReadError::IncompleteReadError(std::string partial_data, std::ptrdiff_t expected_size)
    : EOFError(std::to_string(partial_data.size()) + " bytes read on a total of " +
               (expected_size < 0 ? std::string("None") : std::to_string(expected_size)) +
               " expected bytes"),
      partial(std::move(partial_data)),
      expected(expected_size) {}

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                             std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(mangled);
}

std::string py_repr(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos;
  const bool has_double = s.find('"') != std::string::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c == static_cast<unsigned char>(quote)) {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
          static const char hex[] = "0123456789abcdef";
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += quote;
  return out;
}

namespace {

struct Described {
  std::string name;
  std::string message;
  bool has_message;
};

Described describe_exception(const std::exception_ptr& e) {
  if (!e) return {"None", "", false};
  try {
    std::rethrow_exception(e);
  } catch (const BaseException& ex) {
    return {ex.name(), ex.message(), !ex.message().empty()};
  } catch (const std::exception& ex) {
    return {demangle(typeid(ex).name()), ex.what(), std::strlen(ex.what()) > 0};
  } catch (...) {
    return {"<unknown C++ exception>", "", false};
  }
}

}  // namespace

std::string exception_repr(const std::exception_ptr& e) {
  if (!e) return "None";
  const Described d = describe_exception(e);
  return d.name + "(" + (d.has_message ? py_repr(d.message) : std::string()) + ")";
}

std::string exception_line(const std::exception_ptr& e) {
  const Described d = describe_exception(e);
  return d.has_message ? d.name + ": " + d.message : d.name;
}

std::string exception_str(const std::exception_ptr& e) { return describe_exception(e).message; }

std::string exception_name(const std::exception_ptr& e) { return describe_exception(e).name; }

bool is_cancelled_error(const std::exception_ptr& e) noexcept {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const CancelledError&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace asyncio
