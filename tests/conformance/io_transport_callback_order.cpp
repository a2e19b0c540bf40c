// io_transport_callback_order: a protocol sees connection_made, data_received, eof_received,
// connection_lost in that order; the creator resumes after connection_made.
#include <cctype>
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {

struct Echo : Protocol {
  std::string name;
  Future<void> lost;
  Future<void> got;  // the client's; the server has none
  Ref<Transport> transport;
  Echo(std::string n, Future<void> l, Future<void> g = {}) : name(std::move(n)), lost(l), got(g) {}
  void connection_made(Ref<Transport> t) override {
    transport = t;
    if (got.valid()) std::printf("%s connection_made\n", name.c_str());
  }
  void data_received(std::string_view data) override {
    std::printf("%s data_received %.*s\n", name.c_str(), static_cast<int>(data.size()), data.data());
    if (!got.valid()) {
      std::string up(data);
      for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      transport->write(up);  // the server echoes
    } else {
      got.set_result();
    }
  }
  bool eof_received() override {
    std::printf("%s eof_received\n", name.c_str());
    return false;
  }
  void connection_lost(std::exception_ptr exc) override {
    std::printf("%s connection_lost %s\n", name.c_str(), exc ? exception_str(exc).c_str() : "None");
    transport.reset();
    lost.set_result();
  }
};

}  // namespace

int main() {
  asyncio::run([] {
    BaseEventLoop& loop = get_running_loop();
    Future<void> server_lost = loop.create_future<void>();
    Ref<Server> server = loop.create_server([&] { return std::make_shared<Echo>("server", server_lost); },
                                            "127.0.0.1", 0);
    const int port = server->sockets()[0].getsockname().port;
    Future<void> client_lost = loop.create_future<void>();
    Future<void> got = loop.create_future<void>();
    auto [transport, protocol] =
        loop.create_connection([&] { return std::make_shared<Echo>("client", client_lost, got); }, "127.0.0.1", port);
    std::printf("create_connection returned\n");
    transport->write("hi");
    await(got);
    transport->write_eof();
    await(server_lost);
    await(client_lost);
    server->close();
    server->wait_closed();
    std::printf("done\n");
  });
  return 0;
}
