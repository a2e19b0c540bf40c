// socket.cpp: Socket's syscalls and address conversion.
// Stands in for Modules/socketmodule.c (sock_bind, sock_listen, getsockname, makesockaddr).
// Course: docs/10-selectors-and-io.md
#include "asyncio/socket.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstring>

#include "asyncio/exceptions.hpp"

namespace asyncio {

std::string Address::repr() const { return "(" + py_repr(host) + ", " + std::to_string(port) + ")"; }

Socket::Socket(int family, int type, int proto) {
  fd_ = ::socket(family, type | SOCK_CLOEXEC, proto);
  if (fd_ < 0) raise_os_error(errno);
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void Socket::close() noexcept {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

void Socket::setblocking(bool flag) {
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0) raise_os_error(errno);
  const int wanted = flag ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd_, F_SETFL, wanted) < 0) raise_os_error(errno);
}

bool Socket::getblocking() const {
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0) raise_os_error(errno);
  return (flags & O_NONBLOCK) == 0;
}

void Socket::setsockopt(int level, int option, int value) {
  if (::setsockopt(fd_, level, option, &value, sizeof value) != 0) raise_os_error(errno);
}

int Socket::getsockopt(int level, int option) const {
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd_, level, option, &value, &len) != 0) raise_os_error(errno);
  return value;
}

void Socket::bind(const Address& address) {
  sockaddr_storage ss{};
  const socklen_t len = to_sockaddr(address, family(), ss);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) raise_os_error(errno);
}

void Socket::listen(int backlog) {
  if (::listen(fd_, backlog) != 0) raise_os_error(errno);
}

Address Socket::getsockname() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) raise_os_error(errno);
  return address_from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
}

Address Socket::getpeername() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) raise_os_error(errno);
  return address_from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
}

void Socket::shutdown(int how) {
  if (::shutdown(fd_, how) != 0) raise_os_error(errno);
}

int Socket::family() const { return socket_family(fd_); }

int socket_family(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) raise_os_error(errno);
  return ss.ss_family;
}

std::pair<Socket, Socket> make_socketpair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) raise_os_error(errno);
  return {Socket(fds[0]), Socket(fds[1])};
}

Address address_from_sockaddr(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "";
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return {host, ntohs(in->sin_port)};
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    return {host, ntohs(in6->sin6_port)};
  }
  return {};  // AF_UNIX and others: Python returns a path or bytes; the course needs neither
}

socklen_t to_sockaddr(const Address& address, int family, sockaddr_storage& out) {
  out = sockaddr_storage{};
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(address.port));
    const std::string host = address.host.empty() ? "0.0.0.0" : address.host;
    if (::inet_pton(AF_INET, host.c_str(), &in->sin_addr) == 1) return sizeof(sockaddr_in);
  } else if (family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(address.port));
    const std::string host = address.host.empty() ? "::" : address.host;
    if (::inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) return sizeof(sockaddr_in6);
  }
  raise_os_error(EAFNOSUPPORT);
}

int numeric_family(const std::string& host) noexcept {
  unsigned char buf[sizeof(in6_addr)];
  if (::inet_pton(AF_INET, host.c_str(), buf) == 1) return AF_INET;
  if (::inet_pton(AF_INET6, host.c_str(), buf) == 1) return AF_INET6;
  return AF_UNSPEC;
}

}  // namespace asyncio
