// 12_http_client: a tiny HTTP/1.1 client fetching several pages at once from a local server.
// Builds on 11: adds a protocol on top of streams (checked by http_parse.hpp), concurrent fetches, a timeout each.
// Chapter: docs/11-http-client.md · Python twin: examples/12_http_client.py
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "asyncio/asyncio.hpp"
#include "http_parse.hpp"

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

std::string fetch(const http::Target& t) {
  auto [reader, writer] = asyncio::open_connection(t.host, t.port);
  writer->write("GET " + t.path + " HTTP/1.1\r\nHost: " + t.host + "\r\nConnection: close\r\n\r\n");
  const http::Response r = http::read_response(*reader);
  writer->close();
  writer->wait_closed();
  return "GET " + t.label + " -> " + std::to_string(r.status) + " " + r.reason + ", " + std::to_string(r.body.size()) +
         " bytes: " + http::show(r.body, 60);
}

int main_task(std::vector<std::string> urls, double timeout) {
  asyncio::Ref<asyncio::Server> server = asyncio::start_server(serve, "127.0.0.1", 0);
  const int port = server->sockets()[0].getsockname().port;
  std::vector<http::Target> targets;
  for (const std::string& url : urls) targets.push_back(http::parse_url(url));
  if (urls.empty())
    for (const char* path : {"/slow", "/", "/about", "/missing"}) targets.push_back({"127.0.0.1", port, path, path});
  std::vector<asyncio::Task<std::string>> tasks;
  for (const http::Target& t : targets)  // each client task is named after its request: [GET /slow], ...
    tasks.push_back(asyncio::create_task(asyncio::TaskOptions{"GET " + t.label},
                                         [t, timeout] { return asyncio::wait_for([&t] { return fetch(t); }, timeout); }));
  int failures = 0;
  for (std::size_t i = 0; i < tasks.size(); ++i) {  // in request order
    try {
      std::printf("%s\n", asyncio::await(tasks[i]).c_str());
    } catch (const asyncio::TimeoutError&) {
      std::fprintf(stderr, "error: GET %s: no complete response within %g s\n", targets[i].label.c_str(), timeout), ++failures;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: GET %s: %s\n", targets[i].label.c_str(), e.what()), ++failures;
    }
  }
  server->close();
  server->wait_closed();
  if (failures == 0) std::printf("all pages fetched\n");
  return failures == 0 ? 0 : 1;
}

}  // namespace

// Usage: 12_http_client [--timeout SECONDS] [http://host[:port]/path ...] (no URL: the local pages)
int main(int argc, char** argv) {
  std::vector<std::string> urls(argv + 1, argv + argc);
  double timeout = 10.0;
  try {
    if (!urls.empty() && urls[0] == "--timeout")
      timeout = http::parse_timeout(urls.size() >= 2 ? urls[1] : ""), urls.erase(urls.begin(), urls.begin() + 2);
    return asyncio::run([&] { return main_task(urls, timeout); });
  } catch (const http::HttpError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
