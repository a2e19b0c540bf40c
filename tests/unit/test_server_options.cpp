// test_server_options.cpp: create_server's keyword arguments (ServerOptions) and start_server
// passing them through: reuse_port, start_serving, sock, backlog, and CPython's errors for the
// combinations it refuses (messages checked against CPython 3.11's base_events.create_server).
// Mirrors Lib/test/test_asyncio/test_base_events.py (test_create_server_*).
#include <doctest/doctest.h>

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

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

// One loop per thread (docs/performance.md, "One loop per thread"): N loops on N threads, each
// serving the same port through its own SO_REUSEPORT listener, so the kernel spreads incoming
// connections over the loops; clients on other threads (their own loops) check every reply.
TEST_CASE("N loops on N threads serve one port through SO_REUSEPORT listeners, every reply right") {
  constexpr int kServers = 3;
  constexpr int kClientThreads = 2;
  constexpr int kConnections = 16;  // per client thread
  constexpr int kLines = 20;        // per connection
  struct ServerThread {
    std::thread thread;
    Ref<BaseEventLoop> loop;
    std::atomic<int> connections{0};
    std::atomic<int> lines{0};
    std::atomic<bool> on_own_thread{true};
  };
  std::array<ServerThread, kServers> servers;
  std::promise<int> first_port;
  const std::shared_future<int> port_known = first_port.get_future().share();
  std::array<std::promise<void>, kServers> ready;
  for (int i = 0; i < kServers; ++i) {
    servers[i].thread = std::thread([&, i] {
      ServerThread& me = servers[i];
      me.loop = new_event_loop();
      const std::thread::id home = std::this_thread::get_id();
      auto handle = [&me, home](std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
        ++me.connections;
        for (;;) {
          std::string line = reader->readline();
          if (line.empty()) break;
          if (std::this_thread::get_id() != home) me.on_own_thread = false;
          ++me.lines;
          writer->write(line);
          writer->drain();
        }
        writer->close();
      };
      // The first listener takes a free port; the others bind the same one.
      Ref<Server> server;
      try {
        const int port = i == 0 ? 0 : port_known.get();
        server = me.loop->run_until_complete(
            [&] { return start_server(handle, "127.0.0.1", port, {.reuse_port = true}); });
      } catch (...) {  // the waiting threads see the error instead of hanging
        if (i == 0) first_port.set_exception(std::current_exception());
        ready[i].set_exception(std::current_exception());
        me.loop->close();
        return;
      }
      if (i == 0) first_port.set_value(server->sockets().at(0).getsockname().port);
      ready[i].set_value();
      me.loop->run_forever();
      server->close();
      me.loop->run_until_complete([&] { server->wait_closed(); });
      me.loop->close();
    });
  }
  std::vector<std::future<void>> readiness;
  for (auto& r : ready) readiness.push_back(r.get_future());
  bool all_ready = true;
  for (auto& r : readiness) {
    try {
      r.get();
    } catch (const std::exception& e) {
      all_ready = false;
      FAIL_CHECK("a server loop failed to start: " << e.what());
    }
  }
  if (!all_ready) {
    for (ServerThread& s : servers) {
      if (s.loop && !s.loop->is_closed()) s.loop->call_soon_threadsafe([lp = s.loop.get()] { lp->stop(); });
    }
    for (ServerThread& s : servers) s.thread.join();
    return;
  }
  const int the_port = port_known.get();
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClientThreads; ++t) {
    clients.emplace_back([&, t] {
      Ref<BaseEventLoop> loop = new_event_loop();
      loop->run_until_complete([&] {
        std::vector<Task<void>> conns;
        for (int c = 0; c < kConnections; ++c) {
          conns.push_back(create_task([&, c] {
            auto [reader, writer] = open_connection("127.0.0.1", the_port);
            for (int k = 0; k < kLines; ++k) {
              const std::string line = "client " + std::to_string(t) + " conn " + std::to_string(c) + " line " +
                                       std::to_string(k) + "\n";
              writer->write(line);
              writer->drain();
              (reader->readline() == line ? good : bad)++;
            }
            writer->close();
            writer->wait_closed();
          }));
        }
        await(gather(conns));
      });
      loop->close();
    });
  }
  for (auto& c : clients) c.join();
  for (ServerThread& s : servers) {
    s.loop->call_soon_threadsafe([lp = s.loop.get()] { lp->stop(); });
    s.thread.join();
  }
  CHECK(good == kClientThreads * kConnections * kLines);
  CHECK(bad == 0);
  int connections = 0;
  int serving = 0;
  for (ServerThread& s : servers) {
    connections += s.connections;
    if (s.connections > 0) ++serving;
    CHECK(s.on_own_thread);
    MESSAGE("loop served " << s.connections.load() << " connections, " << s.lines.load() << " lines");
  }
  CHECK(connections == kClientThreads * kConnections);
  // The kernel hashes each connection to one listener: with 32 connections over 3 listeners, one
  // loop taking them all has a chance of about 1e-15.
  CHECK(serving >= 2);
}
