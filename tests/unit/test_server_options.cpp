// test_server_options.cpp: create_server's keyword arguments (ServerOptions) and start_server
// passing them through: reuse_port, start_serving, sock, backlog, and CPython's errors for the
// combinations it refuses (messages checked against CPython 3.11's base_events.create_server).
// Mirrors Lib/test/test_asyncio/test_base_events.py (test_create_server_*).
#include <doctest/doctest.h>

#include <sys/socket.h>

#include <string>

#include "asyncio/asyncio.hpp"
#include "io_support.hpp"
#include "test_support.hpp"

using namespace asyncio;
using io_support::open_fd_count;
using test_support::TestLoop;

namespace {
std::shared_ptr<BaseProtocol> plain_protocol() { return std::make_shared<Protocol>(); }

// One line over a fresh connection to port, read back by an echoing stream server.
std::string echo_once(int port, const std::string& text) {
  auto [reader, writer] = open_connection("127.0.0.1", port);
  writer->write(text + "\n");
  std::string got = reader->readline();
  writer->close();
  writer->wait_closed();
  return got;
}

void echo_line(std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
  writer->write(reader->readline());
  writer->drain();
  writer->close();
}
}  // namespace

TEST_SUITE("server options") {
  TEST_CASE("reuse_port lets two servers bind the same port; without it the second bind fails") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      loop->run_until_complete([] {
        BaseEventLoop& lp = get_running_loop();
        Ref<Server> first = lp.create_server(plain_protocol, "127.0.0.1", 0, {.reuse_port = true});
        const int port = first->sockets().at(0).getsockname().port;
        Ref<Server> second = lp.create_server(plain_protocol, "127.0.0.1", port, {.reuse_port = true});
        CHECK(second->is_serving());
        CHECK(second->sockets().at(0).getsockname().port == port);
        CHECK(second->sockets().at(0).getsockopt(SOL_SOCKET, SO_REUSEPORT) != 0);
        CHECK_THROWS_WITH_AS(lp.create_server(plain_protocol, "127.0.0.1", port),
                             ("[Errno 98] error while attempting to bind on address ('127.0.0.1', " +
                              std::to_string(port) + "): address already in use")
                                 .c_str(),
                             OSError);
        first->close();
        second->close();
      });
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("reuse_address defaults to true and can be turned off") {
    TestLoop loop;
    loop->run_until_complete([] {
      BaseEventLoop& lp = get_running_loop();
      Ref<Server> on = lp.create_server(plain_protocol, "127.0.0.1", 0);
      CHECK(on->sockets().at(0).getsockopt(SOL_SOCKET, SO_REUSEADDR) != 0);
      Ref<Server> off = lp.create_server(plain_protocol, "127.0.0.1", 0, {.reuse_address = false});
      CHECK(off->sockets().at(0).getsockopt(SOL_SOCKET, SO_REUSEADDR) == 0);
      on->close();
      off->close();
    });
  }

  TEST_CASE("start_serving=false accepts nothing until Server::start_serving()") {
    TestLoop loop;
    loop->run_until_complete([] {
      Ref<Server> server = start_server(echo_line, "127.0.0.1", 0, {.backlog = 5, .start_serving = false});
      CHECK_FALSE(server->is_serving());
      const int port = server->sockets().at(0).getsockname().port;
      // Not listening yet: the kernel refuses the connection.
      CHECK_THROWS_AS(open_connection("127.0.0.1", port), ConnectionRefusedError);
      server->start_serving();
      CHECK(server->is_serving());
      CHECK(echo_once(port, "hello") == "hello\n");
      server->close();
      server->wait_closed();
    });
  }

  TEST_CASE("sock= serves on a socket the caller bound, which the server then owns") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      loop->run_until_complete([] {
        Socket sock(AF_INET, SOCK_STREAM);
        sock.bind({"127.0.0.1", 0});
        const int port = sock.getsockname().port;
        const int fd = sock.fileno();
        Ref<Server> server = start_server(echo_line, std::nullopt, std::nullopt, {.sock = std::move(sock)}, 1024);
        CHECK(server->sockets().at(0).fileno() == fd);
        CHECK_FALSE(server->sockets().at(0).getblocking());
        CHECK(echo_once(port, "via sock") == "via sock\n");
        server->close();
        server->wait_closed();
      });
    }
    CHECK(open_fd_count() == fds_before);  // close() closed the adopted socket
  }

  TEST_CASE("start_server's limit reaches each connection's reader") {
    TestLoop loop;
    loop->run_until_complete([] {
      auto seen = std::make_shared<std::size_t>(0);
      Ref<Server> server = start_server(
          [seen](std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
            *seen = reader->limit();
            writer->close();
          },
          "127.0.0.1", 0, {.backlog = 3}, 4096);
      const int port = server->sockets().at(0).getsockname().port;
      auto [reader, writer] = open_connection("127.0.0.1", port);
      CHECK(reader->read() == "");
      writer->close();
      writer->wait_closed();
      CHECK(*seen == 4096);
      server->close();
    });
  }

  TEST_CASE("bad combinations get CPython's errors and leak nothing") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      loop->run_until_complete([] {
        BaseEventLoop& lp = get_running_loop();
        CHECK_THROWS_WITH_AS(lp.create_server(plain_protocol), "Neither host/port nor sock were specified",
                             ValueError);
        CHECK_THROWS_WITH_AS(
            lp.create_server(plain_protocol, "127.0.0.1", 0, {.sock = Socket(AF_INET, SOCK_STREAM)}),
            "host/port and sock can not be specified at the same time", ValueError);
        CHECK_THROWS_WITH_AS(lp.create_server(plain_protocol, std::nullopt, 0, {.sock = Socket(AF_INET, SOCK_STREAM)}),
                             "host/port and sock can not be specified at the same time", ValueError);
        Socket udp(AF_INET, SOCK_DGRAM);
        const std::string expected =
            "A Stream Socket was expected, got <socket.socket fd=" + std::to_string(udp.fileno()) +
            ", family=2, type=2, proto=17, laddr=('0.0.0.0', 0)>";
        CHECK_THROWS_WITH_AS(lp.create_server(plain_protocol, std::nullopt, std::nullopt, {.sock = std::move(udp)}),
                             expected.c_str(), ValueError);
        CHECK_THROWS_WITH_AS(lp.create_server(plain_protocol, "127.0.0.1", 0, {.ssl_handshake_timeout = 1.0}),
                             "ssl_handshake_timeout is only meaningful with ssl", ValueError);
        CHECK_THROWS_WITH_AS(lp.create_server(plain_protocol, "127.0.0.1", 0, {.ssl_shutdown_timeout = 1.0}),
                             "ssl_shutdown_timeout is only meaningful with ssl", ValueError);
        CHECK_THROWS_WITH_AS(
            lp.create_server(plain_protocol, "127.0.0.1", 0, {.ssl = true}),
            "create_server(ssl=...): asyncio-cpp has no TLS; serve plain TCP and terminate TLS in front of it",
            NotImplementedError);
        // The loop goes on: a good server still works after the refusals.
        Ref<Server> server = lp.create_server(plain_protocol, "127.0.0.1", 0, {.family = AF_INET});
        CHECK(server->sockets().at(0).family() == AF_INET);
        server->close();
      });
    }
    CHECK(open_fd_count() == fds_before);
  }
}
