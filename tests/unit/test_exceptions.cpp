// test_exceptions.cpp: repr() and str() of exceptions, as CPython prints them.
#include <doctest/doctest.h>

#include <iterator>
#include <stdexcept>
#include <type_traits>

#include "asyncio/exceptions.hpp"

using namespace asyncio;

TEST_SUITE("exceptions") {
  TEST_CASE("repr of an exception with a message quotes it as Python does") {
    CHECK(exception_repr(std::make_exception_ptr(ValueError("boom"))) == "ValueError('boom')");
    CHECK(exception_repr(std::make_exception_ptr(ValueError("it's"))) == "ValueError(\"it's\")");
  }
  TEST_CASE("repr of an exception without a message has empty parentheses") {
    CHECK(exception_repr(std::make_exception_ptr(CancelledError())) == "CancelledError()");
  }
  TEST_CASE("a C++ standard exception shows its demangled type") {
    CHECK(exception_repr(std::make_exception_ptr(std::runtime_error("x"))) == "std::runtime_error('x')");
  }
  TEST_CASE("CancelledError is not an Exception, TimeoutError is an OSError") {
    CHECK_FALSE(std::is_base_of_v<Exception, CancelledError>);
    CHECK(std::is_base_of_v<BaseException, CancelledError>);
    CHECK(std::is_base_of_v<OSError, TimeoutError>);
    CHECK(is_cancelled_error(std::make_exception_ptr(CancelledError("m"))));
    CHECK_FALSE(is_cancelled_error(std::make_exception_ptr(ValueError("m"))));
  }
  TEST_CASE("is_cancelled_error and is_exit_or_interrupt answer as a catch clause would, subclasses too") {
    // They read the thrown type instead of rethrowing (a rethrow cost a cancelled task ~10,000
    // instructions): each answer must still be what `catch (const X&)` decides.
    struct MyCancelled : CancelledError {
      using CancelledError::CancelledError;
    };
    struct MyExit : SystemExit {};
    struct Mixed : std::runtime_error, KeyboardInterrupt {  // the base at a non-zero offset
      Mixed() : std::runtime_error("x") {}
    };
    struct Virtual : virtual KeyboardInterrupt {};  // a virtual base: found through the object
    const auto by_catch = [](const std::exception_ptr& e, auto tag) {
      try {
        std::rethrow_exception(e);
      } catch (const typename decltype(tag)::type&) {
        return true;
      } catch (...) {
        return false;
      }
    };
    const std::exception_ptr all[] = {
        std::make_exception_ptr(CancelledError()),  std::make_exception_ptr(MyCancelled("m")),
        std::make_exception_ptr(ValueError("v")),   std::make_exception_ptr(TimeoutError()),
        std::make_exception_ptr(KeyboardInterrupt()), std::make_exception_ptr(SystemExit()),
        std::make_exception_ptr(MyExit()),          std::make_exception_ptr(Mixed()),
        std::make_exception_ptr(Virtual()),         std::make_exception_ptr(std::runtime_error("r")),
        std::make_exception_ptr(42),
    };
    const bool cancelled[] = {true, true, false, false, false, false, false, false, false, false, false};
    const bool exiting[] = {false, false, false, false, true, true, true, true, true, false, false};
    for (std::size_t i = 0; i < std::size(all); ++i) {
      CAPTURE(i);
      CHECK(is_cancelled_error(all[i]) == cancelled[i]);
      CHECK(is_cancelled_error(all[i]) == by_catch(all[i], std::type_identity<CancelledError>{}));
      CHECK(is_exit_or_interrupt(all[i]) == exiting[i]);
      CHECK(is_exit_or_interrupt(all[i]) == (by_catch(all[i], std::type_identity<KeyboardInterrupt>{}) ||
                                            by_catch(all[i], std::type_identity<SystemExit>{})));
    }
    CHECK_FALSE(is_cancelled_error(nullptr));
    CHECK_FALSE(is_exit_or_interrupt(nullptr));
  }
  TEST_CASE("OSError with errno formats as [Errno N] message") {
    CHECK(exception_line(std::make_exception_ptr(OSError(9, "Bad file descriptor"))) ==
          "OSError: [Errno 9] Bad file descriptor");
  }
  TEST_CASE("IncompleteReadError keeps the partial data and says what was expected") {
    IncompleteReadError e("abc", 10);
    CHECK(e.partial == "abc");
    CHECK(std::string(e.what()) == "3 bytes read on a total of 10 expected bytes");
  }

  TEST_CASE("floats print as Python's repr prints them: shortest round-trip, one decimal at least") {
    // Each expected text is what python3 prints for repr(x).
    CHECK(py_float_repr(1.0) == "1.0");
    CHECK(py_float_repr(0.1) == "0.1");
    CHECK(py_float_repr(2.5) == "2.5");
    CHECK(py_float_repr(-3.0) == "-3.0");
    CHECK(py_float_repr(0.0) == "0.0");
    CHECK(py_float_repr(1e-05) == "1e-05");
    CHECK(py_float_repr(0.0001) == "0.0001");
    CHECK(py_float_repr(1e16) == "1e+16");
    CHECK(py_float_repr(123456789012345.0) == "123456789012345.0");
    CHECK(py_float_repr(1.5e300) == "1.5e+300");
    CHECK(py_float_repr(0.1 + 0.2) == "0.30000000000000004");
    CHECK(py_float_repr(1.0 / 0.0) == "inf");
    CHECK(py_float_repr(-1.0 / 0.0) == "-inf");
  }
}
