// test_streams.cpp: StreamReader's buffer rules (limits, EOF, partial reads) and
// open_connection / start_server over loopback, with the faults the issue lists.
// Mirrors Lib/test/test_asyncio/test_streams.py (StreamTests); the expected messages and
// consumed counts were checked against CPython 3.11.
#include <doctest/doctest.h>

#include <sys/socket.h>

#include <string>

#include "asyncio/asyncio.hpp"
#include "io_support.hpp"
#include "test_support.hpp"

using namespace asyncio;
using io_support::open_fd_count;
using test_support::TestLoop;

TEST_SUITE("streams") {
  TEST_CASE("EOF inside readexactly raises IncompleteReadError with the partial data") {
    TestLoop loop;
    loop->run_until_complete([] {
      StreamReader reader;
      reader.feed_data("abc");
      reader.feed_eof();
      try {
        reader.readexactly(10);
        FAIL("no exception");
      } catch (const IncompleteReadError& e) {
        CHECK(e.partial == "abc");
        CHECK(e.expected == 10);
        CHECK(std::string(e.what()) == "3 bytes read on a total of 10 expected bytes");
      }
      CHECK(reader.at_eof());
    });
  }

  TEST_CASE("a line over the limit raises LimitOverrunError and loses nothing") {
    TestLoop loop;
    loop->run_until_complete([] {
      StreamReader reader(5);
      reader.feed_data("abcdefgh\nxy");
      try {
        reader.readuntil("\n");
        FAIL("no exception");
      } catch (const LimitOverrunError& e) {
        CHECK(std::string(e.what()) == "Separator is found, but chunk is longer than limit");
        CHECK(e.consumed == 8);
      }
      CHECK(reader.buffered() == 11);
      // readline turns it into ValueError and drops the long line (separator included).
      CHECK_THROWS_WITH_AS(reader.readline(), "Separator is found, but chunk is longer than limit", ValueError);
      CHECK(reader.read(10) == "xy");
    });
  }

  TEST_CASE("without a separator in sight the limit still applies") {
    TestLoop loop;
    loop->run_until_complete([] {
      StreamReader reader(4);
      reader.feed_data("abcdefg");
      try {
        reader.readuntil("\n");
        FAIL("no exception");
      } catch (const LimitOverrunError& e) {
        CHECK(std::string(e.what()) == "Separator is not found, and chunk exceed the limit");
        CHECK(e.consumed == 7);
      }
      CHECK(reader.buffered() == 7);
    });
  }

  TEST_CASE("reading 2-byte lines from 4 MiB already buffered moves each byte at most once") {
    // The buffer keeps a read offset: a read copies out what it returns and the unread rest is
    // moved only when the read prefix outgrows it. Erasing from the front on every read (the
    // old way) moved about 4 TiB here; the bound below is the total read.
    TestLoop loop;
    loop->run_until_complete([] {
      constexpr std::size_t total = 4 << 20;
      StreamReader reader(DEFAULT_LIMIT);
      std::string data;
      data.reserve(total);
      for (std::size_t i = 0; i < total / 2; ++i) data += static_cast<char>('a' + i % 26), data += '\n';
      reader.feed_data(data);
      reader.feed_eof();
      std::size_t lines = 0;
      bool all_match = true;
      for (;;) {
        std::string line = reader.readline();
        if (line.empty()) break;
        all_match = all_match && line.size() == 2 && line[0] == static_cast<char>('a' + lines % 26) && line[1] == '\n';
        ++lines;
      }
      CHECK(all_match);
      CHECK(lines == total / 2);
      CHECK(reader.at_eof());
      CHECK(reader.bytes_compacted() <= total);
    });
  }

  TEST_CASE("read, readexactly and readuntil take from a large buffer in order, with compaction in between") {
    TestLoop loop;
    loop->run_until_complete([] {
      StreamReader reader(1 << 20);
      std::string data;
      for (int i = 0; i < 200000; ++i) data += std::to_string(i) + ";";
      reader.feed_data(data);
      std::string got;
      std::size_t step = 0;
      while (reader.buffered() > 0) {
        switch (step++ % 3) {
          case 0: got += reader.read(7); break;
          case 1: got += reader.readexactly(std::min<std::ptrdiff_t>(5, static_cast<std::ptrdiff_t>(reader.buffered()))); break;
          default: {
            try {
              got += reader.readuntil(";");
            } catch (const IncompleteReadError& e) {
              got += e.partial;
            }
          }
        }
        if (step == 1000) reader.feed_data("tail;");  // appending after the reader moved on
      }
      CHECK(got.size() == data.size() + 5);
      // What was appended mid-way lands at the end, everything else in order.
      std::string expected = data + "tail;";
      CHECK(got == expected);
      CHECK(reader.bytes_compacted() <= got.size());
    });
  }

  TEST_CASE("read, readline and readuntil wait for data and stop at EOF") {
    TestLoop loop;
    loop->run_until_complete([] {
      auto reader = std::make_shared<StreamReader>();
      auto feeder = create_task([reader] {
        asyncio::sleep(0);
        reader->feed_data("line one\nline");
        asyncio::sleep(0);
        reader->feed_data(" two\n--end--tail");
        reader->feed_eof();
      });
      CHECK(reader->readline() == "line one\n");
      CHECK(reader->readline() == "line two\n");
      CHECK(reader->readuntil("--end--") == "--end--");
      CHECK(reader->read() == "tail");
      CHECK(reader->read(5).empty());
      CHECK(reader->readline().empty());
      CHECK(reader->at_eof());
      await(feeder);
      CHECK_THROWS_WITH_AS(reader->readuntil(""), "Separator should be at least one-byte string", ValueError);
      CHECK_THROWS_WITH_AS(reader->readexactly(-1), "readexactly size can not be less than zero", ValueError);
    });
  }

  TEST_CASE("two readers waiting at once is a RuntimeError") {
    TestLoop loop;
    loop->run_until_complete([] {
      auto reader = std::make_shared<StreamReader>();
      auto first = create_task([reader] { return reader->read(1); });
      asyncio::sleep(0);
      CHECK_THROWS_WITH_AS(reader->read(1), "read() called while another coroutine is already waiting for incoming data",
                           RuntimeError);
      reader->feed_data("x");
      CHECK(await(first) == "x");
    });
  }

  TEST_CASE("start_server and open_connection echo lines; a half-close ends the exchange") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      std::vector<std::string> got;
      loop->run_until_complete([&] {
        Ref<Server> server = start_server(
            [](std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
              for (;;) {
                std::string line = reader->readline();
                if (line.empty()) break;  // the client wrote EOF
                writer->write("echo: " + line);
                writer->drain();
              }
              writer->close();
              writer->wait_closed();
            },
            "127.0.0.1", 0);
        const int port = server->sockets().at(0).getsockname().port;
        auto [reader, writer] = open_connection("127.0.0.1", port);
        for (const char* line : {"one\n", "two\n"}) {
          writer->write(line);
          writer->drain();
          got.push_back(reader->readline());
        }
        writer->write_eof();
        CHECK(reader->read().empty());  // the server closed after our EOF
        writer->close();
        writer->wait_closed();
        server->close();
        server->wait_closed();
      });
      CHECK(got == std::vector<std::string>{"echo: one\n", "echo: two\n"});
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("open_connection to a refused port raises ConnectionRefusedError") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      const int port = io_support::refused_port();
      CHECK_THROWS_AS(loop->run_until_complete([&] { open_connection("127.0.0.1", port); }), ConnectionRefusedError);
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("a peer reset reaches the reader, drain and wait_closed") {
    const std::size_t fds_before = open_fd_count();
    {
      TestLoop loop;
      loop->run_until_complete([&] {
        Socket listener = io_support::listener();
        auto accepted = create_task([&] {
          auto [conn, peer] = get_running_loop().sock_accept(listener.fileno());
          return std::make_shared<Socket>(std::move(conn));
        });
        auto [reader, writer] = open_connection("127.0.0.1", listener.getsockname().port);
        std::shared_ptr<Socket> conn = await(accepted);
        io_support::set_linger_reset(*conn);
        conn->close();
        CHECK_THROWS_WITH_AS(reader->read(10), "[Errno 104] Connection reset by peer", ConnectionResetError);
        CHECK_THROWS_AS(writer->drain(), ConnectionResetError);
        CHECK_THROWS_AS(writer->wait_closed(), ConnectionResetError);
        CHECK(writer->is_closing());
      });
    }
    CHECK(open_fd_count() == fds_before);
  }
}
