// test_events.cpp: Handle, TimerHandle and the functions that find the current loop.
// Mirrors Lib/test/test_asyncio/test_events.py (HandleTests, TimerTests, PolicyTests) in spirit;
// expected strings were checked against CPython 3.11.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "asyncio/asyncio.hpp"
#include "test_support.hpp"

using namespace asyncio;
using test_support::TestLoop;

TEST_SUITE("events") {
  TEST_CASE("cancelling a handle releases what its callback captured at once") {
    TestLoop loop;
    auto payload = std::make_shared<int>(7);
    HandleRef h = loop->call_soon([payload] { (void)*payload; });
    CHECK(payload.use_count() == 2);
    CHECK_FALSE(h->cancelled());
    h->cancel();
    CHECK(h->cancelled());
    // CPython sets _callback and _args to None in Handle.cancel.
    CHECK(payload.use_count() == 1);
    h->cancel();  // a second cancel changes nothing
    CHECK(h->cancelled());
  }

  TEST_CASE("a cancelled handle is skipped when its turn comes") {
    TestLoop loop;
    int ran = 0;
    HandleRef h = loop->call_soon([&] { ++ran; });
    loop->call_soon([&] { ran += 10; });
    h->cancel();
    loop->run_once();
    CHECK(ran == 10);
    CHECK(loop->ready_count() == 0);
  }

  TEST_CASE("a named callback is described by its name, an unnamed one by its lambda type") {
    TestLoop loop;
    HandleRef named = loop->call_soon([] {}, "tick");
    CHECK(named->description() == "tick()");
    CHECK(named->repr() == "<Handle tick()>");

    HandleRef unnamed = loop->call_soon([] {});
    const std::string d = unnamed->description();
    CHECK((d.find("lambda") != std::string::npos || d.find("$_") != std::string::npos));  // GCC: {lambda()#1}, Clang: $_0
    CHECK(d.size() > 2);
    CHECK(d.substr(d.size() - 2) == "()");
    CHECK(unnamed->repr() == "<Handle " + d + ">");
  }

  TEST_CASE("a cancelled handle's repr says cancelled and drops the callback, as CPython's") {
    // python3: h = loop.call_soon(tick); h.cancel(); repr(h) -> '<Handle cancelled>'
    TestLoop loop;
    HandleRef h = loop->call_soon([] {}, "tick");
    h->cancel();
    CHECK(h->repr() == "<Handle cancelled>");
    // The description stays available for traces.
    CHECK(h->description() == "tick()");
  }

  TEST_CASE("in debug mode a cancelled handle keeps its callback in repr") {
    // CPython saves repr(self) in Handle.cancel when the loop is in debug mode.
    TestLoop loop;
    loop->set_debug(true);
    HandleRef h = loop->call_soon([] {}, "tick");
    h->cancel();
    CHECK(h->repr() == "<Handle cancelled tick()>");
  }

  TEST_CASE("a timer handle reports its deadline in when() and repr") {
    TestLoop loop;
    TimerHandleRef t = loop->call_at(12.5, [] {}, "tick");
    CHECK(t->when() == 12.5);
    CHECK(t->repr() == "<TimerHandle when=12.5 tick()>");
    t->cancel();
    CHECK(t->cancelled());
    // python3: t = loop.call_at(12.5, tick); t.cancel(); repr(t) -> '<TimerHandle cancelled when=12.5>'
    CHECK(t->repr() == "<TimerHandle cancelled when=12.5>");
  }

  TEST_CASE("call_later's deadline is the loop's time plus the delay") {
    TestLoop loop;
    const double before = loop->time();
    TimerHandleRef t = loop->call_later(10.0, [] {});
    const double after = loop->time();
    CHECK(t->when() >= before + 10.0);
    CHECK(t->when() <= after + 10.0);
    CHECK(t->get_loop() == loop.loop.get());
  }

  TEST_CASE("get_running_loop outside a loop raises RuntimeError") {
    CHECK(get_running_loop_or_null() == nullptr);
    CHECK_THROWS_WITH_AS(get_running_loop(), "no running event loop", RuntimeError);
  }

  TEST_CASE("get_running_loop inside a callback returns the loop running it") {
    TestLoop loop;
    BaseEventLoop* seen = nullptr;
    loop->call_soon([&] {
      seen = &get_running_loop();
      loop->stop();
    });
    loop->run_forever();
    CHECK(seen == loop.loop.get());
    CHECK(get_running_loop_or_null() == nullptr);
  }

  TEST_CASE("get_event_loop returns the loop set with set_event_loop, or the running one") {
    TestLoop set_loop;
    TestLoop other;
    set_event_loop(set_loop.loop);
    CHECK(&get_event_loop() == set_loop.loop.get());
    CHECK(&get_event_loop() == &get_event_loop());

    // While a loop runs, get_event_loop returns it rather than the thread's loop.
    BaseEventLoop* inside = nullptr;
    other->call_soon([&] {
      inside = &get_event_loop();
      other->stop();
    });
    other->run_forever();
    CHECK(inside == other.loop.get());
    CHECK(&get_event_loop() == set_loop.loop.get());

    set_event_loop(nullptr);
  }

  TEST_CASE("get_event_loop with no loop set creates one and keeps returning it") {
    set_event_loop(nullptr);
    BaseEventLoop& first = get_event_loop();
    CHECK(&get_event_loop() == &first);
    CHECK_FALSE(first.is_closed());
    first.close();
    set_event_loop(nullptr);
  }

  TEST_CASE("new_event_loop returns a new open loop each time") {
    TestLoop a;
    TestLoop b;
    CHECK(a.loop.get() != b.loop.get());
    CHECK_FALSE(a->is_closed());
    CHECK_FALSE(a->is_running());
    CHECK(std::string(a->selector().kind()) == "epoll");
    TestLoop p("poll");
    CHECK(std::string(p->selector().kind()) == "poll");
  }
}
