// test_stream_faults.cpp: the stream faults of the I/O issue over a real loopback connection
// (start_server / open_connection), each counting open descriptors before and after: EOF in
// the middle of readexactly, a line over the limit with nothing lost, writing after close.
// Mirrors Lib/test/test_asyncio/test_streams.py; the expected values come from CPython 3.11.
#include <doctest/doctest.h>

#include <string>

#include "asyncio/asyncio.hpp"
#include "io_support.hpp"
#include "test_support.hpp"

using namespace asyncio;
using io_support::open_fd_count;
using test_support::TestLoop;

TEST_SUITE("stream faults") {
  TEST_CASE("a peer that half-closes in the middle of readexactly gives IncompleteReadError with the partial data") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      std::string server_got = "unset";
      loop->run_until_complete([&] {
        Future<void> handled = get_running_loop().create_future<void>();
        Ref<Server> server = start_server(
            [&](std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
              writer->write("abc");
              writer->drain();
              writer->write_eof();  // half-close: we can still read
              server_got = reader->read();
              writer->close();
              writer->wait_closed();
              handled.set_result();
            },
            "127.0.0.1", 0);
        auto [reader, writer] = open_connection("127.0.0.1", server->sockets().at(0).getsockname().port);
        try {
          reader->readexactly(10);
          FAIL("no exception");
        } catch (const IncompleteReadError& e) {
          CHECK(e.partial == "abc");
          CHECK(e.expected == 10);
          CHECK(exception_repr(std::current_exception()) ==
                "IncompleteReadError('3 bytes read on a total of 10 expected bytes')");
        }
        CHECK(reader->at_eof());
        writer->close();
        writer->wait_closed();
        server->close();
        server->wait_closed();
        await(handled);
      });
      CHECK(server_got.empty());  // our close reached the half-closed server as EOF
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("a line over the connection's limit raises LimitOverrunError and the bytes stay readable") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      loop->run_until_complete([&] {
        Future<void> handled = get_running_loop().create_future<void>();
        const std::string long_line = std::string(40, 'x') + "\n";
        Ref<Server> server = start_server(
            [&](std::shared_ptr<StreamReader>, std::shared_ptr<StreamWriter> writer) {
              writer->write(long_line + "ok\n");
              writer->drain();
              writer->close();
              writer->wait_closed();
              handled.set_result();
            },
            "127.0.0.1", 0);
        auto [reader, writer] = open_connection("127.0.0.1", server->sockets().at(0).getsockname().port, 16);
        try {
          reader->readuntil("\n");
          FAIL("no exception");
        } catch (const LimitOverrunError& e) {
          CHECK(e.consumed == 40);
          CHECK(std::string(e.what()) == "Separator is found, but chunk is longer than limit");
        }
        CHECK(reader->buffered() == long_line.size() + 3);  // nothing was dropped
        CHECK(reader->readexactly(41) == long_line);
        CHECK(reader->readline() == "ok\n");
        CHECK(reader->read().empty());
        writer->close();
        writer->wait_closed();
        server->close();
        server->wait_closed();
        await(handled);
      });
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("writing after close is ignored; drain then raises ConnectionResetError('Connection lost')") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      std::string server_got = "unset";
      loop->run_until_complete([&] {
        Future<void> handled = get_running_loop().create_future<void>();
        Ref<Server> server = start_server(
            [&](std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
              server_got = reader->read();
              writer->close();
              writer->wait_closed();
              handled.set_result();
            },
            "127.0.0.1", 0);
        auto [reader, writer] = open_connection("127.0.0.1", server->sockets().at(0).getsockname().port);
        writer->close();
        writer->write("after close");  // no exception, nothing sent
        CHECK(writer->is_closing());
        CHECK_THROWS_WITH_AS(writer->drain(), "Connection lost", ConnectionResetError);
        writer->wait_closed();
        CHECK_THROWS_WITH_AS(writer->drain(), "Connection lost", ConnectionResetError);
        writer->write("x");
        await(handled);
        server->close();
        server->wait_closed();
      });
      CHECK(server_got.empty());
    }
    CHECK(open_fd_count() == fds_before);
  }
}
