// asyncio_bench.cpp: `asyncio-bench WORKLOAD [--n N] [--kind fiber|coro]`, one benchmark workload on
// asyncio-cpp, its tasks fibers (the default) or coroutines (the five task workloads).
// Mirrors the peers in ../shared/bench/peers (asyncio_peer.py, WORKLOADS.md) one for one and
// prints the same JSON keys, so its line sits beside CPython's, uvloop's and Boost.Asio's.
// Owns nothing in the runtime: it uses the loop's public API exactly as a user program would.
// Course: docs/performance.md
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "http_parse.hpp"  // examples/: the chapter 11 client's careful response reader

namespace {

using namespace asyncio;

// ---------------------------------------------------------------- measuring

double wall_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double cpu_now() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
}

// VmRSS in KiB, as the peers read it.
long rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

long peak_rss_kb() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return r.ru_maxrss;
}

struct Meter {
  double t0 = 0, t1 = 0, c0 = 0, c1 = 0;
  long rss0 = 0;
  void start() {
    rss0 = rss_kb();
    c0 = cpu_now();
    t0 = wall_now();
  }
  void stop() {
    t1 = wall_now();
    c1 = cpu_now();
  }
  double wall() const { return t1 - t0; }
  double cpu() const { return c1 - c0; }
};

// One JSON object on one line, keys in insertion order (json.dumps' layout).
class JsonLine {
 public:
  JsonLine& add(const std::string& key, const std::string& value) {
    return raw(key, quote(value));
  }
  JsonLine& add(const std::string& key, const char* value) { return add(key, std::string(value)); }
  JsonLine& add(const std::string& key, bool value) { return raw(key, value ? "true" : "false"); }
  JsonLine& add(const std::string& key, long long value) { return raw(key, std::to_string(value)); }
  JsonLine& add(const std::string& key, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", value);
    return raw(key, buf);
  }
  JsonLine& merge(const JsonLine& other) {
    if (!other.body_.empty()) body_ += (body_.empty() ? "" : ", ") + other.body_;
    return *this;
  }
  std::string str() const { return "{" + body_ + "}"; }

 private:
  static std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  JsonLine& raw(const std::string& key, const std::string& value) {
    if (!body_.empty()) body_ += ", ";
    body_ += quote(key) + ": " + value;
    return *this;
  }
  std::string body_;
};

// What a workload hands back: the meter, the op count, what one op is, and detail keys.
struct Measured {
  Meter meter;
  std::int64_t ops = 0;
  std::string op;
  bool cpu_basis = false;  // timers: per_op_ns from CPU time
  JsonLine extras;  // the peers' detail keys for this workload
};

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "asyncio-bench: check failed: " << what << "\n";
  std::exit(3);
}

// `nclients` tasks running `client` at once against `server`, measured; then the server closes
// (echo_tcp, http_fetch).
template <class Client>
Measured run_clients(BaseEventLoop& loop, Server& server, std::int64_t nclients, Client& client) {
  auto main_fn = [&] {
    std::vector<Task<void>> clients;
    for (std::int64_t i = 0; i < nclients; ++i) clients.push_back(create_task(client));
    await(gather(clients));
  };
  Measured out;
  out.meter.start();
  loop.run_until_complete(main_fn);
  out.meter.stop();
  server.close();
  loop.run_until_complete([&] { server.wait_closed(); });
  return out;
}


// ---------------------------------------------------------------- workloads

// One callback re-schedules itself; the n-th stops the loop: one callback per pass.
Measured call_soon_chain(BaseEventLoop& loop, std::int64_t n) {
  struct State {
    BaseEventLoop& loop;
    std::int64_t n;
    std::int64_t count = 0;
  } st{loop, n};
  struct Cb {
    State* st;
    void operator()() const {
      if (++st->count < st->n)
        st->loop.call_soon(*this);
      else
        st->loop.stop();
    }
  };
  Measured out;
  out.meter.start();
  loop.call_soon(Cb{&st});
  loop.run_forever();
  out.meter.stop();
  if (st.count != n) fail("call_soon_chain count");
  out.ops = n;
  out.op = "callback (one loop pass each)";
  return out;
}

// n callbacks queued before the loop runs, then stop; all run in one pass.
Measured call_soon_batch(BaseEventLoop& loop, std::int64_t n) {
  std::int64_t count = 0;
  std::int64_t* counter = &count;
  Measured out;
  out.meter.start();
  for (std::int64_t i = 0; i < n; ++i) loop.call_soon([counter] { ++*counter; });
  const double t_mid = wall_now();
  BaseEventLoop* lp = &loop;
  loop.call_soon([lp] { lp->stop(); });
  loop.run_forever();
  out.meter.stop();
  if (count != n) fail("call_soon_batch count");
  out.ops = n;
  out.op = "callback (enqueue + dispatch)";
  out.extras.add("enqueue_seconds", t_mid - out.meter.t0).add("run_seconds", out.meter.t1 - t_mid);
  return out;
}

// 1,000 tasks, each n/1,000 times `await asyncio.sleep(0)`, gathered.
Measured sleep0_switch(BaseEventLoop& loop, std::int64_t n) {
  const std::int64_t ntasks = 1000;
  const std::int64_t iters = n / ntasks;
  auto worker = [iters] {
    for (std::int64_t i = 0; i < iters; ++i) asyncio::sleep(0);
  };
  auto main_fn = [&] {
    std::vector<Task<void>> tasks;
    tasks.reserve(ntasks);
    for (std::int64_t i = 0; i < ntasks; ++i) tasks.push_back(create_task(worker));
    await(gather(tasks));
  };
  Measured out;
  out.meter.start();
  loop.run_until_complete(main_fn);
  out.meter.stop();
  out.ops = iters * ntasks;
  out.op = "task switch (sleep(0))";
  out.extras.add("tasks", static_cast<long long>(ntasks)).add("iters", static_cast<long long>(iters));
  return out;
}

// create_task n functions that return their index at once, gather them, check the sum.
Measured spawn_gather(BaseEventLoop& loop, std::int64_t n) {
  auto main_fn = [n]() -> std::int64_t {
    auto ret = [](std::int64_t i) { return i; };
    std::vector<Task<std::int64_t>> tasks;
    tasks.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) tasks.push_back(create_task(ret, i));
    std::int64_t sum = 0;
    for (std::int64_t v : await(gather(tasks))) sum += v;
    return sum;
  };
  Measured out;
  out.meter.start();
  const std::int64_t total = loop.run_until_complete(main_fn);
  out.meter.stop();
  if (total != n * (n - 1) / 2) fail("spawn_gather sum");
  out.ops = n;
  out.op = "task (create + run + gather)";
  return out;
}

// splitmix64 (seed 12345): the peers' very delays, uniform in [0, 0.2 s).
std::vector<double> splitmix64_delays(std::int64_t n) {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(n));
  std::uint64_t s = 12345;
  const double scale = 0.2 / 9007199254740992.0;  // span / 2^53
  for (std::int64_t i = 0; i < n; ++i) {
    s += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    out.push_back(static_cast<double>(z >> 11) * scale);
  }
  return out;
}

// n call_later timers; the n-th to fire stops the loop. The figure is CPU time per timer.
Measured timers(BaseEventLoop& loop, std::int64_t n) {
  const std::vector<double> delays = splitmix64_delays(n);
  struct State {
    BaseEventLoop& loop;
    std::int64_t n;
    std::int64_t count = 0;
  } st{loop, n};
  State* sp = &st;
  Measured out;
  out.meter.start();
  for (double d : delays)
    loop.call_later(d, [sp] {
      if (++sp->count == sp->n) sp->loop.stop();
    });
  const double t_mid = wall_now();
  loop.run_forever();
  out.meter.stop();
  if (st.count != n) fail("timers count");
  double max_delay = 0;
  for (double d : delays) max_delay = std::max(max_delay, d);
  out.ops = n;
  out.op = "timer (schedule + fire), cpu time";
  out.cpu_basis = true;
  out.extras.add("schedule_seconds", t_mid - out.meter.t0)
      .add("max_delay", max_delay)
      .add("wall_minus_max_delay", out.meter.wall() - max_delay);
  return out;
}

// Two tasks pass a token back and forth through fresh futures, n round trips.
Measured future_pingpong(BaseEventLoop& loop, std::int64_t n) {
  auto main_fn = [n]() -> std::int64_t {
    BaseEventLoop& lp = get_running_loop();
    Future<std::int64_t> slot_a;
    Future<std::int64_t> slot_b = lp.create_future<std::int64_t>();
    auto a = [&]() -> std::int64_t {
      std::int64_t tok = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        Future<std::int64_t> fa = lp.create_future<std::int64_t>();
        slot_a = fa;
        slot_b.set_result(tok);
        tok = await(fa);
      }
      return tok;
    };
    auto b = [&] {
      for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t tok = await(slot_b);
        slot_b = lp.create_future<std::int64_t>();
        slot_a.set_result(tok + 1);
      }
    };
    Task<std::int64_t> ta = create_task(a);
    Task<void> tb = create_task(b);
    const auto [tok, done_b] = await(gather(ta, tb));
    return tok;
  };
  Measured out;
  out.meter.start();
  const std::int64_t tok = loop.run_until_complete(main_fn);
  out.meter.stop();
  if (tok != n) fail("future_pingpong token");
  out.ops = n;
  out.op = "round trip (2 future hand-offs)";
  out.extras.add("per_handoff_ns", out.meter.wall() / (2.0 * static_cast<double>(n)) * 1e9);
  return out;
}

// A producer puts 0..n-1 into Queue(maxsize=100), a consumer sums n gets; gathered.
Measured queue_pipe(BaseEventLoop& loop, std::int64_t n) {
  auto main_fn = [n]() -> std::int64_t {
    Queue<std::int64_t> q(100);
    auto producer = [&] {
      for (std::int64_t i = 0; i < n; ++i) q.put(i);
    };
    auto consumer = [&]() -> std::int64_t {
      std::int64_t sum = 0;
      for (std::int64_t i = 0; i < n; ++i) sum += q.get();
      return sum;
    };
    Task<void> p = create_task(producer);
    Task<std::int64_t> c = create_task(consumer);
    const auto [done_p, sum] = await(gather(p, c));
    return sum;
  };
  Measured out;
  out.meter.start();
  const std::int64_t total = loop.run_until_complete(main_fn);
  out.meter.stop();
  if (total != n * (n - 1) / 2) fail("queue_pipe sum");
  out.ops = n;
  out.op = "item (put + get)";
  return out;
}

// 50 clients, each n/50 round trips of 64 bytes through an echo server on 127.0.0.1.
Measured echo_tcp(BaseEventLoop& loop, std::int64_t n) {
  constexpr std::int64_t nclients = 50;
  constexpr std::ptrdiff_t size = 64;
  const std::int64_t per_client = n / nclients;
  auto handle = [](std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
    try {
      for (;;) {
        writer->write(reader->readexactly(size));
        writer->drain();
      }
    } catch (const IncompleteReadError&) {
    } catch (const ConnectionError&) {
    }
    writer->close();
  };
  // Server start-up is not timed, as in the peers.
  Ref<Server> server = loop.run_until_complete([&] { return start_server(handle, "127.0.0.1", 0); });
  const int port = server->sockets().front().getsockname().port;
  auto client = [per_client, port] {
    auto [reader, writer] = open_connection("127.0.0.1", port);
    const std::string msg(size, 'x');
    for (std::int64_t i = 0; i < per_client; ++i) {
      writer->write(msg);
      writer->drain();
      if (reader->readexactly(size).size() != static_cast<std::size_t>(size)) fail("echo_tcp: short echo");
    }
    writer->close();
    writer->wait_closed();
  };
  Measured out = run_clients(loop, *server, nclients, client);
  out.ops = per_client * nclients;
  out.op = "round trip (64 B echo)";
  out.extras.add("clients", static_cast<long long>(nclients))
      .add("round_trips_per_client", static_cast<long long>(per_client))
      .add("rt_per_s", static_cast<double>(out.ops) / out.meter.wall());
  return out;
}

// n lines of 16 bytes written by a server in chunks of 1,000 (write + drain) and read by the
// client with readline over 127.0.0.1: StreamReader's cost per line with the socket in the loop.
Measured stream_readline(BaseEventLoop& loop, std::int64_t n) {
  static constexpr std::int64_t per_chunk = 1000;
  const std::string line = "line-of-16-byte\n";
  std::string chunk;
  for (std::int64_t i = 0; i < per_chunk; ++i) chunk += line;
  auto handle = [n, &chunk, &line](std::shared_ptr<StreamReader>, std::shared_ptr<StreamWriter> writer) {
    for (std::int64_t sent = 0; sent < n; sent += per_chunk) {
      const std::int64_t k = std::min(per_chunk, n - sent);
      writer->write(k == per_chunk ? std::string_view(chunk) : std::string_view(chunk).substr(0, k * line.size()));
      writer->drain();
    }
    writer->close();
  };
  Ref<Server> server = loop.run_until_complete([&] { return start_server(handle, "127.0.0.1", 0); });
  const int port = server->sockets().front().getsockname().port;
  auto main_fn = [n, port]() -> std::int64_t {
    auto [reader, writer] = open_connection("127.0.0.1", port);
    std::int64_t lines = 0;
    for (;;) {
      std::string got = reader->readline();
      if (got.empty()) break;
      if (got.size() != 16) fail("stream_readline: a line of the wrong length");
      ++lines;
    }
    writer->close();
    writer->wait_closed();
    return lines;
  };
  Measured out;
  out.meter.start();
  const std::int64_t lines = loop.run_until_complete(main_fn);
  out.meter.stop();
  server->close();
  loop.run_until_complete([&] { server->wait_closed(); });
  if (lines != n) fail("stream_readline: lines lost");
  out.ops = n;
  out.op = "line (16 B, readline over TCP)";
  out.extras.add("variant", std::string("socket")).add("mb_per_s", static_cast<double>(n) * 16 / 1e6 / out.meter.wall());
  return out;
}

// n HTTP/1.1 requests, 50 clients at once, each a fresh connection (Connection: close) to a
// local server in the same loop, as chapter 11's client (examples/12_http_client.cpp) makes them:
// the response read and checked by http_parse.hpp's read_response. Requests per second.
Measured http_fetch(BaseEventLoop& loop, std::int64_t n) {
  constexpr std::int64_t nclients = 50;
  const std::int64_t per_client = std::max<std::int64_t>(1, n / nclients);
  static const std::string body = "welcome";
  auto serve = [](std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
    try {
      const std::string request_line = reader->readline();
      for (std::string h = reader->readline(); h != "\r\n" && !h.empty(); h = reader->readline()) {
      }
      if (request_line.rfind("GET / ", 0) != 0) fail("http_fetch: bad request line");
      writer->write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n\r\n" + body);
      writer->drain();
    } catch (const ConnectionError&) {
    }
    writer->close();
  };
  Ref<Server> server = loop.run_until_complete([&] { return start_server(serve, "127.0.0.1", 0); });
  const int port = server->sockets().front().getsockname().port;
  const http::Target target{"127.0.0.1", port, "/", "/"};
  auto client = [per_client, &target] {
    for (std::int64_t i = 0; i < per_client; ++i) {
      auto [reader, writer] = open_connection(target.host, target.port);
      writer->write("GET " + target.path + " HTTP/1.1\r\nHost: " + target.host + "\r\nConnection: close\r\n\r\n");
      const http::Response r = http::read_response(*reader);
      if (r.status != 200 || r.body != body) fail("http_fetch: wrong response");
      writer->close();
      writer->wait_closed();
    }
  };
  Measured out = run_clients(loop, *server, nclients, client);
  out.ops = per_client * nclients;
  out.op = "request (GET over a fresh connection, response checked)";
  out.extras.add("clients", static_cast<long long>(nclients))
      .add("client", "streams + http_parse.hpp (chapter 11)")
      .add("requests_per_s", static_cast<double>(out.ops) / out.meter.wall());
  return out;
}

// n lines of 2 bytes fed to a StreamReader as one chunk, then read back with readline: what
// was quadratic when every read erased from the front of the buffer (issue 11).
Measured stream_readline_buffered(BaseEventLoop& loop, std::int64_t n) {
  std::string data;
  data.reserve(static_cast<std::size_t>(2 * n));
  for (std::int64_t i = 0; i < n; ++i) data += "x\n";
  auto main_fn = [&data]() -> std::int64_t {
    StreamReader reader;
    reader.feed_data(data);
    reader.feed_eof();
    std::int64_t lines = 0;
    for (;;) {
      std::string got = reader.readline();
      if (got.empty()) break;
      if (got.size() != 2) fail("stream_readline_buffered: a line of the wrong length");
      ++lines;
    }
    return lines;
  };
  Measured out;
  out.meter.start();
  const std::int64_t lines = loop.run_until_complete(main_fn);
  out.meter.stop();
  if (lines != n) fail("stream_readline_buffered: lines lost");
  out.ops = n;
  out.op = "line (2 B, readline from one buffered chunk)";
  out.extras.add("variant", std::string("buffered")).add("buffered_bytes", static_cast<long long>(2 * n));
  return out;
}

// n tasks blocked in `event.wait()`: RSS per idle task, then set() and gather.
Measured idle_tasks_memory(BaseEventLoop& loop, std::int64_t n) {
  long rss0 = 0, rss1 = 0;
  double t_blocked = 0;
  auto main_fn = [&] {
    Event ev;
    auto waiter = [&ev] { ev.wait(); };
    rss0 = rss_kb();  // CPython's gc.collect() here has no counterpart: nothing to collect
    std::vector<Task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) tasks.push_back(create_task(waiter));
    asyncio::sleep(0);
    rss1 = rss_kb();
    for (const Task<void>& t : tasks)
      if (t.done()) fail("idle_tasks_memory: a task finished before set()");
    t_blocked = wall_now();
    ev.set();
    await(gather(tasks));
  };
  Measured out;
  out.meter.start();
  loop.run_until_complete(main_fn);
  out.meter.stop();
  const double dn = static_cast<double>(n);
  out.ops = n;
  out.op = "idle task (create + block + wake + finish)";
  out.extras.add("bytes_per_task", static_cast<double>(rss1 - rss0) * 1024 / dn)
      .add("bytes_per_task_from_peak", static_cast<double>(peak_rss_kb() - rss0) * 1024 / dn)
      .add("rss_blocked_kb", static_cast<long long>(rss1))
      .add("rss_before_create_kb", static_cast<long long>(rss0))
      .add("create_block_seconds", t_blocked - out.meter.t0)
      .add("wake_finish_seconds", out.meter.t1 - t_blocked)
      .add("stack_size", static_cast<long long>(fibers::default_stack_size()));
  return out;
}

// n tasks blocked in sleep(10), each with its timer; cancel them all and reap.
Measured cancel_many(BaseEventLoop& loop, std::int64_t n) {
  double t_started = 0;
  auto main_fn = [n, &t_started] {
    auto sleeper = [] { asyncio::sleep(10); };
    std::vector<Task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) tasks.push_back(create_task(sleeper));
    asyncio::sleep(0);
    t_started = wall_now();
    for (const Task<void>& t : tasks) t.cancel();
    const std::vector<asyncio::Outcome<void>> results = await(gather(return_exceptions, tasks));
    // "every result is a CancelledError": gather reports exactly the cancelled children so,
    // and checking cancelled() costs what Python's isinstance does (a rethrow would not).
    for (std::size_t i = 0; i < results.size(); ++i)
      if (results[i].index() != 1 || !tasks[i].cancelled()) fail("cancel_many: a task was not cancelled");
  };
  Measured out;
  out.meter.start();
  loop.run_until_complete(main_fn);
  out.meter.stop();
  out.ops = n;
  out.op = "task (create + block in sleep(10) + cancel + reap)";
  out.extras.add("create_block_seconds", t_started - out.meter.t0)
      .add("cancel_reap_seconds", out.meter.t1 - t_started);
  return out;
}

// ---------------------------------------------------------------- coroutine tasks (--kind coro)
// The same five task workloads with stackless tasks (asyncio::Coro, coroutines.hpp): the bodies
// co_await the _async forms where the fiber versions call the suspending functions. Main is a
// coroutine task too, so nothing in the measured part runs on a fiber.

template <class T>
T run_coro_main(BaseEventLoop& loop, Coro<T> main) {
  Task<T> task = loop.create_task(std::move(main));
  return loop.run_until_complete(static_cast<Future<T>>(task));
}

Coro<void> sleep0_worker(std::int64_t iters) {
  for (std::int64_t i = 0; i < iters; ++i) co_await asyncio::sleep_async(0);
}

Measured sleep0_switch_coro(BaseEventLoop& loop, std::int64_t n) {
  const std::int64_t ntasks = 1000;
  const std::int64_t iters = n / ntasks;
  auto main_coro = [](std::int64_t n_tasks, std::int64_t n_iters) -> Coro<void> {
    std::vector<Task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(n_tasks));
    for (std::int64_t i = 0; i < n_tasks; ++i) tasks.push_back(create_task(sleep0_worker(n_iters)));
    co_await gather(tasks);
  };
  Measured out;
  out.meter.start();
  run_coro_main(loop, main_coro(ntasks, iters));
  out.meter.stop();
  out.ops = iters * ntasks;
  out.op = "task switch (sleep(0))";
  out.extras.add("tasks", static_cast<long long>(ntasks)).add("iters", static_cast<long long>(iters));
  return out;
}

Coro<std::int64_t> return_index(std::int64_t i) { co_return i; }

Measured spawn_gather_coro(BaseEventLoop& loop, std::int64_t n) {
  auto main_coro = [](std::int64_t count) -> Coro<std::int64_t> {
    std::vector<Task<std::int64_t>> tasks;
    tasks.reserve(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) tasks.push_back(create_task(return_index(i)));
    std::int64_t sum = 0;
    for (std::int64_t v : co_await gather(tasks)) sum += v;
    co_return sum;
  };
  Measured out;
  out.meter.start();
  const std::int64_t total = run_coro_main(loop, main_coro(n));
  out.meter.stop();
  if (total != n * (n - 1) / 2) fail("spawn_gather sum");
  out.ops = n;
  out.op = "task (create + run + gather)";
  return out;
}

struct PingPong {
  BaseEventLoop& loop;
  std::int64_t n;
  Future<std::int64_t> slot_a;
  Future<std::int64_t> slot_b;
};

Coro<std::int64_t> ping(PingPong& st) {
  std::int64_t tok = 0;
  for (std::int64_t i = 0; i < st.n; ++i) {
    Future<std::int64_t> fa = st.loop.create_future<std::int64_t>();
    st.slot_a = fa;
    st.slot_b.set_result(tok);
    tok = co_await fa;
  }
  co_return tok;
}

Coro<void> pong(PingPong& st) {
  for (std::int64_t i = 0; i < st.n; ++i) {
    const std::int64_t tok = co_await st.slot_b;
    st.slot_b = st.loop.create_future<std::int64_t>();
    st.slot_a.set_result(tok + 1);
  }
}

Measured future_pingpong_coro(BaseEventLoop& loop, std::int64_t n) {
  auto main_coro = [](BaseEventLoop& lp, std::int64_t rounds) -> Coro<std::int64_t> {
    PingPong st{lp, rounds, {}, lp.create_future<std::int64_t>()};
    Task<std::int64_t> ta = create_task(ping(st));
    Task<void> tb = create_task(pong(st));
    const auto [tok, done_b] = co_await gather(ta, tb);
    co_return tok;
  };
  Measured out;
  out.meter.start();
  const std::int64_t tok = run_coro_main(loop, main_coro(loop, n));
  out.meter.stop();
  if (tok != n) fail("future_pingpong token");
  out.ops = n;
  out.op = "round trip (2 future hand-offs)";
  out.extras.add("per_handoff_ns", out.meter.wall() / (2.0 * static_cast<double>(n)) * 1e9);
  return out;
}

Coro<void> idle_waiter(Event& ev) { co_await ev.wait_async(); }

Measured idle_tasks_memory_coro(BaseEventLoop& loop, std::int64_t n) {
  long rss0 = 0, rss1 = 0;
  double t_blocked = 0;
  auto main_coro = [](std::int64_t count, long& rss_before, long& rss_blocked, double& blocked_at) -> Coro<void> {
    Event ev;
    rss_before = rss_kb();
    std::vector<Task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) tasks.push_back(create_task(idle_waiter(ev)));
    co_await asyncio::sleep_async(0);
    rss_blocked = rss_kb();
    for (const Task<void>& t : tasks)
      if (t.done()) fail("idle_tasks_memory: a task finished before set()");
    blocked_at = wall_now();
    ev.set();
    co_await gather(tasks);
  };
  Measured out;
  out.meter.start();
  run_coro_main(loop, main_coro(n, rss0, rss1, t_blocked));
  out.meter.stop();
  const double dn = static_cast<double>(n);
  out.ops = n;
  out.op = "idle task (create + block + wake + finish)";
  out.extras.add("bytes_per_task", static_cast<double>(rss1 - rss0) * 1024 / dn)
      .add("bytes_per_task_from_peak", static_cast<double>(peak_rss_kb() - rss0) * 1024 / dn)
      .add("rss_blocked_kb", static_cast<long long>(rss1))
      .add("rss_before_create_kb", static_cast<long long>(rss0))
      .add("create_block_seconds", t_blocked - out.meter.t0)
      .add("wake_finish_seconds", out.meter.t1 - t_blocked)
      .add("stack_size", 0LL);
  return out;
}

Coro<void> long_sleeper() { co_await asyncio::sleep_async(10); }

Measured cancel_many_coro(BaseEventLoop& loop, std::int64_t n) {
  double t_started = 0;
  auto main_coro = [](std::int64_t count, double& started_at) -> Coro<void> {
    std::vector<Task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) tasks.push_back(create_task(long_sleeper()));
    co_await asyncio::sleep_async(0);
    started_at = wall_now();
    for (const Task<void>& t : tasks) t.cancel();
    const std::vector<asyncio::Outcome<void>> results = co_await gather(return_exceptions, tasks);
    for (std::size_t i = 0; i < results.size(); ++i)
      if (results[i].index() != 1 || !tasks[i].cancelled()) fail("cancel_many: a task was not cancelled");
  };
  Measured out;
  out.meter.start();
  run_coro_main(loop, main_coro(n, t_started));
  out.meter.stop();
  out.ops = n;
  out.op = "task (create + block in sleep(10) + cancel + reap)";
  out.extras.add("create_block_seconds", t_started - out.meter.t0)
      .add("cancel_reap_seconds", out.meter.t1 - t_started);
  return out;
}

// ---------------------------------------------------------------- the table

using WorkloadFn = Measured (*)(BaseEventLoop&, std::int64_t);
struct Workload {
  const char* name;
  std::int64_t default_n;
  WorkloadFn fn;          // nullptr: not runnable yet
  const char* skipped;    // why not, printed as {"skipped": ...} unless --force
  WorkloadFn coro = nullptr;  // the same workload with coroutine tasks (--kind coro); nullptr: none
};

// In WORKLOADS.md order.
const std::vector<Workload>& workloads() {
  static const std::vector<Workload> table = {
      {"call_soon_chain", 1'000'000, call_soon_chain, nullptr},
      {"call_soon_batch", 1'000'000, call_soon_batch, nullptr},
      {"sleep0_switch", 1'000'000, sleep0_switch, nullptr, sleep0_switch_coro},
      {"spawn_gather", 100'000, spawn_gather, nullptr, spawn_gather_coro},
      {"timers", 200'000, timers, nullptr},
      {"future_pingpong", 500'000, future_pingpong, nullptr, future_pingpong_coro},
      {"queue_pipe", 500'000, queue_pipe, nullptr},
      {"echo_tcp", 100'000, echo_tcp, nullptr},
      {"idle_tasks_memory", 100'000, idle_tasks_memory, nullptr, idle_tasks_memory_coro},
      {"cancel_many", 100'000, cancel_many, nullptr, cancel_many_coro},
      {"stream_readline", 1'000'000, stream_readline, nullptr},
      {"stream_readline_buffered", 2'000'000, stream_readline_buffered, nullptr},
      {"http_fetch", 20'000, http_fetch, nullptr},
  };
  return table;
}

// ---------------------------------------------------------------- command line

struct Options {
  std::string workload;
  std::int64_t n = 0;  // 0: the workload's default
  bool list = false;
  bool force = false;
  std::string kind = "fiber";  // fiber | coro
};

void configure_cli(CLI::App& app, Options& options) {
  std::vector<std::string> names;
  for (const Workload& w : workloads()) names.emplace_back(w.name);
  app.add_option("workload", options.workload, "the workload to run (see docs/performance.md)")
      ->check(CLI::IsMember(names));
  app.add_option("--n", options.n, "workload size (default: the workload's own, as in WORKLOADS.md)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--force", options.force, "run a workload marked skipped (one whose primitive is not ready)");
  app.add_option("--kind", options.kind,
                 "task kind: fiber (stackful, the default) or coro (stackless, asyncio::Coro); coro only for "
                 "the task workloads (--list marks them)")
      ->check(CLI::IsMember({"fiber", "coro"}));
  app.add_flag("--list", options.list, "print the workload names and default sizes, one per line");
}

std::string build_type() {
#ifdef NDEBUG
  return "optimised (NDEBUG)";
#else
  return "debug (assertions on)";
#endif
}

int run_bench(const Options& options) {
  if (options.list) {
    for (const Workload& w : workloads())
      std::cout << w.name << " " << w.default_n << (w.skipped ? " skipped" : "") << (w.coro ? " coro" : "") << "\n";
    return 0;
  }
  if (options.workload.empty()) {
    std::cerr << "asyncio-bench: a WORKLOAD is required (--list shows them)\n";
    return 2;
  }
  const Workload* w = nullptr;
  for (const Workload& c : workloads())
    if (options.workload == c.name) w = &c;
  const std::int64_t n = options.n > 0 ? options.n : w->default_n;
  const bool coro = options.kind == "coro";
  if (coro && !w->coro) {
    std::cerr << "asyncio-bench: " << w->name << " has no coroutine form (--kind coro): its tasks do no task work\n";
    return 2;
  }
  if (!w->fn || (w->skipped && !options.force)) {
    std::cout << JsonLine().add("workload", w->name).add("impl", "asyncio-cpp").add("skipped", w->skipped).str()
              << std::endl;
    return 0;
  }

  // One fresh loop per process, debug off; creating it is not timed.
  Ref<BaseEventLoop> loop = new_event_loop();
  loop->set_debug(false);
  Measured out = (coro ? w->coro : w->fn)(*loop, n);
  loop->close();

  const double basis = out.cpu_basis ? out.meter.cpu() : out.meter.wall();
  JsonLine line;
  line.add("workload", w->name)
      .add("impl", "asyncio-cpp")
      .add("kind", options.kind)
      .add("n", static_cast<long long>(out.ops))
      .add("seconds", out.meter.wall())
      .add("cpu_seconds", out.meter.cpu())
      .add("per_op_ns", basis / static_cast<double>(out.ops) * 1e9)
      .add("peak_rss_kb", static_cast<long long>(peak_rss_kb()))
      .add("rss_before_kb", static_cast<long long>(out.meter.rss0))
      .add("per_op_basis", out.cpu_basis ? "cpu" : "wall")
      .add("op", out.op)
      .add("build", build_type())
#ifdef ASYNCIO_NO_TRACE_HOOKS
      .add("trace_hooks", false)
#else
      .add("trace_hooks", true)
#endif
      ;
  line.merge(out.extras);
  std::cout << line.str() << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"asyncio-bench: run one benchmark workload on asyncio-cpp and print one JSON line"};
  Options options;
  configure_cli(app, options);
  CLI11_PARSE(app, argc, argv);
  return run_bench(options);
}
