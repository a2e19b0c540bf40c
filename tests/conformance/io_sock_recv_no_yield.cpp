// io_sock_recv_no_yield: sock_recv with data already waiting returns without yielding; with
// none, the task waits for the reader and other callbacks run first.
#include <sys/socket.h>

#include <cstdio>

#include "asyncio/asyncio.hpp"

int main() {
  asyncio::run([] {
    asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
    auto [a, b] = asyncio::make_socketpair();
    a.setblocking(false);
    b.setblocking(false);
    ::send(b.fileno(), "ready", 5, 0);
    loop.call_soon([] { std::printf("callback 1\n"); }, "print");
    std::string data = loop.sock_recv(a.fileno(), 100);
    std::printf("got %s (before callback 1: no yield)\n", data.c_str());
    loop.call_soon([] { std::printf("callback 2\n"); }, "print");
    const int bfd = b.fileno();
    loop.call_soon([bfd] { ::send(bfd, "later", 5, 0); }, "send");
    data = loop.sock_recv(a.fileno(), 100);
    std::printf("got %s (after callback 2: waited)\n", data.c_str());
  });
  return 0;
}
