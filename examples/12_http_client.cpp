// 12_http_client: a tiny HTTP/1.1 client fetching several pages at once from a local server.
// Builds on 11: adds a protocol on top of streams (status line, headers, Content-Length) and concurrent fetches.
// Chapter: docs/11-http-client.md · Python twin: examples/12_http_client.py
#include <cctype>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace {

using Reader = std::shared_ptr<asyncio::StreamReader>;
using Writer = std::shared_ptr<asyncio::StreamWriter>;
const std::map<std::string, std::string> PAGES = {
    {"/", "welcome"}, {"/about", "an asyncio course"}, {"/slow", "worth the wait"}};

void serve(Reader reader, Writer writer) {
  const std::string request_line = reader->readline();
  for (std::string h = reader->readline(); h != "\r\n" && !h.empty(); h = reader->readline()) {
  }
  const std::size_t start = request_line.find(' ') + 1;
  const std::string path = request_line.substr(start, request_line.find(' ', start) - start);
  if (path == "/slow") asyncio::sleep(0.01);
  const auto page = PAGES.find(path);
  const std::string body = page != PAGES.end() ? page->second : "not found";
  const std::string status = page != PAGES.end() ? "200 OK" : "404 Not Found";
  writer->write("HTTP/1.1 " + status + "\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\nConnection: close\r\n\r\n" + body);
  writer->drain();
  writer->close();
  writer->wait_closed();
}

std::string fetch(int port, std::string path) {
  auto [reader, writer] = asyncio::open_connection("127.0.0.1", port);
  writer->write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  std::string status = reader->readline();
  status = status.substr(status.find(' ') + 1, status.size() - status.find(' ') - 3);  // drop "HTTP/1.1 ", "\r\n"
  std::size_t length = 0;
  for (std::string line = reader->readline(); line != "\r\n"; line = reader->readline()) {
    std::string name = line.substr(0, line.find(':'));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "content-length") length = std::stoul(line.substr(line.find(':') + 1));
  }
  const std::string body = reader->readexactly(static_cast<std::ptrdiff_t>(length));
  writer->close();
  writer->wait_closed();
  return "GET " + path + " -> " + status + ", " + std::to_string(length) + " bytes: " + asyncio::py_repr(body);
}

void main_task() {
  asyncio::Ref<asyncio::Server> server = asyncio::start_server(serve, "127.0.0.1", 0);
  const int port = server->sockets()[0].getsockname().port;
  std::vector<asyncio::Task<std::string>> tasks;
  for (const char* path : {"/slow", "/", "/about", "/missing"}) tasks.push_back(asyncio::create_task(fetch, port, path));
  for (auto& task : tasks) std::printf("%s\n", asyncio::await(task).c_str());  // in request order
  server->close();
  server->wait_closed();
  std::printf("all pages fetched\n");
}

}  // namespace

int main() {
  asyncio::run(main_task);
  return 0;
}
