// exceptions.hpp: asyncio's exception classes and the Python builtins they stand on.
// Mirrors Lib/asyncio/exceptions.py and the builtin hierarchy (BaseException > Exception > ...).
// Owns exception names and repr()/str() of any exception, as CPython prints them.
// Course: docs/05-futures.md
#pragma once

#include <cstddef>
#include <exception>
#include <string>

namespace asyncio {

// BaseException: every exception the runtime raises derives from it. name() is the Python class
// name, so repr() can print `ValueError('boom')` as CPython does.
class BaseException : public std::exception {
 public:
  BaseException() = default;
  explicit BaseException(std::string message) : message_(std::move(message)) {}
  // Never empty: without a message, the class name (`KeyboardInterrupt`), as the last line of
  // Python's traceback shows it. message() is Python's str(), which may be empty.
  const char* what() const noexcept override { return message_.empty() ? name() : message_.c_str(); }
  const std::string& message() const noexcept { return message_; }
  virtual const char* name() const noexcept { return "BaseException"; }
  // Python tells CancelledError('') (one empty argument) from CancelledError() in repr();
  // gather's return_exceptions list builds the former. An empty message counts as no argument
  // unless this is set.
  void set_empty_arg_() noexcept { empty_arg_ = true; }
  bool has_args() const noexcept { return !message_.empty() || empty_arg_; }

  // Exception chaining, as Python's __cause__, __context__ and __suppress_context__. Python sets
  // __context__ itself when code raises inside an `except` block; C++ cannot, so raise_from()
  // and raise_in_except() below do it, and the runtime calls them where CPython's code raises
  // while handling another exception (wait_for, timeout(), readline, ...). set_cause() also
  // sets suppress_context, as `raise ... from` and PyException_SetCause do.
  const std::exception_ptr& cause() const noexcept { return cause_; }
  const std::exception_ptr& context() const noexcept { return context_; }
  bool suppress_context() const noexcept { return suppress_context_; }
  void set_cause(std::exception_ptr cause) noexcept {
    cause_ = std::move(cause);
    suppress_context_ = true;
  }
  void set_context(std::exception_ptr context) noexcept { context_ = std::move(context); }
  void set_suppress_context(bool suppress) noexcept { suppress_context_ = suppress; }

 private:
  std::string message_;
  std::exception_ptr cause_;
  std::exception_ptr context_;
  bool empty_arg_ = false;
  bool suppress_context_ = false;
};

// `raise exc from cause` inside an `except` block: the exception being handled (if any) becomes
// exc's context, `cause` its cause (nullptr is `from None`: no cause, context suppressed).
template <class E>
[[noreturn]] void raise_from(E exc, std::exception_ptr cause) {
  exc.set_context(std::current_exception());
  exc.set_cause(std::move(cause));
  throw exc;
}
// exc as `raise exc from cause` makes it while `context` is being handled, for code that has
// the handled exception at hand rather than inside its catch block.
template <class E>
E with_cause(E exc, std::exception_ptr cause, std::exception_ptr context) {
  exc.set_context(std::move(context));
  exc.set_cause(std::move(cause));
  return exc;
}
// `raise error from cause` while `context` is handled, for an exception already made as an
// exception_ptr (by a factory such as make_os_error): sets its chain, then throws it. A cause of
// nullptr is `from None`. An exception that is not one of ours is thrown unchanged.
[[noreturn]] void rethrow_from(std::exception_ptr error, std::exception_ptr cause, std::exception_ptr context);
// `raise exc` inside an `except` block: the exception being handled becomes exc's context.
template <class E>
[[noreturn]] void raise_in_except(E exc) {
  exc.set_context(std::current_exception());
  throw exc;
}

#define ASYNCIO_EXCEPTION_CLASS(Name, Base)                                 \
  class Name : public Base {                                                \
   public:                                                                  \
    using Base::Base;                                                       \
    const char* name() const noexcept override { return #Name; }            \
  }

ASYNCIO_EXCEPTION_CLASS(Exception, BaseException);
ASYNCIO_EXCEPTION_CLASS(RuntimeError, Exception);
ASYNCIO_EXCEPTION_CLASS(NotImplementedError, RuntimeError);
ASYNCIO_EXCEPTION_CLASS(RecursionError, RuntimeError);
ASYNCIO_EXCEPTION_CLASS(ValueError, Exception);
ASYNCIO_EXCEPTION_CLASS(TypeError, Exception);
ASYNCIO_EXCEPTION_CLASS(LookupError, Exception);
ASYNCIO_EXCEPTION_CLASS(KeyError, LookupError);
ASYNCIO_EXCEPTION_CLASS(IndexError, LookupError);
ASYNCIO_EXCEPTION_CLASS(EOFError, Exception);
ASYNCIO_EXCEPTION_CLASS(ZeroDivisionError, Exception);
// The end of an iteration: a generator's return (StopIteration) and an async generator's
// (StopAsyncIteration, what anext raises when the body returns). Future::set_exception refuses
// a plain StopIteration, as futures.py does.
ASYNCIO_EXCEPTION_CLASS(StopIteration, Exception);
ASYNCIO_EXCEPTION_CLASS(StopAsyncIteration, Exception);
// Thrown into a generator that is closed (aclose()) at the point where it is suspended.
ASYNCIO_EXCEPTION_CLASS(GeneratorExit, BaseException);

// OSError carries errno, as Python's does; str() is "[Errno N] strerror" when errno is set.
class OSError : public Exception {
 public:
  OSError() = default;
  explicit OSError(std::string message) : Exception(std::move(message)) {}
  OSError(int err, std::string message);
  int errno_() const noexcept { return errno_value_; }
  // The message without "[Errno N] " (Python's e.strerror).
  const std::string& strerror() const noexcept { return strerror_; }
  const char* name() const noexcept override { return "OSError"; }

 private:
  int errno_value_ = 0;
  std::string strerror_;
};

ASYNCIO_EXCEPTION_CLASS(ConnectionError, OSError);
ASYNCIO_EXCEPTION_CLASS(ConnectionResetError, ConnectionError);
ASYNCIO_EXCEPTION_CLASS(ConnectionRefusedError, ConnectionError);
ASYNCIO_EXCEPTION_CLASS(ConnectionAbortedError, ConnectionError);
ASYNCIO_EXCEPTION_CLASS(BrokenPipeError, ConnectionError);
ASYNCIO_EXCEPTION_CLASS(BlockingIOError, OSError);
ASYNCIO_EXCEPTION_CLASS(InterruptedError, OSError);
ASYNCIO_EXCEPTION_CLASS(FileNotFoundError, OSError);
ASYNCIO_EXCEPTION_CLASS(PermissionError, OSError);
// socket.gaierror: getaddrinfo's failures, with its EAI_* code as the errno.
ASYNCIO_EXCEPTION_CLASS(gaierror, OSError);
// asyncio.TimeoutError is the builtin TimeoutError in 3.11, a subclass of OSError.
ASYNCIO_EXCEPTION_CLASS(TimeoutError, OSError);

// asyncio.CancelledError derives from BaseException (3.8+), so `catch (Exception&)` does not
// swallow a cancellation.
ASYNCIO_EXCEPTION_CLASS(CancelledError, BaseException);
// Ctrl-C: asyncio::run raises it on the second interrupt (or when the main task ends
// cancelled by the first), as 3.11's Runner does. Not an Exception, like CancelledError.
ASYNCIO_EXCEPTION_CLASS(KeyboardInterrupt, BaseException);
// sys.exit() raised as an exception: throw it to leave the loop, as KeyboardInterrupt does.
ASYNCIO_EXCEPTION_CLASS(SystemExit, BaseException);
ASYNCIO_EXCEPTION_CLASS(InvalidStateError, Exception);
ASYNCIO_EXCEPTION_CLASS(SendfileNotAvailableError, RuntimeError);
ASYNCIO_EXCEPTION_CLASS(BrokenBarrierError, RuntimeError);
ASYNCIO_EXCEPTION_CLASS(QueueEmpty, Exception);
ASYNCIO_EXCEPTION_CLASS(QueueFull, Exception);

// IncompleteReadError: EOF before the expected number of bytes; keeps the partial data.
class IncompleteReadError : public EOFError {
 public:
  IncompleteReadError(std::string partial, std::ptrdiff_t expected);
  const char* name() const noexcept override { return "IncompleteReadError"; }
  std::string partial;
  std::ptrdiff_t expected;  // -1 stands for CPython's None (read until EOF)
};

// LimitOverrunError: a separator was not found within the stream's limit; consumed says how
// many bytes are to be consumed.
class LimitOverrunError : public Exception {
 public:
  LimitOverrunError(std::string message, std::size_t consumed_bytes)
      : Exception(std::move(message)), consumed(consumed_bytes) {}
  const char* name() const noexcept override { return "LimitOverrunError"; }
  std::size_t consumed;
};

#undef ASYNCIO_EXCEPTION_CLASS

// OSError(errno, message) as Python builds it: the subclass its errno maps to
// (ECONNRESET -> ConnectionResetError, EAGAIN -> BlockingIOError, ...). The message defaults
// to strerror(errno).
std::exception_ptr make_os_error(int err, std::string message = {});
[[noreturn]] void raise_os_error(int err, std::string message = {});

// Python's repr() of an exception: `ValueError('boom')`, `CancelledError()`. A C++ exception
// that is not one of ours shows its demangled type: `std::runtime_error('boom')`.
std::string exception_repr(const std::exception_ptr& e);
// Python's "Name: message" line, as the last line of a traceback prints it.
std::string exception_line(const std::exception_ptr& e);
// Python's e.__cause__, e.__context__, e.__suppress_context__; nullptr / false for an exception
// that is not one of ours.
std::exception_ptr exception_cause(const std::exception_ptr& e) noexcept;
std::exception_ptr exception_context(const std::exception_ptr& e) noexcept;
bool exception_suppress_context(const std::exception_ptr& e) noexcept;
// traceback.format_exception(e) without the frames C++ cannot see: the chain of causes and
// contexts, oldest first, each as its last traceback line (`asyncio.exceptions.CancelledError`,
// qualified as Python prints a non-builtin class) joined by CPython's two sentences ("The above
// exception was the direct cause of the following exception:", "During handling of the above
// exception, another exception occurred:"). No trailing newline.
std::string format_exception(const std::exception_ptr& e);
// Python's str(): the message alone.
std::string exception_str(const std::exception_ptr& e);
// Python's type(e).__name__.
std::string exception_name(const std::exception_ptr& e);
// True when e holds a CancelledError (or a subclass).
bool is_cancelled_error(const std::exception_ptr& e) noexcept;
// True for KeyboardInterrupt and SystemExit (or subclasses): the two exceptions no callback or
// task may swallow; they leave the loop (Handle._run, Task.__step).
bool is_exit_or_interrupt(const std::exception_ptr& e) noexcept;
// Quote a string as Python's repr() of a str does: 'a', "it's".
std::string py_repr(const std::string& s);
// Python's repr() of a float: the shortest digits that read back the same, fixed notation for
// exponents -4..15 with at least one decimal (1.0, 0.1, 1e-05, 1e+16), inf, -inf, nan.
std::string py_float_repr(double value);
// Demangle a C++ type name for descriptions (`main()::{lambda()#1}`).
std::string demangle(const char* mangled);

}  // namespace asyncio

// ---- ExceptionGroup and BaseExceptionGroup (Python 3.11 builtins; taskgroups.py raises them)
#include <vector>

namespace asyncio {

// What both group classes share, so `catch (const ExceptionGroupBase& eg)` catches either (C++
// has no `except*`). exceptions() keeps every child's exception_ptr, in the order they arrived.
class ExceptionGroupBase {
 public:
  // Python's eg.message: the message without the "(N sub-exceptions)" suffix str() adds.
  const std::string& group_message() const noexcept { return group_message_; }
  const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }

 protected:
  ExceptionGroupBase(std::string message, std::vector<std::exception_ptr> exceptions);
  ~ExceptionGroupBase() = default;

 private:
  std::string group_message_;
  std::vector<std::exception_ptr> exceptions_;
};

// BaseExceptionGroup: some member is not an Exception (KeyboardInterrupt, CancelledError, ...).
// message() is str(eg); exception_repr() prints `BaseExceptionGroup('msg', [KeyboardInterrupt()])`.
class BaseExceptionGroup : public BaseException, public ExceptionGroupBase {
 public:
  BaseExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions);
  const char* name() const noexcept override { return "BaseExceptionGroup"; }
};

// ExceptionGroup: every member is an Exception (a C++ exception that is not one of ours counts
// as one), so `catch (const Exception&)` catches the group, as `except Exception` does.
class ExceptionGroup : public Exception, public ExceptionGroupBase {
 public:
  ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions);
  const char* name() const noexcept override { return "ExceptionGroup"; }
};

// BaseExceptionGroup(message, exceptions) as Python's constructor picks the class: an
// ExceptionGroup when every member is an Exception. Empty -> ValueError, as in Python.
std::exception_ptr make_exception_group(std::string message, std::vector<std::exception_ptr> exceptions);
// True for a member that is an Exception in Python's sense (not CancelledError,
// KeyboardInterrupt, SystemExit or another BaseException-only class).
bool is_exception_subclass(const std::exception_ptr& e) noexcept;

}  // namespace asyncio
