// 11_echo_server_client: an echo server and its client in one program, over 127.0.0.1.
// Builds on 10: adds sockets: start_server, open_connection, readline, write, drain, a half-close.
// Chapter: docs/10-selectors-and-io.md · Python twin: examples/11_echo_server_client.py
#include <cctype>
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

std::string strip(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Runs as its own task for each connection (CPython's client_connected_cb coroutine).
void handle_echo(std::shared_ptr<asyncio::StreamReader> reader, std::shared_ptr<asyncio::StreamWriter> writer) {
  for (;;) {
    const std::string line = reader->readline();
    if (line.empty()) break;  // the client wrote EOF
    std::printf("server got %s\n", asyncio::py_repr(strip(line)).c_str());
    writer->write(upper(line));
    writer->drain();
  }
  std::printf("server: client sent EOF, closing\n");
  writer->close();
  writer->wait_closed();
}

void main_task() {
  asyncio::Ref<asyncio::Server> server = asyncio::start_server(handle_echo, "127.0.0.1", 0);
  const int port = server->sockets()[0].getsockname().port;
  auto [reader, writer] = asyncio::open_connection("127.0.0.1", port);
  for (const char* word : {"hello", "event loop", "bye"}) {
    writer->write(std::string(word) + "\n");
    writer->drain();
    const std::string reply = reader->readline();
    std::printf("client got %s\n", asyncio::py_repr(strip(reply)).c_str());
  }
  writer->write_eof();  // half-close: we are done sending, still listening
  const std::string rest = reader->read();
  std::printf("client: server closed, %zu bytes left\n", rest.size());
  writer->close();
  writer->wait_closed();
  server->close();
  server->wait_closed();
  std::printf("done\n");
}

}  // namespace

int main() {
  asyncio::run(main_task);
  return 0;
}
