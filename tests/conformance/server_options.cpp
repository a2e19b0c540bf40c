// server_options: create_server's keyword arguments (reuse_port, start_serving, sock) and the
// errors for the combinations CPython refuses.
#include <cstdio>
#include <string>

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

int main() {
  asyncio::run([] {
    BaseEventLoop& loop = get_running_loop();
    Ref<Server> first = loop.create_server(protocol, "127.0.0.1", 0, {.reuse_port = true});
    const int port = first->sockets().at(0).getsockname().port;
    Ref<Server> second = loop.create_server(protocol, "127.0.0.1", port, {.reuse_port = true});
    std::printf("reuse_port: second server serving %s\n", second->is_serving() ? "True" : "False");
    try {
      loop.create_server(protocol, "127.0.0.1", port);
    } catch (const OSError& e) {
      std::printf("without reuse_port: OSError %s\n", replace_all(e.what(), std::to_string(port), "PORT").c_str());
    }
    first->close();
    second->close();

    Ref<Server> later = loop.create_server(protocol, "127.0.0.1", 0, {.start_serving = false});
    std::printf("start_serving=False: %s\n", later->is_serving() ? "True" : "False");
    later->start_serving();
    std::printf("after start_serving(): %s\n", later->is_serving() ? "True" : "False");
    later->close();

    Socket sock(AF_INET, SOCK_STREAM);
    sock.bind({"127.0.0.1", 0});
    const Address where = sock.getsockname();
    Ref<Server> srv = loop.create_server(protocol, std::nullopt, std::nullopt, {.sock = std::move(sock)});
    std::printf("sock=: serving on the same port %s\n",
                srv->sockets().at(0).getsockname() == where ? "True" : "False");
    srv->close();

    auto refused = [&](auto make) {
      try {
        make();
      } catch (const ValueError& e) {
        std::printf("ValueError %s\n", e.what());
      }
    };
    refused([&] { loop.create_server(protocol); });
    refused([&] { loop.create_server(protocol, "127.0.0.1", std::nullopt, {.sock = Socket(AF_INET, SOCK_STREAM)}); });
    refused([&] { loop.create_server(protocol, std::nullopt, 0, {.sock = Socket(AF_INET, SOCK_STREAM)}); });
    refused([&] { loop.create_server(protocol, "127.0.0.1", std::nullopt, {.ssl_handshake_timeout = 1.0}); });
    refused([&] { loop.create_server(protocol, "127.0.0.1", std::nullopt, {.ssl_shutdown_timeout = 1.0}); });
  });
}
