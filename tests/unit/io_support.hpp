// io_support.hpp: fixtures for the I/O tests: an open-fd counter, loopback listeners and
// non-blocking socket pairs, so every scenario can prove it leaks no descriptor.
// Course: none (test scaffolding).
#pragma once

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asyncio/asyncio.hpp"

namespace io_support {

// How many descriptors this process has open (/proc/self/fd, minus the one opendir uses).
inline std::size_t open_fd_count() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return 0;
  std::size_t n = 0;
  while (::readdir(dir) != nullptr) ++n;
  ::closedir(dir);
  return n - 3;  // ".", ".." and the directory's own fd
}

// A non-blocking listening TCP socket on 127.0.0.1 and an ephemeral port.
inline asyncio::Socket listener(int backlog = 16) {
  asyncio::Socket s(AF_INET, SOCK_STREAM);
  s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  s.bind({"127.0.0.1", 0});
  s.listen(backlog);
  s.setblocking(false);
  return s;
}

// A connected non-blocking AF_UNIX stream pair.
inline std::pair<asyncio::Socket, asyncio::Socket> nonblocking_pair() {
  auto pair = asyncio::make_socketpair();
  pair.first.setblocking(false);
  pair.second.setblocking(false);
  return pair;
}

// A port on 127.0.0.1 with nobody listening (bound once, then released).
inline int refused_port() {
  asyncio::Socket s(AF_INET, SOCK_STREAM);
  s.bind({"127.0.0.1", 0});
  return s.getsockname().port;
}

// Make the peer of a closing socket see ECONNRESET instead of EOF (SO_LINGER, timeout 0).
inline void set_linger_reset(asyncio::Socket& s) {
  struct linger lg{1, 0};
  ::setsockopt(s.fileno(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

// Records every protocol callback as one line of `log`; optionally keeps the connection half-open
// on EOF, and notes the write buffer size that pause_writing/resume_writing saw.
struct RecordingProtocol : asyncio::Protocol {
  std::vector<std::string>* log;
  bool keep_open_on_eof = false;
  bool log_buffer_size = false;
  asyncio::Ref<asyncio::Transport> transport;
  asyncio::Future<void> lost;
  RecordingProtocol(std::vector<std::string>* l, asyncio::Future<void> lost_future)
      : log(l), lost(std::move(lost_future)) {}
  void connection_made(asyncio::Ref<asyncio::Transport> t) override {
    transport = t;
    log->push_back("connection_made");
  }
  void data_received(std::string_view data) override { log->push_back("data_received " + std::string(data)); }
  bool eof_received() override {
    log->push_back("eof_received");
    return keep_open_on_eof;
  }
  void connection_lost(std::exception_ptr exc) override {
    log->push_back("connection_lost " + asyncio::exception_repr(exc));
    transport.reset();  // break the protocol <-> transport cycle, as user code should
    if (!lost.done()) lost.set_result();
  }
  void pause_writing() override { log->push_back("pause_writing" + buffer_size_()); }
  void resume_writing() override { log->push_back("resume_writing" + buffer_size_()); }

 private:
  std::string buffer_size_() const {
    return log_buffer_size ? " " + std::to_string(transport->get_write_buffer_size()) : std::string();
  }
};

}  // namespace io_support
