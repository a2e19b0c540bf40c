// floors.cpp (asyncio-floors): what this machine charges for the primitives a workload cannot do
// without, measured bare, with no event loop around them. Each is the floor under one or more bars
// of tools/bench/run.py's bar check: no implementation of the workload can beat it on this
// machine, so a bar below its floor is out of reach here, whatever the runtime does.
//
//   page_fault_4k        first write to a fresh 4 KiB page (small pages): what a fresh fiber
//                        stack costs, one page per task blocked at once (idle_tasks_memory,
//                        cancel_many with fiber tasks)
//   fresh_huge_per_4k    first write to fresh memory on 2 MiB transparent huge pages, per 4 KiB:
//                        the cheapest fresh memory there is (the block arena's chunks)
//   throw_catch          throw and catch of an exception across one frame: what cancelling one
//                        task costs at the least, since CancelledError must reach the task's own
//                        `catch` blocks (cancel_many, both kinds)
//   fiber_round_trip     Boost.Context: switch into a fiber and back, nothing else (sleep0_switch
//                        with fiber tasks is one such round trip per switch)
//   echo_epoll           echo_tcp's exact shape (50 connections over 127.0.0.1, 64-byte messages,
//                        TCP_NODELAY) served by a bare epoll loop: one send and one recv per side
//                        per round trip, the least a readiness-based loop can do
//   http_exchange        http_fetch's shape (50 clients at once, a fresh connection per request,
//                        the same request and response bytes) on a bare epoll loop
//
// One JSON line per floor: {"floor", "n", "seconds", "ns_per_op", "what"} (+ "rt_per_s",
// "requests_per_s"). Each floor is the best of three repetitions: a floor is what the machine
// *can* do. Usage: asyncio-floors [--quick] [floor...]. Course: docs/performance.md.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/context/fiber.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace ctx = boost::context;
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::cerr << "asyncio-floors: " << what << ": " << std::strerror(errno) << "\n";
  std::exit(3);
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The best (least) of three timings of f(): f returns the seconds it measured itself.
double best_of_three(const std::function<double()>& f) {
  double best = f();
  for (int i = 0; i < 2; ++i) best = std::min(best, f());
  return best;
}

void report(const char* floor, long long n, double seconds, const char* what, const std::string& extra = "") {
  std::printf("{\"floor\": \"%s\", \"n\": %lld, \"seconds\": %.6f, \"ns_per_op\": %.2f, \"what\": \"%s\"%s}\n", floor, n,
              seconds, seconds / static_cast<double>(n) * 1e9, what, extra.c_str());
  std::fflush(stdout);
}

// ---------------------------------------------------------------- fresh memory

constexpr std::size_t kPage = 4096;
constexpr std::size_t kHuge = std::size_t{2} << 20;

// Touch `bytes` of fresh anonymous memory, one write per 4 KiB; huge: 2 MiB-aligned and advised
// for transparent huge pages, else advised against them. Returns the seconds the writes took.
double touch_fresh(std::size_t bytes, bool huge) {
  const std::size_t span = bytes + kHuge;
  void* mem = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) die("mmap");
  const auto base = reinterpret_cast<std::uintptr_t>(mem);
  char* p = reinterpret_cast<char*>((base + kHuge - 1) & ~(kHuge - 1));
  madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);  // advice: failure leaves the default
  const auto t0 = Clock::now();
  for (std::size_t off = 0; off < bytes; off += kPage) static_cast<volatile char*>(p)[off] = 1;
  const double s = seconds_since(t0);
  munmap(mem, span);
  return s;
}

void page_fault_4k(bool quick) {
  const std::size_t bytes = quick ? (std::size_t{4} << 20) : (std::size_t{64} << 20);
  const double s = best_of_three([&] { return touch_fresh(bytes, false); });
  report("page_fault_4k", static_cast<long long>(bytes / kPage), s,
         "first write to a fresh 4 KiB page (small pages): one fresh fiber stack");
}

void fresh_huge_per_4k(bool quick) {
  const std::size_t bytes = quick ? (std::size_t{4} << 20) : (std::size_t{128} << 20);
  const double s = best_of_three([&] { return touch_fresh(bytes, true); });
  report("fresh_huge_per_4k", static_cast<long long>(bytes / kPage), s,
         "fresh memory on 2 MiB transparent huge pages, per 4 KiB");
}

// ---------------------------------------------------------------- one throw

struct Cancelled : std::exception {
  const char* what() const noexcept override { return "cancelled"; }
};

[[gnu::noinline]] void throw_cancelled(int i) {
  if (i >= 0) throw Cancelled();
}

void throw_catch(bool quick) {
  const long long n = quick ? 2'000 : 100'000;
  const double s = best_of_three([&] {
    long long caught = 0;
    const auto t0 = Clock::now();
    for (long long i = 0; i < n; ++i) {
      try {
        throw_cancelled(static_cast<int>(i & 0xffff));
      } catch (const Cancelled&) {
        ++caught;
      }
    }
    const double t = seconds_since(t0);
    if (caught != n) die("throw_catch: an exception was not caught");
    return t;
  });
  report("throw_catch", n, s, "throw + catch of an exception across one frame");
}

// ---------------------------------------------------------------- one switch

void fiber_round_trip(bool quick) {
  const long long n = quick ? 10'000 : 1'000'000;
  const double s = best_of_three([&] {
    long long inside = 0;
    bool stop = false;
    ctx::fiber f{[&](ctx::fiber&& back) {
      while (!stop) {
        ++inside;
        back = std::move(back).resume();
      }
      return std::move(back);
    }};
    const auto t0 = Clock::now();
    for (long long i = 0; i < n; ++i) f = std::move(f).resume();
    const double t = seconds_since(t0);
    stop = true;
    f = std::move(f).resume();  // the fiber returns: nothing left to unwind
    if (inside != n || f) die("fiber_round_trip: the fiber did not run once per resume");
    return t;
  });
  report("fiber_round_trip", n, s, "Boost.Context: into a fiber and back (2 switches)");
}

// ---------------------------------------------------------------- sockets

constexpr int kClients = 50;

int tcp_socket() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  return fd;
}

void nodelay(int fd) {
  const int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die("setsockopt(TCP_NODELAY)");
}

// A listening socket on 127.0.0.1, any port; its address in *addr.
int listener(sockaddr_in* addr) {
  const int fd = tcp_socket();
  *addr = {};
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof *addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(addr), len) != 0 || listen(fd, 1024) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(addr), &len) != 0)
    die("listener");
  return fd;
}

void watch(int ep, int op, int fd, std::uint32_t events, std::uint64_t tag) {
  epoll_event e{};
  e.events = events;
  e.data.u64 = tag;
  if (epoll_ctl(ep, op, fd, &e) != 0) die("epoll_ctl");
}

// echo_tcp's shape: 50 connections, per_client round trips of 64 bytes each, one thread. A client
// sends, the server echoes what it received, the client counts a round trip when all 64 bytes are
// back and sends again. Returns the seconds from the first send to the last echo.
double echo_once(long long per_client) {
  constexpr std::size_t size = 64;
  sockaddr_in addr;
  const int ls = listener(&addr);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct Pair {
    int client = -1, server = -1;
    long long left = 0;
    std::size_t got = 0;  // bytes of the current echo back at the client
  };
  std::vector<Pair> pairs(kClients);
  for (int i = 0; i < kClients; ++i) {
    Pair& p = pairs[static_cast<std::size_t>(i)];
    p.client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // blocking connect: set-up, not timed
    if (p.client < 0 || connect(p.client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("connect");
    p.server = accept4(ls, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (p.server < 0) die("accept4");
    if (fcntl(p.client, F_SETFL, O_NONBLOCK) != 0) die("fcntl");
    nodelay(p.client);
    nodelay(p.server);
    watch(ep, EPOLL_CTL_ADD, p.client, EPOLLIN, static_cast<std::uint64_t>(i));
    watch(ep, EPOLL_CTL_ADD, p.server, EPOLLIN, static_cast<std::uint64_t>(kClients + i));
    p.left = per_client;
  }
  char msg[size];
  std::memset(msg, 'x', size);
  char buf[4096];
  long long pending = per_client * kClients;
  const auto t0 = Clock::now();
  for (Pair& p : pairs)
    if (send(p.client, msg, size, 0) != static_cast<ssize_t>(size)) die("send");
  epoll_event events[128];
  while (pending > 0) {
    const int k = epoll_wait(ep, events, 128, -1);
    if (k < 0 && errno != EINTR) die("epoll_wait");
    for (int j = 0; j < k; ++j) {
      const auto tag = static_cast<int>(events[j].data.u64);
      Pair& p = pairs[static_cast<std::size_t>(tag % kClients)];
      if (tag >= kClients) {  // the server side: echo what came
        const ssize_t r = recv(p.server, buf, sizeof buf, 0);
        if (r > 0 && send(p.server, buf, static_cast<std::size_t>(r), 0) != r) die("send (echo)");
      } else {  // the client side: a round trip is done when its 64 bytes are all back
        const ssize_t r = recv(p.client, buf, sizeof buf, 0);
        if (r <= 0) continue;
        p.got += static_cast<std::size_t>(r);
        if (p.got < size) continue;
        p.got = 0;
        --pending;
        if (--p.left > 0 && send(p.client, msg, size, 0) != static_cast<ssize_t>(size)) die("send");
      }
    }
  }
  const double s = seconds_since(t0);
  for (Pair& p : pairs) {
    close(p.client);
    close(p.server);
  }
  close(ep);
  close(ls);
  return s;
}

void echo_epoll(bool quick) {
  const long long n = quick ? 2'000 : 100'000;
  const long long per_client = n / kClients;
  const double s = best_of_three([&] { return echo_once(per_client); });
  const long long trips = per_client * kClients;
  report("echo_epoll", trips, s, "echo_tcp's shape on a bare epoll loop: one send and one recv per side per round trip",
         ", \"rt_per_s\": " + std::to_string(static_cast<double>(trips) / s));
}

// http_fetch's shape: 50 clients at once, each making requests one after another, each request a
// fresh connection (Connection: close) to a server in the same thread that reads the request up to
// its blank line, writes the response and closes; the client reads to EOF, checks, closes.
double http_once(long long per_client) {
  static constexpr std::string_view request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  static constexpr std::string_view response =
      "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nwelcome";
  sockaddr_in addr;
  const int ls = listener(&addr);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  // Tags: the listener is 0; a client connection 1 + 2*slot; a server connection 2 + 2*slot.
  struct Conn {
    int fd = -1;
    std::string in;
    bool connecting = false;
  };
  std::vector<Conn> clients(kClients), servers(kClients);
  std::vector<long long> left(kClients, per_client);
  std::vector<int> free_server_slots;
  for (int i = kClients - 1; i >= 0; --i) free_server_slots.push_back(i);
  watch(ep, EPOLL_CTL_ADD, ls, EPOLLIN, 0);
  long long pending = per_client * kClients;
  auto start_request = [&](int i) {
    Conn& c = clients[static_cast<std::size_t>(i)];
    c.fd = tcp_socket();
    c.in.clear();
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) die("connect");
    nodelay(c.fd);
    c.connecting = true;
    watch(ep, EPOLL_CTL_ADD, c.fd, EPOLLOUT, 1 + 2 * static_cast<std::uint64_t>(i));
  };
  char buf[4096];
  const auto t0 = Clock::now();
  for (int i = 0; i < kClients; ++i) start_request(i);
  epoll_event events[128];
  while (pending > 0) {
    const int k = epoll_wait(ep, events, 128, -1);
    if (k < 0 && errno != EINTR) die("epoll_wait");
    for (int j = 0; j < k; ++j) {
      const std::uint64_t tag = events[j].data.u64;
      if (tag == 0) {  // the listener: accept every waiting connection
        for (;;) {
          const int fd = accept4(ls, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break;
          if (free_server_slots.empty()) die("http_exchange: more server connections than clients");
          const int slot = free_server_slots.back();
          free_server_slots.pop_back();
          nodelay(fd);
          servers[static_cast<std::size_t>(slot)] = Conn{fd, {}, false};
          watch(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 2 + 2 * static_cast<std::uint64_t>(slot));
        }
      } else if (tag % 2 == 0) {  // a server connection: the request, then the response and close
        const auto slot = static_cast<std::size_t>((tag - 2) / 2);
        Conn& s = servers[slot];
        const ssize_t r = recv(s.fd, buf, sizeof buf, 0);
        if (r < 0 && errno == EAGAIN) continue;
        if (r > 0) s.in.append(buf, static_cast<std::size_t>(r));
        if (s.in.find("\r\n\r\n") == std::string::npos && r > 0) continue;
        if (r > 0 && s.in.rfind("GET / ", 0) != 0) die("http_exchange: bad request");
        if (r > 0 && send(s.fd, response.data(), response.size(), 0) != static_cast<ssize_t>(response.size()))
          die("send (response)");
        close(s.fd);  // closing removes it from the epoll set
        s = Conn{};
        free_server_slots.push_back(static_cast<int>(slot));
      } else {  // a client connection: connected (send the request), or the response, to EOF
        const auto i = static_cast<int>((tag - 1) / 2);
        Conn& c = clients[static_cast<std::size_t>(i)];
        if (c.connecting) {
          c.connecting = false;
          if (send(c.fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) die("send (request)");
          watch(ep, EPOLL_CTL_MOD, c.fd, EPOLLIN, tag);
          continue;
        }
        const ssize_t r = recv(c.fd, buf, sizeof buf, 0);
        if (r > 0) {
          c.in.append(buf, static_cast<std::size_t>(r));
          continue;
        }
        if (r < 0 && errno == EAGAIN) continue;
        if (c.in != response) die("http_exchange: wrong response");
        close(c.fd);
        c.fd = -1;
        --pending;
        if (--left[static_cast<std::size_t>(i)] > 0) start_request(i);
      }
    }
  }
  const double s = seconds_since(t0);
  close(ep);
  close(ls);
  return s;
}

void http_exchange(bool quick) {
  const long long n = quick ? 500 : 20'000;
  const long long per_client = std::max<long long>(1, n / kClients);
  const double s = best_of_three([&] { return http_once(per_client); });
  const long long requests = per_client * kClients;
  report("http_exchange", requests, s, "http_fetch's shape on a bare epoll loop: a fresh connection per request",
         ", \"requests_per_s\": " + std::to_string(static_cast<double>(requests) / s));
}

struct Floor {
  const char* name;
  void (*run)(bool quick);
};

const Floor kFloors[] = {
    {"page_fault_4k", page_fault_4k}, {"fresh_huge_per_4k", fresh_huge_per_4k}, {"throw_catch", throw_catch},
    {"fiber_round_trip", fiber_round_trip}, {"echo_epoll", echo_epoll}, {"http_exchange", http_exchange},
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"asyncio-floors: what this machine charges for the primitives the benchmark workloads cannot do "
               "without, measured bare; one JSON line per floor"};
  bool quick = false, list = false;
  std::vector<std::string> only;
  app.add_flag("--quick", quick, "small sizes (a smoke test: the figures are rough)");
  app.add_flag("--list", list, "print the floor names, one per line");
  app.add_option("floors", only, "floors to measure (default: all)");
  CLI11_PARSE(app, argc, argv);
  if (list) {
    for (const Floor& f : kFloors) std::printf("%s\n", f.name);
    return 0;
  }
  for (const std::string& name : only) {
    if (std::none_of(std::begin(kFloors), std::end(kFloors), [&](const Floor& f) { return name == f.name; })) {
      std::cerr << "asyncio-floors: no floor named '" << name << "' (--list names them)\n";
      return 2;
    }
  }
  for (const Floor& f : kFloors)
    if (only.empty() || std::find(only.begin(), only.end(), f.name) != only.end()) f.run(quick);
  return 0;
}
