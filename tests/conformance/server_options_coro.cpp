// server_options_coro: server_options.cpp in a coroutine task (loop.create_server_async,
// Server::start_serving_async): create_server's keyword arguments (reuse_port, start_serving,
// sock) and the errors for the combinations CPython refuses.
#include <cstdio>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {
std::shared_ptr<BaseProtocol> protocol() { return std::make_shared<Protocol>(); }

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}
}  // namespace

Coro<void> main_coro() {
  BaseEventLoop& loop = get_running_loop();
  Ref<Server> first = co_await loop.create_server_async(protocol, "127.0.0.1", 0, {.reuse_port = true});
  const int port = first->sockets().at(0).getsockname().port;
  Ref<Server> second = co_await loop.create_server_async(protocol, "127.0.0.1", port, {.reuse_port = true});
  std::printf("reuse_port: second server serving %s\n", second->is_serving() ? "True" : "False");
  try {
    co_await loop.create_server_async(protocol, "127.0.0.1", port);
  } catch (const OSError& e) {
    std::printf("without reuse_port: OSError %s\n", replace_all(e.what(), std::to_string(port), "PORT").c_str());
  }
  first->close();
  second->close();

  Ref<Server> later = co_await loop.create_server_async(protocol, "127.0.0.1", 0, {.start_serving = false});
  std::printf("start_serving=False: %s\n", later->is_serving() ? "True" : "False");
  co_await later->start_serving_async();
  std::printf("after start_serving(): %s\n", later->is_serving() ? "True" : "False");
  later->close();

  Socket sock(AF_INET, SOCK_STREAM);
  sock.bind({"127.0.0.1", 0});
  const Address where = sock.getsockname();
  // A named ServerOptions, not a braced temporary inside the co_await's full-expression: GCC 12
  // runs the destructor of such a temporary's Socket with the fd still in it (docs/06).
  ServerOptions with_sock;
  with_sock.sock = std::move(sock);
  Ref<Server> srv = co_await loop.create_server_async(protocol, std::nullopt, std::nullopt, std::move(with_sock));
  std::printf("sock=: serving on the same port %s\n",
              srv->sockets().at(0).getsockname() == where ? "True" : "False");
  srv->close();

  // Each call makes its coroutine object; the errors come when it is awaited.
  std::vector<Coro<Ref<Server>>> refused;
  refused.push_back(loop.create_server_async(protocol));
  refused.push_back(loop.create_server_async(protocol, "127.0.0.1", std::nullopt, {.sock = Socket(AF_INET, SOCK_STREAM)}));
  refused.push_back(loop.create_server_async(protocol, std::nullopt, 0, {.sock = Socket(AF_INET, SOCK_STREAM)}));
  refused.push_back(loop.create_server_async(protocol, "127.0.0.1", std::nullopt, {.ssl_handshake_timeout = 1.0}));
  refused.push_back(loop.create_server_async(protocol, "127.0.0.1", std::nullopt, {.ssl_shutdown_timeout = 1.0}));
  for (Coro<Ref<Server>>& attempt : refused) {
    try {
      co_await std::move(attempt);
    } catch (const ValueError& e) {
      std::printf("ValueError %s\n", e.what());
    }
  }
}

int main() { asyncio::run(main_coro()); }
