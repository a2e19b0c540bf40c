// echo_answers: chapter 10's exercises 2 and 3 done on examples/11_echo_server_client.cpp. With
// `one-write` (exercise 2) the client sends all three words with one write() before its first
// readline(); with `sleep` (exercise 3) it sleeps 0.1 s before each write(). Quoted in
// docs/answers/10.md.
#include <cctype>
#include <cstdio>
#include <string>

#include "asyncio/asyncio.hpp"

namespace {

std::string mode;

std::string strip(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void handle_echo(std::shared_ptr<asyncio::StreamReader> reader, std::shared_ptr<asyncio::StreamWriter> writer) {
  for (;;) {
    const std::string line = reader->readline();
    if (line.empty()) break;
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
  if (mode == "one-write") {  // exercise 2: three lines in one write, then three readlines
    writer->write("hello\nevent loop\nbye\n");
    writer->drain();
  }
  for (const char* word : {"hello", "event loop", "bye"}) {
    if (mode == "sleep") asyncio::sleep(0.1);  // exercise 3: a timer before each write
    if (mode != "one-write") {
      writer->write(std::string(word) + "\n");
      writer->drain();
    }
    const std::string reply = reader->readline();
    std::printf("client got %s\n", asyncio::py_repr(strip(reply)).c_str());
  }
  writer->write_eof();
  const std::string rest = reader->read();
  std::printf("client: server closed, %zu bytes left\n", rest.size());
  writer->close();
  writer->wait_closed();
  server->close();
  server->wait_closed();
  std::printf("done\n");
}

}  // namespace

int main(int argc, char** argv) {
  mode = argc > 1 ? argv[1] : "one-write";
  asyncio::run(main_task);
  return 0;
}
