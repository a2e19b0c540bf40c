// echo_server_client_coro: examples/11_echo_server_client.cpp written with stackless coroutine
// tasks: start_server_async with a handler returning Coro<void>, open_connection_async, and the
// _async reads and writes. Its output must equal examples/11_echo_server_client.py's.
#include <cctype>
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

using namespace asyncio;

namespace {

std::string strip(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// async def handle_echo(reader, writer): a coroutine task for each connection.
Coro<void> handle_echo(std::shared_ptr<StreamReader> reader, std::shared_ptr<StreamWriter> writer) {
  for (;;) {
    const std::string line = co_await reader->readline_async();
    if (line.empty()) break;  // the client wrote EOF
    std::printf("server got %s\n", py_repr(strip(line)).c_str());
    writer->write(upper(line));
    co_await writer->drain_async();
  }
  std::printf("server: client sent EOF, closing\n");
  writer->close();
  co_await writer->wait_closed_async();
}

Coro<void> main_coro() {
  Ref<Server> server = co_await start_server_async(handle_echo, "127.0.0.1", 0);
  const int port = server->sockets()[0].getsockname().port;
  auto [reader, writer] = co_await open_connection_async("127.0.0.1", port);
  for (const char* word : {"hello", "event loop", "bye"}) {
    writer->write(std::string(word) + "\n");
    co_await writer->drain_async();
    const std::string reply = co_await reader->readline_async();
    std::printf("client got %s\n", py_repr(strip(reply)).c_str());
  }
  writer->write_eof();  // half-close: we are done sending, still listening
  const std::string rest = co_await reader->read_async();
  std::printf("client: server closed, %zu bytes left\n", rest.size());
  writer->close();
  co_await writer->wait_closed_async();
  server->close();
  co_await server->wait_closed_async();
  std::printf("done\n");
}

}  // namespace

int main() {
  asyncio::run(main_coro());
  return 0;
}
