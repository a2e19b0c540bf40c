// test_close_leaks.cpp: nothing leaked at close (issue 11, part 3). A closed loop leaves open
// transports alone; a transport nothing references any more closes its socket with CPython's
// "unclosed transport" ResourceWarning (selector_events.py _SelectorTransport.__del__); a loop
// dropped unclosed warns "unclosed event loop" (base_events.py BaseEventLoop.__del__).
// Each case counts open descriptors (/proc/self/fd) before and after.
#include <doctest/doctest.h>

#include <fcntl.h>

#include <algorithm>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "asyncio/warnings.hpp"
#include "io_support.hpp"

using namespace asyncio;
using io_support::open_fd_count;

namespace {

// A protocol that keeps its transport, as most do: transport <-> protocol is a cycle.
struct KeepTransport : Protocol {
  explicit KeepTransport(int* fd_out = nullptr) : fd_out_(fd_out) {}
  Ref<Transport> transport;
  int* fd_out_;
  void connection_made(Ref<Transport> t) override {
    if (fd_out_) *fd_out_ = std::any_cast<int>(t->get_extra_info("socket"));
    transport = std::move(t);
  }
  void connection_lost(std::exception_ptr) override { transport.reset(); }
};

// Turns ResourceWarnings on for one case and records them (Python: warnings.catch_warnings).
struct CaughtWarnings {
  std::vector<std::string> lines;
  CaughtWarnings() {
    warnings::simplefilter("default");
    warnings::set_sink([this](const std::string& category, const std::string& message) {
      lines.push_back(category + ": " + message);
    });
  }
  ~CaughtWarnings() {
    warnings::set_sink(nullptr);
    warnings::simplefilter("ignore");
  }
  CaughtWarnings(const CaughtWarnings&) = delete;
  CaughtWarnings& operator=(const CaughtWarnings&) = delete;
};

std::string transport_warning(int fd) {
  return "ResourceWarning: unclosed transport <_SelectorSocketTransport fd=" + std::to_string(fd) + ">";
}

}  // namespace

TEST_SUITE("close leaks") {
  TEST_CASE("transports left open at close() are freed with a warning once nothing holds them") {
    CaughtWarnings caught;
    const std::size_t fds_before = open_fd_count();
    int server_fd = -1, client_fd = -1;
    {
      Ref<BaseEventLoop> loop = new_event_loop();
      loop->run_until_complete([&] {
        BaseEventLoop& lp = get_running_loop();
        Ref<Server> server = lp.create_server([&] { return std::make_shared<KeepTransport>(&server_fd); },
                                              "127.0.0.1", 0);
        const int port = server->sockets().at(0).getsockname().port;
        lp.create_connection([&] { return std::make_shared<KeepTransport>(&client_fd); }, "127.0.0.1", port);
        while (server_fd < 0) asyncio::sleep(0.001);  // until the server's side is made
        server->close();  // stops listening; the accepted connection stays open
      });
      CHECK(open_fd_count() > fds_before);  // both ends are still open
      CHECK(caught.lines.empty());
      loop->close();  // leaves the transports alone; nothing else holds them now
    }
    CHECK(open_fd_count() == fds_before);
    REQUIRE(caught.lines.size() == 2);
    std::sort(caught.lines.begin(), caught.lines.end());
    std::vector<std::string> expected{transport_warning(client_fd), transport_warning(server_fd)};
    std::sort(expected.begin(), expected.end());
    CHECK(caught.lines == expected);
  }

  TEST_CASE("a stream the program still holds after close() stays open until it lets go") {
    CaughtWarnings caught;
    const std::size_t fds_before = open_fd_count();
    {
      Ref<BaseEventLoop> loop = new_event_loop();
      StreamPair client = loop->run_until_complete([] {
        // The handler returns without closing its writer: the server side is left open too.
        auto handled = std::make_shared<bool>(false);
        Ref<Server> server = start_server(
            [handled](std::shared_ptr<StreamReader>, std::shared_ptr<StreamWriter>) { *handled = true; },
            "127.0.0.1", 0);
        const int port = server->sockets().at(0).getsockname().port;
        StreamPair pair = open_connection("127.0.0.1", port);
        while (!*handled) asyncio::sleep(0.001);
        server->close();
        return pair;
      });
      const int client_fd = std::any_cast<int>(client.second->get_extra_info("socket"));
      loop->close();
      loop.reset();
      // The server's end was referenced by nobody: freed at close(). The client's is held here.
      CHECK(caught.lines.size() == 1);
      CHECK(::fcntl(client_fd, F_GETFD) != -1);  // still open
      CHECK(client.second->is_closing() == false);
      client = {};
      REQUIRE(caught.lines.size() == 2);
      CHECK(caught.lines.back() == transport_warning(client_fd));
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("with warnings ignored (Python's default) the sockets are still closed, silently") {
    warnings::simplefilter("ignore");
    const std::size_t fds_before = open_fd_count();
    {
      Ref<BaseEventLoop> loop = new_event_loop();
      loop->run_until_complete([&] {
        BaseEventLoop& lp = get_running_loop();
        Ref<Server> server = lp.create_server([] { return std::make_shared<KeepTransport>(); }, "127.0.0.1", 0);
        const int port = server->sockets().at(0).getsockname().port;
        lp.create_connection([] { return std::make_shared<KeepTransport>(); }, "127.0.0.1", port);
        asyncio::sleep(0.01);
        server->close();
      });
      loop->close();
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("a loop dropped without close() warns and closes its epoll fd and self-pipe") {
    CaughtWarnings caught;
    const std::size_t fds_before = open_fd_count();
    {
      Ref<BaseEventLoop> loop = new_event_loop();
      CHECK(open_fd_count() == fds_before + 3);  // epoll, and the self-pipe's two ends
      loop->run_until_complete([] { asyncio::sleep(0); });
    }
    CHECK(open_fd_count() == fds_before);
    CHECK(caught.lines ==
          std::vector<std::string>{
              "ResourceWarning: unclosed event loop <_UnixSelectorEventLoop running=False closed=False debug=False>"});
  }

  TEST_CASE("a loop dropped unclosed while a task is pending warns, closes its fds and unwinds the task") {
    CaughtWarnings caught;
    std::vector<std::string> reported;
    const std::size_t fds_before = open_fd_count();
    bool unwound = false;
    int server_fd = -1, client_fd = -1;
    {
      Ref<BaseEventLoop> loop = new_event_loop();
      loop->set_exception_handler(
          [&reported](BaseEventLoop&, const ExceptionContext& context) { reported.push_back(context.message); });
      loop->run_until_complete([&] {
        BaseEventLoop& lp = get_running_loop();
        Ref<Server> server = lp.create_server([&] { return std::make_shared<KeepTransport>(&server_fd); },
                                              "127.0.0.1", 0);
        const int port = server->sockets().at(0).getsockname().port;
        lp.create_connection([&] { return std::make_shared<KeepTransport>(&client_fd); }, "127.0.0.1", port);
        while (server_fd < 0) asyncio::sleep(0.001);
        server->close();
        // Left pending: a timer, the ready queue and the task's own stack are all the loop's.
        lp.create_task([&unwound] {
          struct Guard {
            bool* flag;
            ~Guard() { *flag = true; }
          } guard{&unwound};
          asyncio::sleep(3600);
        });
        asyncio::sleep(0);
      });
      CHECK(open_fd_count() == fds_before + 5);  // epoll, self-pipe, two sockets
      CHECK_FALSE(unwound);
      CHECK(caught.lines.empty());
    }  // the program's last reference to the loop goes, without close()
    CHECK(unwound);
    CHECK(open_fd_count() == fds_before);
    REQUIRE(caught.lines.size() == 3);
    CHECK(caught.lines[0] ==
          "ResourceWarning: unclosed event loop <_UnixSelectorEventLoop running=False closed=False debug=False>");
    std::vector<std::string> transports(caught.lines.begin() + 1, caught.lines.end());
    std::sort(transports.begin(), transports.end());
    std::vector<std::string> expected{transport_warning(client_fd), transport_warning(server_fd)};
    std::sort(expected.begin(), expected.end());
    CHECK(transports == expected);
    CHECK(reported == std::vector<std::string>{"Task was destroyed but it is pending!"});
  }

  TEST_CASE("a pending task the program still holds keeps a dropped loop open until its handle goes") {
    CaughtWarnings caught;
    const std::size_t fds_before = open_fd_count();
    Task<void> held;
    {
      Ref<BaseEventLoop> loop = new_event_loop();
      loop->set_exception_handler([](BaseEventLoop&, const ExceptionContext&) {});
      held = loop->create_task([] { asyncio::sleep(3600); });
      loop->run_until_complete([] { asyncio::sleep(0); });
    }
    // CPython: the task refers to its loop, and the program to the task.
    CHECK(caught.lines.empty());
    CHECK(open_fd_count() == fds_before + 3);
    CHECK_FALSE(held.get_loop().is_closed());
    held = {};
    CHECK(open_fd_count() == fds_before);
    CHECK(caught.lines ==
          std::vector<std::string>{
              "ResourceWarning: unclosed event loop <_UnixSelectorEventLoop running=False closed=False debug=False>"});
  }

  TEST_CASE("a done future the program still holds keeps the loop's memory, not its fds") {
    CaughtWarnings caught;
    const std::size_t fds_before = open_fd_count();
    Future<int> kept;
    {
      Ref<BaseEventLoop> loop = new_event_loop();
      kept = loop->create_future<int>();
      kept.set_result(3);
    }
    CHECK(open_fd_count() == fds_before);
    CHECK(caught.lines.size() == 1);
    CHECK(kept.get_loop().is_closed());  // still a valid (closed) loop
    CHECK(kept.result() == 3);
  }
}
