// http_client_answers: chapter 11's exercises 1 and 2 done on examples/12_http_client.cpp (its local
// pages only). With `slow-about` (exercise 1) the server sleeps 20 ms for /about too; with
// `as-completed` (exercise 2) main_task prints each page as it finishes (as_completed) instead of
// in request order. Quoted in docs/answers/11.md.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "../../../examples/http_parse.hpp"
#include "asyncio/asyncio.hpp"

namespace {

std::string mode;
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
  if (path == "/about" && mode == "slow-about") asyncio::sleep(0.02);  // exercise 1
  const auto page = PAGES.find(path);
  const std::string body = page != PAGES.end() ? page->second : "not found";
  const std::string status = page != PAGES.end() ? "200 OK" : "404 Not Found";
  writer->write("HTTP/1.1 " + status + "\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\nConnection: close\r\n\r\n" + body);
  writer->drain();
  writer->close();
  writer->wait_closed();
}

std::string fetch(const http::Target& t) {
  auto [reader, writer] = asyncio::open_connection(t.host, t.port);
  writer->write("GET " + t.path + " HTTP/1.1\r\nHost: " + t.host + "\r\nConnection: close\r\n\r\n");
  const http::Response r = http::read_response(*reader);
  writer->close();
  writer->wait_closed();
  return "GET " + t.label + " -> " + std::to_string(r.status) + " " + r.reason + ", " + std::to_string(r.body.size()) +
         " bytes: " + http::show(r.body, 60);
}

void main_task() {
  asyncio::Ref<asyncio::Server> server = asyncio::start_server(serve, "127.0.0.1", 0);
  const int port = server->sockets()[0].getsockname().port;
  std::vector<asyncio::Task<std::string>> tasks;
  for (const char* path : {"/slow", "/", "/about", "/missing"}) {
    const http::Target t{"127.0.0.1", port, path, path};
    tasks.push_back(asyncio::create_task(asyncio::TaskOptions{"GET " + t.label},
                                         [t] { return asyncio::wait_for([&t] { return fetch(t); }, 10.0); }));
  }
  if (mode == "as-completed") {  // exercise 2: as they finish
    for (auto next : asyncio::as_completed(tasks)) std::printf("%s\n", next().c_str());
  } else {
    for (auto& task : tasks) std::printf("%s\n", asyncio::await(task).c_str());  // in request order
  }
  server->close();
  server->wait_closed();
  std::printf("all pages fetched\n");
}

}  // namespace

int main(int argc, char** argv) {
  mode = argc > 1 ? argv[1] : "slow-about";
  asyncio::run(main_task);
  return 0;
}
