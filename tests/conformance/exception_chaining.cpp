// Rule: an exception raised while another is handled keeps it as __context__; `raise X from Y`
// sets __cause__ and suppresses the context; asyncio's own code chains where 3.11's does
// (wait_for and timeout(): TimeoutError from the CancelledError, which is also the context;
// readline: ValueError during the LimitOverrunError; TaskGroup: `raise me from None`), and the
// exception handler and "never retrieved" logs print the chain as traceback does.
// C++: asyncio::raise_from / raise_in_except, exception_cause / exception_context,
// format_exception (the chain without frames, which C++ does not have).
#include <cstdio>
#include <exception>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

using asyncio::exception_repr;

void show(const char* tag, const std::exception_ptr& e) {
  std::printf("%s: %s cause=%s context=%s suppress=%s\n", tag, exception_repr(e).c_str(),
              exception_repr(asyncio::exception_cause(e)).c_str(), exception_repr(asyncio::exception_context(e)).c_str(),
              asyncio::exception_suppress_context(e) ? "True" : "False");
}

void show_chain(const char* tag, const std::exception_ptr& e) {
  show(tag, e);
  std::printf("%s\n", asyncio::format_exception(e).c_str());
}

void bad_callback() {
  try {
    throw asyncio::ValueError("inner");
  } catch (const asyncio::ValueError&) {
    asyncio::raise_from(asyncio::RuntimeError("outer"), std::current_exception());
  }
}

void fails() { throw asyncio::ValueError("child"); }

void body() {
  try {
    asyncio::wait_for([] { asyncio::sleep(10); }, 0.01);
  } catch (const asyncio::TimeoutError&) {
    show_chain("wait_for", std::current_exception());
  }
  try {
    asyncio::wait_for([] { asyncio::sleep(10); }, 0);
  } catch (const asyncio::TimeoutError&) {
    show("wait_for(0)", std::current_exception());
  }
  try {
    asyncio::timeout(0.01, [] { asyncio::sleep(10); });
  } catch (const asyncio::TimeoutError&) {
    show_chain("timeout", std::current_exception());
  }
  asyncio::StreamReader reader(4);
  reader.feed_data("abcdefgh\n");
  try {
    reader.readline();
  } catch (const asyncio::ValueError&) {
    show_chain("readline", std::current_exception());
  }
  try {
    asyncio::task_group([](asyncio::TaskGroup& tg) { tg.create_task(fails); });
  } catch (const asyncio::ExceptionGroup&) {
    show("taskgroup", std::current_exception());
  }

  try {
    try {
      throw asyncio::ValueError("first");
    } catch (const asyncio::ValueError&) {
      asyncio::raise_in_except(asyncio::RuntimeError("second"));
    }
  } catch (const asyncio::RuntimeError&) {
    show_chain("implicit", std::current_exception());
  }
  try {
    try {
      throw asyncio::ValueError("first");
    } catch (const asyncio::ValueError&) {
      asyncio::raise_from(asyncio::RuntimeError("second"), std::current_exception());
    }
  } catch (const asyncio::RuntimeError&) {
    show_chain("explicit", std::current_exception());
  }
  try {
    try {
      throw asyncio::ValueError("first");
    } catch (const asyncio::ValueError&) {
      asyncio::raise_from(asyncio::RuntimeError("second"), nullptr);
    }
  } catch (const asyncio::RuntimeError&) {
    show_chain("from None", std::current_exception());
  }
  try {
    try {
      try {
        throw asyncio::ValueError("one");
      } catch (const asyncio::ValueError&) {
        asyncio::raise_from(asyncio::LookupError("two"), std::current_exception());
      }
    } catch (const asyncio::LookupError&) {
      asyncio::raise_in_except(asyncio::RuntimeError("three"));
    }
  } catch (const asyncio::RuntimeError&) {
    show_chain("three deep", std::current_exception());
  }

  auto& loop = asyncio::get_running_loop();
  loop.call_soon(bad_callback, "bad_callback");
  asyncio::sleep(0);
  {
    auto fut = loop.create_future<int>();
    try {
      bad_callback();
    } catch (const asyncio::RuntimeError&) {
      fut.set_exception(std::current_exception());
    }
  }
  std::printf("done\n");
}

}  // namespace

int main() {
  asyncio::set_log_sink([](asyncio::LogLevel, const std::string& text) { std::printf("ERROR %s\n", text.c_str()); });
  asyncio::run(body);
}
