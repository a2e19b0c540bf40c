// unclosed_resources: transports left open when the loop closes are closed once nothing holds
// them, with "unclosed transport" ResourceWarnings; a loop dropped unclosed warns too. fd
// numbers as N, in sorted order (the Python twin's garbage collector has no defined order).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "asyncio/warnings.hpp"

using namespace asyncio;

namespace {

std::vector<std::string> caught;

struct Keep : Protocol {
  int* made;
  explicit Keep(int* m = nullptr) : made(m) {}
  Ref<Transport> transport;
  void connection_made(Ref<Transport> t) override {
    transport = std::move(t);
    if (made) ++*made;
  }
};

// "fd=12" -> "fd=N": descriptor numbers differ between runs and runtimes.
std::string mask_fds(const std::string& message) {
  std::string out;
  for (std::size_t i = 0; i < message.size();) {
    if (message.compare(i, 3, "fd=") == 0 && i + 3 < message.size() && std::isdigit(static_cast<unsigned char>(message[i + 3]))) {
      out += "fd=N";
      i += 3;
      while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i]))) ++i;
    } else {
      out += message[i++];
    }
  }
  return out;
}

}  // namespace

int main() {
  warnings::simplefilter("default");
  warnings::set_sink([](const std::string& category, const std::string& message) {
    caught.push_back(category + ": " + mask_fds(message));
  });
  {
    Ref<BaseEventLoop> loop = new_event_loop();
    loop->run_until_complete([] {
      BaseEventLoop& lp = get_running_loop();
      int accepted = 0;
      Ref<Server> server = lp.create_server([&] { return std::make_shared<Keep>(&accepted); }, "127.0.0.1", 0);
      const int port = server->sockets().at(0).getsockname().port;
      lp.create_connection([] { return std::make_shared<Keep>(); }, "127.0.0.1", port);
      while (accepted == 0) asyncio::sleep(0.001);
      server->close();
      std::printf("connected; server closed, both ends still open\n");
    });
    loop->close();
    std::printf("loop closed\n");
  }
  std::sort(caught.begin(), caught.end());
  for (const auto& line : caught) std::printf("%s\n", line.c_str());
  caught.clear();

  { Ref<BaseEventLoop> other = new_event_loop(); }
  for (const auto& line : caught) std::printf("%s\n", line.c_str());
}
