// exceptions.cpp: repr()/str() of exceptions as CPython prints them.
// Mirrors Lib/asyncio/exceptions.py and BaseException.__repr__ (Objects/exceptions.c).
// Course: docs/05-futures.md
#include "asyncio/exceptions.hpp"

#include <cxxabi.h>
#include <errno.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <typeinfo>
#include <vector>

namespace asyncio {

OSError::OSError(int err, std::string message)
    : Exception("[Errno " + std::to_string(err) + "] " + message), errno_value_(err), strerror_(std::move(message)) {}

namespace {
template <class E>
std::exception_ptr os_error_of(int err, std::string message) {
  return std::make_exception_ptr(E(err, std::move(message)));
}
}  // namespace

// The errno table of Objects/exceptions.c (_PyExc_InitState's ADD_ERRNO list).
std::exception_ptr make_os_error(int err, std::string message) {
  if (message.empty()) message = std::strerror(err);
  switch (err) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EALREADY:
    case EINPROGRESS: return os_error_of<BlockingIOError>(err, std::move(message));
    case EPIPE:
    case ESHUTDOWN: return os_error_of<BrokenPipeError>(err, std::move(message));
    case ECONNABORTED: return os_error_of<ConnectionAbortedError>(err, std::move(message));
    case ECONNREFUSED: return os_error_of<ConnectionRefusedError>(err, std::move(message));
    case ECONNRESET: return os_error_of<ConnectionResetError>(err, std::move(message));
    case EINTR: return os_error_of<InterruptedError>(err, std::move(message));
    case ENOENT: return os_error_of<FileNotFoundError>(err, std::move(message));
    case EACCES:
    case EPERM: return os_error_of<PermissionError>(err, std::move(message));
    case ETIMEDOUT: return os_error_of<TimeoutError>(err, std::move(message));
    default: return os_error_of<OSError>(err, std::move(message));
  }
}

void raise_os_error(int err, std::string message) { std::rethrow_exception(make_os_error(err, std::move(message))); }

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

std::string py_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // The shortest round-trip digits and their exponent, e.g. "1.2345e+02", then Python's layout.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  const std::string sci(buf, res.ptr);
  const auto e_pos = sci.find('e');
  const int exponent = std::stoi(sci.substr(e_pos + 1));
  std::string mantissa = sci.substr(0, e_pos);
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa)
    if (c != '.') digits += c;
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else {
      const auto int_len = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= int_len) {
        out += digits + std::string(int_len - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, int_len) + "." + digits.substr(int_len);
      }
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char exp_buf[16];
  std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out + exp_buf;
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
    return {ex.name(), ex.message(), ex.has_args()};
  } catch (const std::exception& ex) {
    return {demangle(typeid(ex).name()), ex.what(), std::strlen(ex.what()) > 0};
  } catch (...) {
    return {"<unknown C++ exception>", "", false};
  }
}

}  // namespace

namespace {
std::string exception_group_repr(const std::exception_ptr& e);
}  // namespace

std::string exception_repr(const std::exception_ptr& e) {
  if (!e) return "None";
  if (std::string group = exception_group_repr(e); !group.empty()) return group;
  // OSError(errno, strerror) prints both arguments: ConnectionResetError(104, 'Connection ...').
  try {
    std::rethrow_exception(e);
  } catch (const OSError& os) {
    if (os.errno_() != 0) return std::string(os.name()) + "(" + std::to_string(os.errno_()) + ", " + py_repr(os.strerror()) + ")";
  } catch (...) {
  }
  const Described d = describe_exception(e);
  return d.name + "(" + (d.has_message ? py_repr(d.message) : std::string()) + ")";
}

std::string exception_line(const std::exception_ptr& e) {
  const Described d = describe_exception(e);
  return d.message.empty() ? d.name : d.name + ": " + d.message;
}

namespace {
const BaseException* ours(const std::exception_ptr& e) noexcept {
  if (!e) return nullptr;
  try {
    std::rethrow_exception(e);
  } catch (const BaseException& ex) {
    return &ex;  // the object lives as long as e does
  } catch (...) {
    return nullptr;
  }
}

// The module traceback prints before a class name that is not a builtin.
const char* module_prefix(const std::string& name) {
  for (const char* n : {"CancelledError", "InvalidStateError", "SendfileNotAvailableError", "IncompleteReadError",
                        "LimitOverrunError", "BrokenBarrierError"})
    if (name == n) return "asyncio.exceptions.";
  if (name == "QueueEmpty" || name == "QueueFull") return "asyncio.queues.";
  if (name == "gaierror") return "socket.";
  return "";
}
}  // namespace

void rethrow_from(std::exception_ptr error, std::exception_ptr cause, std::exception_ptr context) {
  try {
    std::rethrow_exception(error);
  } catch (BaseException& raised) {
    raised.set_context(std::move(context));
    raised.set_cause(std::move(cause));
  } catch (...) {
  }
  std::rethrow_exception(error);
}

std::exception_ptr exception_cause(const std::exception_ptr& e) noexcept {
  const BaseException* ex = ours(e);
  return ex ? ex->cause() : nullptr;
}

std::exception_ptr exception_context(const std::exception_ptr& e) noexcept {
  const BaseException* ex = ours(e);
  return ex ? ex->context() : nullptr;
}

bool exception_suppress_context(const std::exception_ptr& e) noexcept {
  const BaseException* ex = ours(e);
  return ex && ex->suppress_context();
}

// traceback.TracebackException.format: walk from the newest exception to the oldest through
// __cause__, else __context__ unless suppressed, stopping at one already seen; print oldest first.
std::string format_exception(const std::exception_ptr& e) {
  struct Link {
    const char* message;  // the sentence printed before this exception, or nullptr
    std::exception_ptr exception;
  };
  std::vector<Link> chain;
  std::vector<std::exception_ptr> seen;
  std::exception_ptr exc = e;
  while (exc && std::find(seen.begin(), seen.end(), exc) == seen.end()) {
    seen.push_back(exc);
    const BaseException* ex = ours(exc);
    std::exception_ptr next;
    const char* next_message = nullptr;
    if (ex && ex->cause()) {
      next = ex->cause();
      next_message = "The above exception was the direct cause of the following exception:";
    } else if (ex && ex->context() && !ex->suppress_context()) {
      next = ex->context();
      next_message = "During handling of the above exception, another exception occurred:";
    }
    chain.push_back({next ? next_message : nullptr, exc});
    exc = next;
  }
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    // An exception reached again (a cycle) is not printed twice, nor the sentence leading to it.
    if (it->message && !out.empty()) out += std::string("\n\n") + it->message + "\n\n";
    const Described d = describe_exception(it->exception);
    const std::string name = module_prefix(d.name) + d.name;
    out += d.message.empty() ? name : name + ": " + d.message;
  }
  return out;
}

std::string exception_str(const std::exception_ptr& e) { return describe_exception(e).message; }

std::string exception_name(const std::exception_ptr& e) { return describe_exception(e).name; }

namespace {
// Whether a `catch (const T&)` would take the exception e holds, asked of the type information
// the catch itself would use (libstdc++'s type_info::__do_catch, what the personality routine
// calls) instead of rethrowing and catching: a rethrow unwinds (two phases over the frames up to
// the handler), ~10,000 instructions; this is a comparison for the exact type, a walk up the
// base classes otherwise. libstdc++'s exception_ptr is the thrown object's address, which the
// walk needs to find a virtual base.
template <class T>
bool holds(const std::exception_ptr& e) noexcept {
  static_assert(sizeof(std::exception_ptr) == sizeof(void*));
  if (!e) return false;
  const std::type_info* type = e.__cxa_exception_type();
  if (!type) return false;
  if (*type == typeid(T)) return true;
  void* object = nullptr;
  std::memcpy(&object, &e, sizeof object);
  return typeid(T).__do_catch(type, &object, 1);
}
}  // namespace

bool is_cancelled_error(const std::exception_ptr& e) noexcept { return holds<CancelledError>(e); }

bool is_exit_or_interrupt(const std::exception_ptr& e) noexcept {
  // Every cancelled task asks this of its CancelledError: answered by one pointer comparison
  // (type_info's == and the base-class walk compare names with strcmp when the types differ).
  if (const std::type_info* type = e ? e.__cxa_exception_type() : nullptr;
      type && type->name() == typeid(CancelledError).name())
    return false;
  return holds<KeyboardInterrupt>(e) || holds<SystemExit>(e);
}

// ---- ExceptionGroup and BaseExceptionGroup

ExceptionGroupBase::ExceptionGroupBase(std::string message, std::vector<std::exception_ptr> exceptions)
    : group_message_(std::move(message)), exceptions_(std::move(exceptions)) {}

namespace {
// str(eg): "unhandled errors in a TaskGroup (2 sub-exceptions)".
std::string group_str(const std::string& message, std::size_t n) {
  return message + " (" + std::to_string(n) + (n == 1 ? " sub-exception)" : " sub-exceptions)");
}
}  // namespace

BaseExceptionGroup::BaseExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
    : BaseException(group_str(message, exceptions.size())),
      ExceptionGroupBase(std::move(message), std::move(exceptions)) {}

ExceptionGroup::ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
    : Exception(group_str(message, exceptions.size())),
      ExceptionGroupBase(std::move(message), std::move(exceptions)) {}

bool is_exception_subclass(const std::exception_ptr& e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const Exception&) {
    return true;
  } catch (const BaseException&) {
    return false;
  } catch (...) {
    return true;
  }
}

std::exception_ptr make_exception_group(std::string message, std::vector<std::exception_ptr> exceptions) {
  if (exceptions.empty()) throw ValueError("second argument (exceptions) must be a non-empty sequence");
  for (const std::exception_ptr& e : exceptions)
    if (!is_exception_subclass(e))
      return std::make_exception_ptr(BaseExceptionGroup(std::move(message), std::move(exceptions)));
  return std::make_exception_ptr(ExceptionGroup(std::move(message), std::move(exceptions)));
}

namespace {
// repr() of a group: `ExceptionGroup('msg', [ValueError('a'), KeyError('b')])`; "" otherwise.
std::string exception_group_repr(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const ExceptionGroupBase& group) {
    std::string out = exception_name(e) + "(" + py_repr(group.group_message()) + ", [";
    for (std::size_t i = 0; i < group.exceptions().size(); ++i)
      out += (i ? ", " : "") + exception_repr(group.exceptions()[i]);
    return out + "])";
  } catch (...) {
    return {};
  }
}
}  // namespace

}  // namespace asyncio
