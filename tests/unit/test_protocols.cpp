// test_protocols.cpp: the protocol side of the socket transport and the server's lifetime:
// BufferedProtocol, pause_reading/resume_reading, the write buffer's high and low water marks,
// Server.serve_forever/wait_closed/sockets, and getaddrinfo in the default executor.
// Mirrors Lib/test/test_asyncio/test_selector_events.py (SelectorSocketTransportBufferedProtocolTests,
// test_pause_resume_reading), test_server.py and test_base_events.py (getaddrinfo); fds are counted.
#include <doctest/doctest.h>

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "io_support.hpp"
#include "test_support.hpp"

using namespace asyncio;
using io_support::open_fd_count;
using test_support::HandlerRecorder;
using test_support::TestLoop;

namespace {

// Notes the write buffer size pause_writing/resume_writing saw.
struct LoggingProtocol : io_support::RecordingProtocol {
  LoggingProtocol(std::vector<std::string>* l, Future<void> lost_future) : RecordingProtocol(l, std::move(lost_future)) {
    log_buffer_size = true;
  }
};

// A BufferedProtocol with a tiny fixed buffer, so one message needs several reads.
struct SmallBufferProtocol : BufferedProtocol {
  std::vector<std::string>* log;
  std::array<char, 4> buffer{};
  std::string received;
  bool empty_buffer = false;  // hand the transport an empty buffer (a protocol bug)
  Future<void> lost;
  SmallBufferProtocol(std::vector<std::string>* l, Future<void> lost_future) : log(l), lost(std::move(lost_future)) {}
  void connection_made(Ref<Transport>) override { log->push_back("connection_made"); }
  std::span<char> get_buffer(std::ptrdiff_t size_hint) override {
    log->push_back("get_buffer " + std::to_string(size_hint));
    if (empty_buffer) return {};
    return {buffer.data(), buffer.size()};
  }
  void buffer_updated(std::size_t nbytes) override {
    received.append(buffer.data(), nbytes);
    log->push_back("buffer_updated " + std::to_string(nbytes));
  }
  bool eof_received() override {
    log->push_back("eof_received");
    return false;
  }
  void connection_lost(std::exception_ptr exc) override {
    log->push_back("connection_lost " + exception_repr(exc));
    if (!lost.done()) lost.set_result();
  }
};

Ref<Transport> make_transport(BaseEventLoop& lp, Socket sock, std::shared_ptr<BaseProtocol> protocol) {
  Future<void> waiter = lp.create_future<void>();
  Ref<Transport> t(new SelectorSocketTransport(static_cast<SelectorEventLoop&>(lp), std::move(sock),
                                               std::move(protocol), waiter));
  await(waiter);
  return t;
}

}  // namespace

TEST_SUITE("protocols") {
  TEST_CASE("a BufferedProtocol receives into its own buffer, a few bytes at a time, then EOF") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      // Named references, not a structured binding: Clang 14 cannot capture bindings in lambdas.
      auto socket_pair = io_support::nonblocking_pair();
      asyncio::Socket& a = socket_pair.first;
      asyncio::Socket& b = socket_pair.second;
      std::vector<std::string> log;
      std::string received;
      loop->run_until_complete([&] {
        BaseEventLoop& lp = get_running_loop();
        auto protocol = std::make_shared<SmallBufferProtocol>(&log, lp.create_future<void>());
        make_transport(lp, std::move(a), protocol);
        lp.sock_sendall(b.fileno(), "hello world");
        b.shutdown(SHUT_WR);
        await(protocol->lost);
        received = protocol->received;
      });
      CHECK(received == "hello world");
      // Each read asks for a buffer (hint -1: no preference) and fills at most its 4 bytes.
      std::vector<std::string> expected{"connection_made"};
      for (std::size_t n : {4, 4, 3}) {
        expected.push_back("get_buffer -1");
        expected.push_back("buffer_updated " + std::to_string(n));
      }
      expected.insert(expected.end(), {"get_buffer -1", "eof_received", "connection_lost None"});
      CHECK(log == expected);
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("a BufferedProtocol that returns an empty buffer is a fatal error for its transport") {
    TestLoop loop;
    HandlerRecorder handler;
    handler.attach(*loop);
    auto socket_pair = io_support::nonblocking_pair();
    asyncio::Socket& a = socket_pair.first;
    asyncio::Socket& b = socket_pair.second;
    std::vector<std::string> log;
    loop->run_until_complete([&] {
      BaseEventLoop& lp = get_running_loop();
      auto protocol = std::make_shared<SmallBufferProtocol>(&log, lp.create_future<void>());
      protocol->empty_buffer = true;
      make_transport(lp, std::move(a), protocol);
      lp.sock_sendall(b.fileno(), "x");
      await(protocol->lost);
    });
    CHECK(log == std::vector<std::string>{"connection_made", "get_buffer -1",
                                          "connection_lost RuntimeError('get_buffer() returned an empty buffer')"});
    CHECK(handler.messages == std::vector<std::string>{"Fatal error: protocol.get_buffer() call failed."});
    CHECK(handler.exceptions == std::vector<std::string>{"RuntimeError('get_buffer() returned an empty buffer')"});
  }

  TEST_CASE("pause_reading holds incoming data back until resume_reading") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      auto socket_pair = io_support::nonblocking_pair();
      asyncio::Socket& a = socket_pair.first;
      asyncio::Socket& b = socket_pair.second;
      std::vector<std::string> log;
      loop->run_until_complete([&] {
        BaseEventLoop& lp = get_running_loop();
        auto protocol = std::make_shared<LoggingProtocol>(&log, lp.create_future<void>());
        Ref<Transport> t = make_transport(lp, std::move(a), protocol);
        CHECK(t->is_reading());
        t->pause_reading();
        t->pause_reading();  // a second pause changes nothing
        CHECK_FALSE(t->is_reading());
        lp.sock_sendall(b.fileno(), "held");
        for (int i = 0; i < 5; ++i) asyncio::sleep(0);  // the data waits in the socket
        CHECK(log == std::vector<std::string>{"connection_made"});
        t->resume_reading();
        CHECK(t->is_reading());
        while (log.size() < 2) asyncio::sleep(0);
        CHECK(log.back() == "data_received held");
        t->close();
        CHECK_FALSE(t->is_reading());  // closing: not reading, and resume does not restart it
        t->resume_reading();
        CHECK_FALSE(t->is_reading());
        await(protocol->lost);
      });
      CHECK(log == std::vector<std::string>{"connection_made", "data_received held", "connection_lost None"});
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("pause_writing comes once above the high water mark, resume_writing at or below the low one") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      auto socket_pair = io_support::nonblocking_pair();
      asyncio::Socket& a = socket_pair.first;
      asyncio::Socket& b = socket_pair.second;
      std::vector<std::string> log;
      const std::size_t high = 4096;
      const std::size_t low = 1024;
      std::size_t received = 0;
      std::size_t total = 0;
      loop->run_until_complete([&] {
        BaseEventLoop& lp = get_running_loop();
        auto protocol = std::make_shared<LoggingProtocol>(&log, lp.create_future<void>());
        Ref<Transport> t = make_transport(lp, std::move(a), protocol);
        t->set_write_buffer_limits(high, low);
        CHECK(t->get_write_buffer_limits() == std::pair<std::size_t, std::size_t>(low, high));
        // Nobody reads b yet: the socket buffer fills, then the transport's buffer grows.
        const std::string chunk(64 * 1024, 'w');
        while (t->get_write_buffer_size() <= high) {
          t->write(chunk);
          total += chunk.size();
        }
        t->write(chunk);  // still above the mark: no second pause_writing
        total += chunk.size();
        REQUIRE(log.size() == 2);
        CHECK(log[1].rfind("pause_writing ", 0) == 0);
        CHECK(std::stoul(log[1].substr(14)) > high);
        // Reading b lets the writer drain its buffer; resume comes once, at or below `low`.
        while (received < total) received += lp.sock_recv(b.fileno(), 1 << 16).size();
        CHECK(t->get_write_buffer_size() == 0);
        t->close();
        await(protocol->lost);
      });
      CHECK(received == total);
      REQUIRE(log.size() == 4);
      CHECK(log[2].rfind("resume_writing ", 0) == 0);
      CHECK(std::stoul(log[2].substr(15)) <= low);
      CHECK(log[3] == "connection_lost None");
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("lowering the high water mark below what is buffered pauses the protocol at once") {
    TestLoop loop;
    auto socket_pair = io_support::nonblocking_pair();
    asyncio::Socket& a = socket_pair.first;
    std::vector<std::string> log;
    loop->run_until_complete([&] {
      BaseEventLoop& lp = get_running_loop();
      auto protocol = std::make_shared<LoggingProtocol>(&log, lp.create_future<void>());
      Ref<Transport> t = make_transport(lp, std::move(a), protocol);
      t->set_write_buffer_limits(std::size_t{1} << 30);  // no pause while the buffer fills
      while (t->get_write_buffer_size() == 0) t->write(std::string(64 * 1024, 'w'));
      const std::size_t buffered = t->get_write_buffer_size();
      CHECK(log == std::vector<std::string>{"connection_made"});
      t->set_write_buffer_limits(buffered - 1);
      CHECK(std::find(log.begin(), log.end(), "pause_writing " + std::to_string(buffered)) != log.end());
      t->abort();
      await(protocol->lost);
    });
  }
}

TEST_SUITE("servers") {
  TEST_CASE("serve_forever serves until cancelled, then the server is closed and its sockets gone") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      std::vector<std::string> log;
      loop->run_until_complete([&] {
        BaseEventLoop& lp = get_running_loop();
        Future<void> lost = lp.create_future<void>();
        Ref<Server> server = lp.create_server([&] { return std::make_shared<LoggingProtocol>(&log, lost); },
                                              "127.0.0.1", 0, {.start_serving = false});
        CHECK_FALSE(server->is_serving());
        REQUIRE(server->sockets().size() == 1);
        const Address where = server->sockets().at(0).getsockname();
        Task<void> serving = create_task([server] { server->serve_forever(); });
        asyncio::sleep(0);
        CHECK(server->is_serving());
        const std::string again = "server " + server->repr() + " is already being awaited on serve_forever()";
        CHECK_THROWS_WITH_AS(server->serve_forever(), again.c_str(), RuntimeError);
        // A client is served while serve_forever runs.
        Socket client(AF_INET, SOCK_STREAM);
        client.setblocking(false);
        lp.sock_connect(client.fileno(), where);
        lp.sock_sendall(client.fileno(), "hi");
        client.shutdown(SHUT_WR);
        await(lost);
        CHECK(lp.sock_recv(client.fileno(), 10).empty());  // the server's protocol closed on EOF
        serving.cancel();
        CHECK_THROWS_AS(await(serving), CancelledError);
        CHECK_FALSE(server->is_serving());
        CHECK(server->sockets().empty());
        server->wait_closed();  // already closed: returns at once
        const std::string closed = "server " + server->repr() + " is closed";
        CHECK_THROWS_WITH_AS(server->serve_forever(), closed.c_str(), RuntimeError);
      });
      CHECK(log == std::vector<std::string>{"connection_made", "data_received hi", "eof_received",
                                            "connection_lost None"});
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("wait_closed on an open server waits for close() and for its last connection") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      std::vector<std::string> log;
      loop->run_until_complete([&] {
        BaseEventLoop& lp = get_running_loop();
        Future<void> lost = lp.create_future<void>();
        std::shared_ptr<LoggingProtocol> accepted;
        Ref<Server> server = lp.create_server(
            [&] { return accepted = std::make_shared<LoggingProtocol>(&log, lost); }, "127.0.0.1", 0);
        const Address where = server->sockets().at(0).getsockname();
        Socket client(AF_INET, SOCK_STREAM);
        client.setblocking(false);
        lp.sock_connect(client.fileno(), where);
        while (!accepted || !accepted->transport) asyncio::sleep(0);
        Task<void> waiter = create_task([server] { server->wait_closed(); });
        asyncio::sleep(0);
        CHECK_FALSE(waiter.done());
        server->close();  // stops listening; the accepted connection stays
        CHECK(server->sockets().empty());
        for (int i = 0; i < 3; ++i) asyncio::sleep(0);
        CHECK_FALSE(waiter.done());
        accepted->transport->close();  // the last connection goes: wait_closed returns
        await(waiter);
        CHECK(lost.done());
      });
      CHECK(log == std::vector<std::string>{"connection_made", "connection_lost None"});
    }
    CHECK(open_fd_count() == fds_before);
  }
}

TEST_SUITE("getaddrinfo") {
  TEST_CASE("getaddrinfo runs in the default executor: the task waits and other tasks run meanwhile") {
    TestLoop loop;
    std::vector<std::string> order;
    loop->run_until_complete([&] {
      BaseEventLoop& lp = get_running_loop();
      Task<void> other = create_task([&] { order.push_back("other task ran"); });
      const std::vector<AddrInfo> infos = lp.getaddrinfo("localhost", 8080, AF_INET, SOCK_STREAM);
      order.push_back("getaddrinfo returned");
      REQUIRE_FALSE(infos.empty());
      CHECK(infos.front().family == AF_INET);
      CHECK(infos.front().address == Address{"127.0.0.1", 8080});
      await(other);
    });
    CHECK(order == std::vector<std::string>{"other task ran", "getaddrinfo returned"});
  }

  TEST_CASE("getaddrinfo needs the default executor: after shutdown it is refused, a numeric host is not") {
    TestLoop loop;
    loop->run_until_complete([] { get_running_loop().shutdown_default_executor(); });
    CHECK_THROWS_WITH_AS(loop->run_until_complete([] { get_running_loop().getaddrinfo("localhost", 80); }),
                         "Executor shutdown has been called", RuntimeError);
    // create_server's numeric host skips the lookup (base_events._ipaddr_info), so it still works.
    loop->run_until_complete([] {
      Ref<Server> server = get_running_loop().create_server([] { return std::make_shared<Protocol>(); },
                                                            "127.0.0.1", 0);
      CHECK(server->sockets().size() == 1);
      server->close();
    });
  }

  TEST_CASE("a failed lookup raises gaierror with getaddrinfo's code") {
    TestLoop loop;
    const std::string expected = "[Errno " + std::to_string(EAI_NONAME) + "] " + ::gai_strerror(EAI_NONAME);
    CHECK_THROWS_WITH_AS(loop->run_until_complete([] {
      get_running_loop().getaddrinfo("not a host", 80, 0, 0, 0, AI_NUMERICHOST);  // no DNS: fails locally
    }),
                         expected.c_str(), gaierror);
  }
}
