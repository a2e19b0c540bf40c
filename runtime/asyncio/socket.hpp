// socket.hpp: Socket, a small owner of a socket fd, and Address, an (host, port) pair.
// A C++-only helper standing in for Lib/socket.py's socket.socket: C++ has no socket object,
// and the loop's sock_* methods and transports need one that closes itself.
// Owns one fd (closed by the destructor unless detach()ed); raises OSError subclasses.
// Course: docs/10-selectors-and-io.md
#pragma once

#include <sys/socket.h>

#include <string>
#include <utility>

namespace asyncio {

// An IPv4/IPv6 address as Python's socket module spells it: ('127.0.0.1', 8888).
struct Address {
  std::string host;
  int port = 0;
  // Python's repr of the tuple: "('127.0.0.1', 8888)".
  std::string repr() const;
  friend bool operator==(const Address&, const Address&) = default;
};

class Socket {
 public:
  Socket() noexcept = default;
  // socket.socket(family, type): a new socket (close-on-exec, as Python makes them).
  Socket(int family, int type, int proto = 0);
  // Takes ownership of an open fd.
  explicit Socket(int fd) noexcept : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { close(); }

  // -1 once closed or detached, as Python's fileno() returns.
  int fileno() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  void close() noexcept;
  // Gives up the fd without closing it.
  int detach() noexcept { return std::exchange(fd_, -1); }

  void setblocking(bool flag);
  bool getblocking() const;
  void setsockopt(int level, int option, int value);
  int getsockopt(int level, int option) const;
  void bind(const Address& address);
  void listen(int backlog = 128);
  Address getsockname() const;
  Address getpeername() const;
  void shutdown(int how);
  int family() const;

 private:
  int fd_ = -1;
};

// socket.socketpair(): two connected AF_UNIX stream sockets (named apart from ::socketpair).
std::pair<Socket, Socket> make_socketpair();

// sockaddr <-> Address for AF_INET / AF_INET6. to_sockaddr raises OSError (EAFNOSUPPORT) for a
// host that is not a numeric address of `family`.
Address address_from_sockaddr(const sockaddr* sa);
socklen_t to_sockaddr(const Address& address, int family, sockaddr_storage& out);
// The address family of an open socket fd (getsockname's ss_family).
int socket_family(int fd);
// The family of a numeric host ("127.0.0.1" -> AF_INET, "::1" -> AF_INET6), or AF_UNSPEC.
int numeric_family(const std::string& host) noexcept;

}  // namespace asyncio
