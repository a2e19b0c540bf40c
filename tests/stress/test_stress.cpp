// test_stress.cpp: the load checks of issue 11, under the CTest label `stress` (not in the
// default run): 10,000 concurrent connections, 100,000 sleeping tasks, call_soon_threadsafe from
// 8 threads with none lost or run twice. Run them with `ctest --preset release -L stress`.
// Nothing here is timed: each case checks counts, order and leaked descriptors.
#include <doctest/doctest.h>

#include <dirent.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {

std::size_t open_fd_count() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return 0;
  std::size_t n = 0;
  while (::readdir(dir) != nullptr) ++n;
  ::closedir(dir);
  return n - 3;
}

// Raise the soft RLIMIT_NOFILE to the hard one; false (with a message) if that is still below
// `needed`, so the case can skip rather than fail on a machine that cannot hold the load.
bool raise_fd_limit(rlim_t needed) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
  }
  if (lim.rlim_cur < needed) {
    MESSAGE("skipped: RLIMIT_NOFILE hard limit is " << lim.rlim_max << ", this case needs " << needed
                                                     << " descriptors (raise it with `ulimit -Hn`)");
    return false;
  }
  return true;
}

}  // namespace

TEST_SUITE("stress") {
  TEST_CASE("10,000 concurrent connections each echo a line and leak no descriptor") {
    constexpr int nconn = 10000;
    if (!raise_fd_limit(2 * nconn + 200)) return;
    const std::size_t fds_before = open_fd_count();
    {
      Ref<BaseEventLoop> loop = new_event_loop();
      std::size_t echoed = 0;
      loop->run_until_complete([&] {
        Ref<Server> server = start_server(
            [](std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
              writer->write(reader->readline());
              writer->drain();
              writer->close();
            },
            "127.0.0.1", 0, {.backlog = 4096});
        const int port = server->sockets().at(0).getsockname().port;
        // Every client connects first, then all of them wait for each other: 10,000 open at once.
        Event all_connected;
        int connected = 0;
        auto client = [&](int i) {
          auto [reader, writer] = open_connection("127.0.0.1", port);
          if (++connected == nconn) all_connected.set();
          all_connected.wait();
          const std::string line = "client " + std::to_string(i) + "\n";
          writer->write(line);
          if (reader->readline() == line) ++echoed;
          writer->close();
          writer->wait_closed();
        };
        std::vector<Task<void>> clients;
        clients.reserve(nconn);
        for (int i = 0; i < nconn; ++i) clients.push_back(create_task(client, i));
        await(gather(clients));
        server->close();
        server->wait_closed();
      });
      CHECK(echoed == nconn);
      loop->close();
    }
    CHECK(open_fd_count() == fds_before);
  }

  TEST_CASE("100,000 tasks sleep at once and each wakes exactly once") {
    Ref<BaseEventLoop> loop = new_event_loop();
    constexpr int ntasks = 100000;
    std::vector<int> woke(ntasks, 0);
    int awake = 0;
    loop->run_until_complete([&] {
      std::vector<Task<void>> tasks;
      tasks.reserve(ntasks);
      for (int i = 0; i < ntasks; ++i)
        tasks.push_back(create_task([&woke, &awake, i] {
          asyncio::sleep(0.001 * (i % 100));
          ++woke[i];
          ++awake;
        }));
      await(gather(tasks));
    });
    bool once = true;
    for (int w : woke) once = once && w == 1;
    CHECK(once);
    CHECK(awake == ntasks);
    CHECK(loop->scheduled_count() == 0);
    loop->close();
  }

  TEST_CASE("call_soon_threadsafe from 8 threads: every callback runs exactly once, each thread's in order") {
    Ref<BaseEventLoop> loop = new_event_loop();
    constexpr int nthreads = 8;
    constexpr int per_thread = 100000;
    std::vector<std::vector<int>> seen(nthreads);
    std::atomic<int> finished{0};
    std::vector<std::thread> threads;
    loop->call_soon([&] {
      for (int t = 0; t < nthreads; ++t)
        threads.emplace_back([&, t] {
          for (int i = 0; i < per_thread; ++i) loop->call_soon_threadsafe_noref_([&seen, t, i] { seen[t].push_back(i); });
          // The last one stops the loop once every thread is done.
          loop->call_soon_threadsafe_noref_([&] {
            if (++finished == nthreads) loop->stop();
          });
        });
    });
    loop->run_forever();
    for (auto& th : threads) th.join();
    for (int t = 0; t < nthreads; ++t) {
      CHECK(seen[t].size() == per_thread);
      bool in_order = true;
      for (int i = 0; i < static_cast<int>(seen[t].size()); ++i) in_order = in_order && seen[t][i] == i;
      CHECK(in_order);  // none lost, none twice, FIFO per thread
    }
    loop->close();
  }
}
