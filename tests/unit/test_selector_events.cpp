// test_selector_events.cpp: the selector loop's sock_* coroutines on real loopback sockets:
// the fast path that does not yield, waiting with a reader/writer, cancellation, and the
// errors a peer can cause (reset, half-close, refusal, broken pipe, a closed fd).
// Mirrors Lib/test/test_asyncio/test_sock_lowlevel.py and test_selector_events.py
// (BaseSelectorEventLoopTests.test_sock_*); every scenario checks it leaks no descriptor.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "io_support.hpp"
#include "test_support.hpp"

using namespace asyncio;
using io_support::open_fd_count;
using test_support::SocketPair;
using test_support::TestLoop;

namespace {
SelectorEventLoop& selector_loop(TestLoop& loop) { return static_cast<SelectorEventLoop&>(*loop); }
// A task's result must be copyable: hand the accepted socket over in a shared_ptr.
std::pair<std::shared_ptr<Socket>, Address> accept_shared(int fd) {
  auto [conn, peer] = get_running_loop().sock_accept(fd);
  return {std::make_shared<Socket>(std::move(conn)), peer};
}
}  // namespace

TEST_SUITE("selector_events") {
  TEST_CASE("sock_recv returns data already waiting without yielding") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      // Named references, not a structured binding: Clang 14 cannot capture bindings in lambdas.
      auto socket_pair = io_support::nonblocking_pair();
      asyncio::Socket& a = socket_pair.first;
      asyncio::Socket& b = socket_pair.second;
      REQUIRE(::send(b.fileno(), "hello", 5, 0) == 5);
      bool other_ran = false;
      std::string got = loop->run_until_complete([&] {
        get_running_loop().call_soon([&] { other_ran = true; });
        std::string data = get_running_loop().sock_recv(a.fileno(), 100);
        CHECK_FALSE(other_ran);  // no pass went by
        return data;
      });
      CHECK(got == "hello");
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("sock_recv waits for readiness and removes its reader when done") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      auto socket_pair = io_support::nonblocking_pair();
      asyncio::Socket& a = socket_pair.first;
      asyncio::Socket& b = socket_pair.second;
      const int fd = a.fileno();
      std::string got = loop->run_until_complete([&] {
        auto reader = create_task([&] { return get_running_loop().sock_recv(fd, 100); });
        asyncio::sleep(0);
        asyncio::sleep(0);
        CHECK(selector_loop(loop).reader_of_(fd) != nullptr);
        REQUIRE(::send(b.fileno(), "late", 4, 0) == 4);
        return await(reader);
      });
      CHECK(got == "late");
      CHECK(selector_loop(loop).reader_of_(fd) == nullptr);
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("cancelling a task blocked in sock_recv removes the reader") {
    TestLoop loop;
    auto [a, b] = io_support::nonblocking_pair();
    const int fd = a.fileno();
    loop->run_until_complete([&] {
      auto reader = create_task([&] { return get_running_loop().sock_recv(fd, 100); });
      asyncio::sleep(0);
      CHECK(selector_loop(loop).reader_of_(fd) != nullptr);
      reader.cancel();
      CHECK_THROWS_AS(await(reader), CancelledError);
      asyncio::sleep(0);  // the done callback that removes the reader runs one pass later
    });
    CHECK(selector_loop(loop).reader_of_(fd) == nullptr);
    // Data sent now stays in the socket for the next reader: nothing consumed it.
    REQUIRE(::send(b.fileno(), "x", 1, 0) == 1);
    CHECK(loop->run_until_complete([&] { return get_running_loop().sock_recv(fd, 10); }) == "x");
  }

  TEST_CASE("sock_recv_into fills the caller's buffer") {
    TestLoop loop;
    auto socket_pair = io_support::nonblocking_pair();
    asyncio::Socket& a = socket_pair.first;
    asyncio::Socket& b = socket_pair.second;
    char buf[8] = {};
    const std::size_t n = loop->run_until_complete([&] {
      auto t = create_task([&] { return get_running_loop().sock_recv_into(a.fileno(), buf, sizeof buf); });
      asyncio::sleep(0);
      REQUIRE(::send(b.fileno(), "abc", 3, 0) == 3);
      return await(t);
    });
    CHECK(n == 3);
    CHECK(std::string(buf, n) == "abc");
  }

  TEST_CASE("sock_recv returns an empty string once the peer half-closes") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      auto socket_pair = io_support::nonblocking_pair();
      asyncio::Socket& a = socket_pair.first;
      asyncio::Socket& b = socket_pair.second;
      b.shutdown(SHUT_WR);
      CHECK(loop->run_until_complete([&] { return get_running_loop().sock_recv(a.fileno(), 10); }).empty());
      // The half-closed peer can still receive.
      loop->run_until_complete([&] { get_running_loop().sock_sendall(a.fileno(), "still"); });
      char buf[8];
      CHECK(::recv(b.fileno(), buf, sizeof buf, 0) == 5);
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("sock_accept and sock_connect make a connected pair") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      Socket server = io_support::listener();
      const Address where = server.getsockname();
      loop->run_until_complete([&] {
        auto accepted = create_task(accept_shared, server.fileno());
        Socket client(AF_INET, SOCK_STREAM);
        client.setblocking(false);
        get_running_loop().sock_connect(client.fileno(), where);
        auto [conn, peer] = await(accepted);
        CHECK(peer == client.getsockname());
        CHECK_FALSE(conn->getblocking());  // accepted sockets are made non-blocking
        get_running_loop().sock_sendall(client.fileno(), "ping");
        CHECK(get_running_loop().sock_recv(conn->fileno(), 10) == "ping");
      });
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("sock_connect to a port nobody listens on raises ConnectionRefusedError") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      const int port = io_support::refused_port();
      Socket client(AF_INET, SOCK_STREAM);
      client.setblocking(false);
      const std::string expected =
          "[Errno 111] Connect call failed ('127.0.0.1', " + std::to_string(port) + ")";
      CHECK_THROWS_WITH_AS(
          loop->run_until_complete([&] { get_running_loop().sock_connect(client.fileno(), {"127.0.0.1", port}); }),
          expected.c_str(), ConnectionRefusedError);
      CHECK(selector_loop(loop).writer_of_(client.fileno()) == nullptr);
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("sock_recv from a peer that resets raises ConnectionResetError") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      Socket server = io_support::listener();
      loop->run_until_complete([&] {
        Socket client(AF_INET, SOCK_STREAM);
        client.setblocking(false);
        auto accepted = create_task(accept_shared, server.fileno());
        get_running_loop().sock_connect(client.fileno(), server.getsockname());
        Socket conn = std::move(*await(accepted).first);
        auto reader = create_task([&] { return get_running_loop().sock_recv(client.fileno(), 10); });
        asyncio::sleep(0);
        io_support::set_linger_reset(conn);
        conn.close();
        CHECK_THROWS_WITH_AS(await(reader), "[Errno 104] Connection reset by peer", ConnectionResetError);
        CHECK(exception_repr(reader.exception()) == "ConnectionResetError(104, 'Connection reset by peer')");
      });
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("sock_sendall sends more than the socket buffer holds, then to a closed peer fails") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      auto socket_pair = io_support::nonblocking_pair();
      asyncio::Socket& a = socket_pair.first;
      asyncio::Socket& b = socket_pair.second;
      const std::string big(4 << 20, 'z');
      std::size_t received = loop->run_until_complete([&] {
        auto drain = create_task([&] {
          std::size_t total = 0;
          while (total < big.size()) total += get_running_loop().sock_recv(b.fileno(), 65536).size();
          return total;
        });
        get_running_loop().sock_sendall(a.fileno(), big);
        return await(drain);
      });
      CHECK(received == big.size());
      b.close();
      CHECK_THROWS_WITH_AS(loop->run_until_complete([&] { get_running_loop().sock_sendall(a.fileno(), "x"); }),
                           "[Errno 32] Broken pipe", BrokenPipeError);
      CHECK(selector_loop(loop).writer_of_(a.fileno()) == nullptr);
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("sock_recv on a closed descriptor raises OSError from the first syscall") {
    TestLoop loop;
    int fd;
    {
      auto [a, b] = io_support::nonblocking_pair();
      fd = a.fileno();
    }
    CHECK_THROWS_WITH_AS(loop->run_until_complete([&] { return get_running_loop().sock_recv(fd, 1); }),
                         "[Errno 9] Bad file descriptor", OSError);
  }

  TEST_CASE("in debug mode a blocking socket is refused") {
    TestLoop loop;
    loop->set_debug(true);
    auto pair = make_socketpair();
    CHECK_THROWS_WITH_AS(
        loop->run_until_complete([&] { return get_running_loop().sock_recv(pair.first.fileno(), 1); }),
        "the socket must be non-blocking", ValueError);
  }
}

namespace {
// An epoll selector that counts the polls with timeout 0 and the waits (timeout > 0 or none).
class CountingSelector final : public selectors::BaseSelector {
 public:
  int polls = 0;
  int waits = 0;
  selectors::SelectorKey register_(int fd, int events, void* data) override {
    inner_.register_(fd, events, data);
    return add_key_(fd, events, data);
  }
  selectors::SelectorKey unregister(int fd) override {
    inner_.unregister(fd);
    return remove_key_(fd);
  }
  selectors::SelectorKey modify(int fd, int events, void* data) override {
    inner_.modify(fd, events, data);
    remove_key_(fd);
    return add_key_(fd, events, data);
  }
  std::vector<selectors::ReadyEvent> select(std::optional<double> timeout) override {
    ++(timeout && *timeout <= 0.0 ? polls : waits);
    return inner_.select(timeout);
  }
  void close() override {
    inner_.close();
    map_.clear();
    closed_ = true;
  }
  const char* kind() const noexcept override { return "counting"; }

 private:
  selectors::EpollSelector inner_;
};
}  // namespace

TEST_SUITE("selector_events") {
  TEST_CASE("a user's selector sees every poll CPython makes, work ready or not") {
    auto owned = std::make_unique<CountingSelector>();
    CountingSelector& counter = *owned;
    Ref<BaseEventLoop> loop(new SelectorEventLoop(std::move(owned)));
    int ran = 0;
    auto pass = [&] {
      loop->call_soon([&] { ++ran; });
      loop->run_once();
    };
    // Only the self-pipe is registered: CPython still calls select(0) on every pass.
    pass();
    pass();
    CHECK(ran == 2);
    CHECK(counter.polls == 2);
    CHECK(loop->polls_skipped() == 0);
    SocketPair pair;
    loop->add_reader(pair.a, [] {});
    pass();
    loop->remove_reader(pair.a);
    pass();
    CHECK(counter.polls == 4);
    CHECK(loop->polls_skipped() == 0);
    // Nothing ready: the loop waits for the timer, for real.
    loop->call_later(0.001, [&] { ++ran; });
    while (ran < 5) loop->run_once();
    CHECK(counter.waits >= 1);
    loop->close();
  }

  TEST_CASE("a built-in selector skips a pass's poll only when nothing but the quiet self-pipe could be ready") {
    Ref<BaseEventLoop> loop(new SelectorEventLoop(std::make_unique<selectors::EpollSelector>()));
    int ran = 0;
    auto pass = [&] {
      loop->call_soon([&] { ++ran; });
      loop->run_once();
    };
    // Only the self-pipe is registered and nothing was written to it: no system call.
    pass();
    pass();
    CHECK(ran == 2);
    CHECK(loop->polls_skipped() == 2);
    // A reader of the program's own: every pass with work ready polls, as CPython's does.
    SocketPair pair;
    loop->add_reader(pair.a, [] {});
    pass();
    pass();
    CHECK(loop->polls_skipped() == 2);
    loop->remove_reader(pair.a);
    pass();
    CHECK(loop->polls_skipped() == 3);
    // A wake-up byte in the self-pipe: the next pass polls (and queues _read_from_self, which
    // drains it); after that, polls are skipped again.
    loop->call_soon_threadsafe([&] { ++ran; });
    pass();
    CHECK(loop->polls_skipped() == 3);
    pass();
    pass();
    CHECK(loop->polls_skipped() == 5);
    CHECK(ran == 9);
    loop->close();
  }
}
