// test_selectors.cpp: the select, poll and epoll selectors against real sockets and pipes.
// Mirrors Lib/test/test_selectors.py in spirit: every behaviour is checked on all three kinds.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "asyncio/exceptions.hpp"
#include "asyncio/selectors.hpp"
#include "test_support.hpp"

using asyncio::selectors::EpollSelector;
using asyncio::selectors::PollSelector;
using asyncio::selectors::SelectSelector;

TYPE_TO_STRING(asyncio::selectors::SelectSelector);
TYPE_TO_STRING(asyncio::selectors::PollSelector);
TYPE_TO_STRING(asyncio::selectors::EpollSelector);

namespace {

namespace sel = asyncio::selectors;
using Clock = std::chrono::steady_clock;

using test_support::SocketPair;

void write_byte(int fd) { REQUIRE(::write(fd, "x", 1) == 1); }

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// An fd number that is certainly not open in this process.
int not_open_fd() {
  constexpr int fd = 1000;
  errno = 0;
  REQUIRE(::fcntl(fd, F_GETFD) == -1);
  REQUIRE(errno == EBADF);
  return fd;
}

volatile std::sig_atomic_t g_alarms = 0;
extern "C" void on_alarm(int) { g_alarms = g_alarms + 1; }

// Installs a SIGALRM handler *without* SA_RESTART, so a pending select()/poll()/epoll_wait()
// fails with EINTR, and arms a one-shot timer; restores everything on scope exit.
struct AlarmAfter {
  struct sigaction old {};
  explicit AlarmAfter(std::chrono::microseconds delay) {
    g_alarms = 0;
    struct sigaction sa {};
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    REQUIRE(::sigaction(SIGALRM, &sa, &old) == 0);
    itimerval it{};
    it.it_value.tv_sec = static_cast<time_t>(delay.count() / 1000000);
    it.it_value.tv_usec = static_cast<suseconds_t>(delay.count() % 1000000);
    REQUIRE(::setitimer(ITIMER_REAL, &it, nullptr) == 0);
  }
  AlarmAfter(const AlarmAfter&) = delete;
  AlarmAfter& operator=(const AlarmAfter&) = delete;
  ~AlarmAfter() {
    itimerval off{};
    ::setitimer(ITIMER_REAL, &off, nullptr);
    ::sigaction(SIGALRM, &old, nullptr);
  }
};

}  // namespace

TEST_SUITE("selectors") {
  // -------------------------------------------------------------------------------------------
  // Bookkeeping, on every kind

  TEST_CASE_TEMPLATE("register returns a key that get_key and get_map report until unregister",
                     S, SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    int tag = 7;
    const sel::SelectorKey key = s.register_(p.a, sel::EVENT_READ, &tag);
    CHECK(key.fileobj == p.a);
    CHECK(key.fd == p.a);
    CHECK(key.events == sel::EVENT_READ);
    CHECK(key.data == &tag);

    const sel::SelectorKey got = s.get_key(p.a);
    CHECK(got.fd == p.a);
    CHECK(got.events == sel::EVENT_READ);
    CHECK(got.data == &tag);

    const sel::SelectorMapping* map = s.get_map();
    REQUIRE(map != nullptr);
    CHECK(map->size() == 1);
    CHECK(map->at(p.a).data == &tag);

    const sel::SelectorKey removed = s.unregister(p.a);
    CHECK(removed.fd == p.a);
    CHECK(removed.data == &tag);
    CHECK(s.get_map()->empty());
    CHECK_THROWS_AS(s.get_key(p.a), asyncio::KeyError);

    // Once unregistered the fd can be registered again.
    CHECK(s.register_(p.a, sel::EVENT_WRITE).events == sel::EVENT_WRITE);
  }

  TEST_CASE_TEMPLATE("modify changes events or data and the selector watches the new events", S,
                     SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    int first = 1;
    int second = 2;
    s.register_(p.a, sel::EVENT_READ, &first);

    // Only the data changes: the events stay.
    sel::SelectorKey key = s.modify(p.a, sel::EVENT_READ, &second);
    CHECK(key.events == sel::EVENT_READ);
    CHECK(key.data == &second);
    CHECK(s.get_key(p.a).data == &second);
    CHECK(s.select(0).empty());  // nothing to read, and WRITE is not watched

    // The events change: a writable socket now shows up.
    key = s.modify(p.a, sel::EVENT_WRITE, &first);
    CHECK(key.events == sel::EVENT_WRITE);
    CHECK(key.data == &first);
    CHECK(s.get_key(p.a).events == sel::EVENT_WRITE);
    const auto ready = s.select(0);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].key.fd == p.a);
    CHECK(ready[0].key.data == &first);
    CHECK(ready[0].events == sel::EVENT_WRITE);
    CHECK(s.get_map()->size() == 1);
  }

  TEST_CASE_TEMPLATE("select with nothing registered returns empty", S, SelectSelector,
                     PollSelector, EpollSelector) {
    S s;
    CHECK(s.select(0).empty());
    CHECK(s.select(-1.0).empty());
    CHECK(s.select(0.001).empty());
  }

  // -------------------------------------------------------------------------------------------
  // Readiness, on every kind

  TEST_CASE_TEMPLATE("a socket whose peer wrote is reported readable by select(0)", S,
                     SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    int tag = 0;
    s.register_(p.a, sel::EVENT_READ, &tag);
    CHECK(s.select(0).empty());

    write_byte(p.b);
    const auto ready = s.select(0);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].key.fd == p.a);
    CHECK(ready[0].key.data == &tag);
    CHECK(ready[0].events == sel::EVENT_READ);

    // Level-triggered: still readable until read.
    CHECK(s.select(0).size() == 1);
    char c;
    REQUIRE(::read(p.a, &c, 1) == 1);
    CHECK(s.select(0).empty());
  }

  TEST_CASE_TEMPLATE("a connected socket with buffer space is reported writable", S,
                     SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    s.register_(p.b, sel::EVENT_WRITE);
    const auto ready = s.select(0);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].key.fd == p.b);
    CHECK(ready[0].events == sel::EVENT_WRITE);
  }

  TEST_CASE_TEMPLATE("ready events are masked by the events the fd is registered for", S,
                     SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    write_byte(p.b);  // p.a is now both readable and writable

    s.register_(p.a, sel::EVENT_READ | sel::EVENT_WRITE);
    auto ready = s.select(0);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].events == (sel::EVENT_READ | sel::EVENT_WRITE));

    s.modify(p.a, sel::EVENT_READ);
    ready = s.select(0);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].events == sel::EVENT_READ);

    s.modify(p.a, sel::EVENT_WRITE);
    ready = s.select(0);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].events == sel::EVENT_WRITE);
  }

  TEST_CASE_TEMPLATE("a closed peer wakes a reader (hang-up counts as readable)", S,
                     SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    int tag = 0;
    s.register_(p.a, sel::EVENT_READ, &tag);
    CHECK(s.select(0).empty());
    p.close_b();
    const auto ready = s.select(0);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].key.fd == p.a);
    CHECK(ready[0].key.data == &tag);
    // Poll/epoll see POLLHUP (+IN), which maps to READ|WRITE before the mask keeps READ.
    CHECK(ready[0].events == sel::EVENT_READ);
  }

  TEST_CASE_TEMPLATE("an error condition alone wakes both a reader and a writer", S,
                     SelectSelector, PollSelector, EpollSelector) {
    // A pipe's write end whose reader is gone reports only POLLERR (+OUT if watched): neither
    // pure IN nor pure OUT, so CPython's mapping wakes whichever side is registered.
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    ::close(fds[0]);
    const int w = fds[1];
    {
      S s;
      s.register_(w, sel::EVENT_READ);
      const auto ready = s.select(0);
      REQUIRE(ready.size() == 1);
      CHECK(ready[0].key.fd == w);
      CHECK(ready[0].events == sel::EVENT_READ);
    }
    {
      S s;
      s.register_(w, sel::EVENT_WRITE);
      const auto ready = s.select(0);
      REQUIRE(ready.size() == 1);
      CHECK(ready[0].events == sel::EVENT_WRITE);
    }
    ::close(w);
  }

  TEST_CASE_TEMPLATE("every ready fd is reported, however many are registered", S,
                     SelectSelector, PollSelector, EpollSelector) {
    // For epoll this also checks that the event buffer grows with the registrations.
    S s;
    std::vector<std::unique_ptr<SocketPair>> pairs;
    auto add_ready = [&](int count) {
      for (int i = 0; i < count; ++i) {
        pairs.push_back(std::make_unique<SocketPair>());
        write_byte(pairs.back()->b);
        s.register_(pairs.back()->a, sel::EVENT_READ);
      }
    };
    add_ready(1);
    CHECK(s.select(0).size() == 1);
    add_ready(3);
    CHECK(s.select(0).size() == 4);
    add_ready(12);
    auto ready = s.select(0);
    REQUIRE(ready.size() == 16);
    std::vector<int> seen;
    for (const auto& r : ready) {
      CHECK(r.events == sel::EVENT_READ);
      seen.push_back(r.key.fd);
    }
    std::vector<int> expected;
    for (const auto& pair : pairs) expected.push_back(pair->a);
    std::sort(seen.begin(), seen.end());
    std::sort(expected.begin(), expected.end());
    CHECK(seen == expected);

    for (int i = 0; i < 10; ++i) s.unregister(pairs[static_cast<std::size_t>(i)]->a);
    CHECK(s.select(0).size() == 6);
  }

  // -------------------------------------------------------------------------------------------
  // Waiting, on every kind

  TEST_CASE_TEMPLATE("select with a timeout and nothing ready returns empty and never early", S,
                     SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    s.register_(p.a, sel::EVENT_READ);
    const auto start = Clock::now();
    CHECK(s.select(0.05).empty());
    CHECK(seconds_since(start) >= 0.04);
  }

  TEST_CASE_TEMPLATE("a blocking select wakes when another thread writes", S, SelectSelector,
                     PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    int tag = 0;
    s.register_(p.a, sel::EVENT_READ, &tag);
    const int peer = p.b;
    std::thread writer([peer] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      (void)::write(peer, "x", 1);
    });
    const auto ready = s.select();
    writer.join();
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].key.fd == p.a);
    CHECK(ready[0].key.data == &tag);
    CHECK(ready[0].events == sel::EVENT_READ);
  }

  TEST_CASE_TEMPLATE("a signal during a timed select is retried for the time left, not raised",
                     S, SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    s.register_(p.a, sel::EVENT_READ);
    std::vector<sel::ReadyEvent> ready;
    const auto start = Clock::now();
    {
      AlarmAfter alarm(std::chrono::milliseconds(50));
      CHECK_NOTHROW(ready = s.select(0.3));
    }
    const double elapsed = seconds_since(start);
    CHECK(g_alarms == 1);
    CHECK(ready.empty());
    // Returning at the signal (~0.05 s) would mean EINTR was taken for "nothing ready".
    CHECK(elapsed >= 0.28);
  }

  TEST_CASE_TEMPLATE("a signal during a blocking select is retried until the fd is ready", S,
                     SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    s.register_(p.a, sel::EVENT_READ);
    const int peer = p.b;

    // The writer thread must not take the SIGALRM: start it with the signal blocked.
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigset_t old_mask;
    REQUIRE(::pthread_sigmask(SIG_BLOCK, &alrm, &old_mask) == 0);
    std::thread writer([peer] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      (void)::write(peer, "x", 1);
    });
    REQUIRE(::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr) == 0);

    std::vector<sel::ReadyEvent> ready;
    {
      AlarmAfter alarm(std::chrono::milliseconds(50));
      CHECK_NOTHROW(ready = s.select());
    }
    writer.join();
    CHECK(g_alarms == 1);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].key.fd == p.a);
    CHECK(ready[0].events == sel::EVENT_READ);
  }

  // -------------------------------------------------------------------------------------------
  // Errors, on every kind

  TEST_CASE_TEMPLATE("registering a negative fd raises ValueError naming it", S, SelectSelector,
                     PollSelector, EpollSelector) {
    S s;
    CHECK_THROWS_WITH_AS(s.register_(-1, sel::EVENT_READ), "Invalid file descriptor: -1",
                         asyncio::ValueError);
    // CPython's _fileobj_lookup rejects it the same way before looking in the map.
    CHECK_THROWS_WITH_AS(s.unregister(-1), "Invalid file descriptor: -1", asyncio::ValueError);
    CHECK_THROWS_WITH_AS(s.get_key(-1), "Invalid file descriptor: -1", asyncio::ValueError);
    CHECK_THROWS_WITH_AS(s.modify(-2, sel::EVENT_READ), "Invalid file descriptor: -2",
                         asyncio::ValueError);
    CHECK(s.get_map()->empty());
  }

  TEST_CASE_TEMPLATE("registering an fd twice raises KeyError naming the fd", S, SelectSelector,
                     PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    int first = 1;
    s.register_(p.a, sel::EVENT_READ, &first);
    const std::string message = std::to_string(p.a) + " (FD " + std::to_string(p.a) +
                                ") is already registered";
    CHECK_THROWS_WITH_AS(s.register_(p.a, sel::EVENT_WRITE), message.c_str(), asyncio::KeyError);
    // The first registration is untouched.
    CHECK(s.get_key(p.a).events == sel::EVENT_READ);
    CHECK(s.get_key(p.a).data == &first);
    CHECK(s.get_map()->size() == 1);
  }

  TEST_CASE_TEMPLATE("unregister, modify and get_key of an unknown fd raise KeyError naming it",
                     S, SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    const std::string message = std::to_string(p.a) + " is not registered";
    CHECK_THROWS_WITH_AS(s.unregister(p.a), message.c_str(), asyncio::KeyError);
    CHECK_THROWS_WITH_AS(s.get_key(p.a), message.c_str(), asyncio::KeyError);
    CHECK_THROWS_WITH_AS(s.modify(p.a, sel::EVENT_READ), message.c_str(), asyncio::KeyError);
    // An unknown fd with bad events is still "not registered", as in CPython.
    CHECK_THROWS_WITH_AS(s.modify(p.a, 0), message.c_str(), asyncio::KeyError);
    s.register_(p.a, sel::EVENT_READ);
    s.unregister(p.a);
    CHECK_THROWS_WITH_AS(s.unregister(p.a), message.c_str(), asyncio::KeyError);
  }

  TEST_CASE_TEMPLATE("invalid events raise ValueError with the events as Python prints them", S,
                     SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    CHECK_THROWS_WITH_AS(s.register_(p.a, 0), "Invalid events: 0", asyncio::ValueError);
    CHECK_THROWS_WITH_AS(s.register_(p.a, 4), "Invalid events: 4", asyncio::ValueError);
    CHECK_THROWS_WITH_AS(s.register_(p.a, sel::EVENT_READ | 8), "Invalid events: 9",
                         asyncio::ValueError);
    CHECK_THROWS_WITH_AS(s.register_(p.a, -1), "Invalid events: -1", asyncio::ValueError);
    // Events are checked before the fd, as _BaseSelectorImpl.register does.
    CHECK_THROWS_WITH_AS(s.register_(-1, 0), "Invalid events: 0", asyncio::ValueError);
    CHECK(s.get_map()->empty());

    // A rejected modify leaves the registration as it was.
    int tag = 0;
    s.register_(p.a, sel::EVENT_READ, &tag);
    CHECK_THROWS_WITH_AS(s.modify(p.a, 0), "Invalid events: 0", asyncio::ValueError);
    CHECK_THROWS_WITH_AS(s.modify(p.a, 6), "Invalid events: 6", asyncio::ValueError);
    CHECK(s.get_key(p.a).events == sel::EVENT_READ);
    CHECK(s.get_key(p.a).data == &tag);
    write_byte(p.b);
    CHECK(s.select(0).size() == 1);
  }

  TEST_CASE_TEMPLATE("a NaN timeout raises ValueError before waiting", S, SelectSelector,
                     PollSelector, EpollSelector) {
    S s;
    CHECK_THROWS_WITH_AS(s.select(std::nan("")), "Invalid value NaN (not a number)",
                         asyncio::ValueError);
  }

  TEST_CASE_TEMPLATE("a closed selector raises RuntimeError on every call and has no map", S,
                     SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    s.register_(p.a, sel::EVENT_READ);
    CHECK_FALSE(s.is_closed());
    s.close();
    CHECK(s.is_closed());
    CHECK(s.get_map() == nullptr);
    CHECK_THROWS_WITH_AS(s.get_key(p.a), "Selector is closed", asyncio::RuntimeError);
    CHECK_THROWS_WITH_AS(s.register_(p.b, sel::EVENT_READ), "Selector is closed",
                         asyncio::RuntimeError);
    CHECK_THROWS_WITH_AS(s.unregister(p.a), "Selector is closed", asyncio::RuntimeError);
    CHECK_THROWS_WITH_AS(s.modify(p.a, sel::EVENT_WRITE), "Selector is closed",
                         asyncio::RuntimeError);
    CHECK_THROWS_WITH_AS(s.select(0), "Selector is closed", asyncio::RuntimeError);
    CHECK_THROWS_WITH_AS(s.select(), "Selector is closed", asyncio::RuntimeError);
    CHECK_NOTHROW(s.close());  // closing twice is harmless
  }

  TEST_CASE_TEMPLATE("unregistering an fd closed since it was registered succeeds", S,
                     SelectSelector, PollSelector, EpollSelector) {
    S s;
    SocketPair p;
    int tag = 0;
    const int fd = p.a;
    s.register_(fd, sel::EVENT_READ, &tag);
    p.close_a();
    sel::SelectorKey key;
    CHECK_NOTHROW(key = s.unregister(fd));
    CHECK(key.fd == fd);
    CHECK(key.data == &tag);
    CHECK(s.get_map()->empty());
  }

  // -------------------------------------------------------------------------------------------
  // What differs between the kinds

  TEST_CASE("make_selector builds each kind by name and refuses any other name") {
    CHECK(std::string(sel::make_selector("epoll")->kind()) == "epoll");
    CHECK(std::string(sel::make_selector("poll")->kind()) == "poll");
    CHECK(std::string(sel::make_selector("select")->kind()) == "select");
    CHECK(dynamic_cast<EpollSelector*>(sel::make_selector("epoll").get()) != nullptr);
    CHECK(dynamic_cast<PollSelector*>(sel::make_selector("poll").get()) != nullptr);
    CHECK(dynamic_cast<SelectSelector*>(sel::make_selector("select").get()) != nullptr);
    CHECK_THROWS_WITH_AS(sel::make_selector("kqueue"), "unknown selector kind: kqueue",
                         asyncio::ValueError);
    CHECK_THROWS_AS(sel::make_selector(""), asyncio::ValueError);
    CHECK(std::string(sel::DefaultSelector().kind()) == "epoll");
  }

  TEST_CASE("epoll refuses an fd that is not open with OSError EBADF and keeps no key") {
    EpollSelector s;
    const int fd = not_open_fd();
    try {
      s.register_(fd, sel::EVENT_READ);
      FAIL("register_ of a closed fd did not raise");
    } catch (const asyncio::OSError& e) {
      CHECK(std::string(e.what()) == "[Errno 9] Bad file descriptor");
      CHECK(e.errno_() == EBADF);
    }
    CHECK(s.get_map()->empty());
    CHECK_THROWS_AS(s.get_key(fd), asyncio::KeyError);
  }

  TEST_CASE("epoll refuses a regular file with OSError EPERM and keeps no key") {
    char path[] = "/tmp/test_selectors_XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    ::unlink(path);
    {
      EpollSelector s;
      CHECK_THROWS_WITH_AS(s.register_(fd, sel::EVENT_READ),
                           "[Errno 1] Operation not permitted", asyncio::OSError);
      CHECK(s.get_map()->empty());
    }
    ::close(fd);
  }

  TEST_CASE("epoll modify of an fd closed since registration raises OSError and forgets it") {
    EpollSelector s;
    SocketPair p;
    const int fd = p.a;
    s.register_(fd, sel::EVENT_READ);
    p.close_a();
    CHECK_THROWS_WITH_AS(s.modify(fd, sel::EVENT_WRITE), "[Errno 9] Bad file descriptor",
                         asyncio::OSError);
    CHECK(s.get_map()->empty());
    // Only the data changing needs no kernel call, so it cannot fail.
    SocketPair q;
    int tag = 0;
    s.register_(q.a, sel::EVENT_READ);
    CHECK(s.modify(q.a, sel::EVENT_READ, &tag).data == &tag);
  }

  TEST_CASE("epoll owns a close-on-exec epoll fd that close() releases") {
    EpollSelector s;
    const int epfd = s.fileno();
    REQUIRE(epfd >= 0);
    const int flags = ::fcntl(epfd, F_GETFD);
    REQUIRE(flags >= 0);
    CHECK((flags & FD_CLOEXEC) != 0);
    s.close();
    CHECK(s.fileno() == -1);
    errno = 0;
    CHECK(::fcntl(epfd, F_GETFD) == -1);
    CHECK(errno == EBADF);
  }

  TEST_CASE("poll reports an fd that is not open as ready for the events registered") {
    // POLLNVAL is neither pure IN nor pure OUT, so it maps to READ|WRITE before the mask.
    PollSelector s;
    const int fd = not_open_fd();
    int tag = 0;
    s.register_(fd, sel::EVENT_READ, &tag);
    auto ready = s.select(0);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].key.fd == fd);
    CHECK(ready[0].key.data == &tag);
    CHECK(ready[0].events == sel::EVENT_READ);
    s.modify(fd, sel::EVENT_READ | sel::EVENT_WRITE);
    ready = s.select(0);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].events == (sel::EVENT_READ | sel::EVENT_WRITE));
  }

  TEST_CASE("select registers an fd that is not open, then select() raises OSError EBADF") {
    // A just-closed fd, not 1000: the kernel only checks fds below the size of the process's fd
    // table and leaves higher bits set, so CPython too reports such an fd as ready.
    SelectSelector s;
    SocketPair p;
    const int fd = p.a;
    p.close_a();
    s.register_(fd, sel::EVENT_READ);
    CHECK_THROWS_WITH_AS(s.select(0), "[Errno 9] Bad file descriptor", asyncio::OSError);
    s.unregister(fd);
    CHECK(s.select(0).empty());
  }

  TEST_CASE("select refuses fds at or above FD_SETSIZE") {
    SelectSelector s;
    CHECK_THROWS_WITH_AS(s.register_(FD_SETSIZE, sel::EVENT_READ),
                         "filedescriptor out of range in select()", asyncio::ValueError);
    CHECK_THROWS_WITH_AS(s.register_(FD_SETSIZE + 100, sel::EVENT_WRITE),
                         "filedescriptor out of range in select()", asyncio::ValueError);
    CHECK(s.get_map()->empty());
    // The last fd an fd_set can hold is accepted (it need not be open to be registered).
    CHECK(s.register_(FD_SETSIZE - 1, sel::EVENT_READ).fd == FD_SETSIZE - 1);
    s.unregister(FD_SETSIZE - 1);
  }

  TEST_CASE("select reports ready fds in ascending fd order and poll in registration order") {
    std::array<SocketPair, 3> pairs;
    std::vector<int> ascending;
    for (auto& pair : pairs) {
      write_byte(pair.b);
      ascending.push_back(pair.a);
    }
    std::sort(ascending.begin(), ascending.end());
    std::vector<int> descending(ascending.rbegin(), ascending.rend());

    SelectSelector ss;
    PollSelector ps;
    for (int fd : descending) {
      ss.register_(fd, sel::EVENT_READ);
      ps.register_(fd, sel::EVENT_READ);
    }
    std::vector<int> from_select;
    for (const auto& r : ss.select(0)) from_select.push_back(r.key.fd);
    std::vector<int> from_poll;
    for (const auto& r : ps.select(0)) from_poll.push_back(r.key.fd);
    CHECK(from_select == ascending);
    CHECK(from_poll == descending);

    // Unregistering the middle one keeps the others' order.
    ps.unregister(descending[1]);
    from_poll.clear();
    for (const auto& r : ps.select(0)) from_poll.push_back(r.key.fd);
    CHECK(from_poll == std::vector<int>{descending[0], descending[2]});
  }
}
