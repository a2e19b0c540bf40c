// selector_events.cpp: SelectorEventLoop's fd callbacks, sock_* coroutines, event processing
// and self-pipe.
// Mirrors Lib/asyncio/selector_events.py (BaseSelectorEventLoop._add_reader, _remove_reader,
// sock_recv, _sock_recv, sock_sendall, _sock_sendall, sock_connect, _sock_connect_cb,
// sock_accept, _sock_accept, _process_events, _make_self_pipe, _read_from_self, _write_to_self).
// Course: docs/10-selectors-and-io.md
#include "asyncio/selector_events.hpp"

#include "asyncio/graph.hpp"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstring>
#include <optional>

#include "asyncio/coroutines.hpp"
#include "asyncio/exceptions.hpp"
#include "asyncio/tasks.hpp"
#include "asyncio/threads.hpp"
#include "asyncio/warnings.hpp"

namespace asyncio {

using selectors::EVENT_READ;
using selectors::EVENT_WRITE;

SelectorEventLoop::SelectorEventLoop(std::unique_ptr<selectors::BaseSelector> selector)
    : BaseEventLoop(selector ? std::move(selector) : std::make_unique<selectors::DefaultSelector>()) {
  make_self_pipe_();
}

SelectorEventLoop::~SelectorEventLoop() {
  // BaseEventLoop.__del__: a loop dropped without close() warns and closes itself (its epoll
  // fd and self-pipe). Reached when the last reference goes with no inner reference left; with
  // some (a pending task's, a future's, a transport's) BaseEventLoop::dropped_() did the same
  // earlier, when the program's last use went, and closed the loop then, so nothing is left to
  // do here but the fds close() already released (see docs/architecture.md, "Who owns
  // what").
  if (!is_closed()) {
    warn_unclosed_();
    incref_();  // the count is already zero: a Ref taken and dropped inside close() must not free us again
    try {
      if (!is_running()) close();
    } catch (...) {
    }
  }
  close_self_pipe_();
  if (!selector_->is_closed()) selector_->close();
}

void SelectorEventLoop::close() {
  if (is_running()) throw RuntimeError("Cannot close a running event loop");
  if (is_closed()) return;
  // _UnixSelectorEventLoop.close: give every signal back its default handling first.
  std::vector<int> sigs;
  for (const auto& [sig, handle] : signal_handlers_) sigs.push_back(sig);
  for (int sig : sigs) remove_signal_handler(sig);
  close_self_pipe_();
  BaseEventLoop::close();
  // Transports still open are left open, as CPython leaves them, but connection_lost can never
  // run now, and it was what broke the transport <-> protocol cycle. So the transport lets go
  // of its protocol here: whatever the program still holds stays alive; the rest is freed, and
  // a transport freed with its socket open warns "unclosed transport" and closes it (its
  // destructor, CPython's __del__). docs/architecture.md, "Who owns what".
  std::vector<Ref<Transport>> open_transports;
  for (const auto& [fd, transport] : transports_) open_transports.emplace_back(transport);
  for (auto& transport : open_transports) transport->set_protocol(nullptr);
  open_transports.clear();
  fd_handles_.clear();
  selector_->close();
  // BaseEventLoop.close: the default executor is shut down without waiting for its workers.
  if (auto executor = std::exchange(default_executor_, nullptr)) executor->shutdown(false);
}

namespace {
// signal.set_wakeup_fd: the write end of the self-pipe of the loop that has signal handlers.
std::atomic<int> signal_wakeup_fd{-1};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free,
              "the signal handler may only touch lock-free atomics");
}  // namespace

namespace {
// [graph] SIGQUIT (Ctrl-backslash) in a traced program: the handler only sets a flag and writes a byte
// to the self-pipe of the loop that asked for it; read_from_self_ prints the task table and the
// await tree on stderr from the loop's live state, and the program goes on (no core dump).
std::atomic<bool> sigquit_pending{false};
std::atomic<int> sigquit_wakeup_fd{-1};

extern "C" void on_sigquit(int) {
  const int saved = errno;
  const int fd = sigquit_wakeup_fd.load(std::memory_order_relaxed);
  const char zero = 0;
  if (fd >= 0) {  // no loop (closed): nothing to print from
    sigquit_pending.store(true, std::memory_order_relaxed);
    detail::signal_bytes_pending.store(true, std::memory_order_relaxed);  // the next poll must run
    [[maybe_unused]] const ssize_t n = ::send(fd, &zero, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  errno = saved;
}

void install_sigquit_report(int wakeup_fd) {
  sigquit_wakeup_fd.store(wakeup_fd);
  static const bool installed = [] {
    struct sigaction action {};
    action.sa_handler = on_sigquit;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGQUIT, &action, nullptr) == 0;
  }();
  (void)installed;
}
}  // namespace

bool SelectorEventLoop::has_signal_wakers_() const {
  for (const auto& [sig, handle] : signal_handlers_)
    if (sig != SIGINT) return true;  // the runner's SIGINT handler wakes no task's future
  return false;
}

namespace {
void print_sigquit_report(BaseEventLoop& loop) {
  std::string text = "asyncio: SIGQUIT at pass " + std::to_string(loop.pass_count()) + ": the loop's tasks\n" +
                     format_task_table(loop) + "await tree:\n" + format_await_tree(loop);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
}
}  // namespace

void SelectorEventLoop::make_self_pipe_() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
    throw OSError(errno, std::strerror(errno));
  ssock_ = fds[0];
  csock_ = fds[1];
  add_reader(ssock_, [this] { read_from_self_(); }, "BaseSelectorEventLoop._read_from_self");
  quiet_registrations_ = 1;
  if (tracer().on()) [[unlikely]] install_sigquit_report(csock_);  // [graph]
}

void SelectorEventLoop::close_self_pipe_() {
  if (ssock_ < 0) return;
  quiet_registrations_ = 0;
  int mine = csock_;  // [graph] a later SIGQUIT must not write to a closed (maybe reused) fd
  sigquit_wakeup_fd.compare_exchange_strong(mine, -1);
  if (!selector_->is_closed()) remove_reader(ssock_);
  ::close(ssock_);
  ::close(csock_);
  ssock_ = csock_ = -1;
}

void SelectorEventLoop::read_from_self_() {
  // Before draining (a signal after this sets it again), and only by the loop signals write to.
  if (csock_ >= 0 && signal_wakeup_fd.load(std::memory_order_relaxed) == csock_)
    detail::signal_bytes_pending.store(false, std::memory_order_relaxed);
  if (sigquit_pending.load(std::memory_order_relaxed) && sigquit_wakeup_fd.load() == csock_) [[unlikely]] {  // [graph]
    sigquit_pending.store(false);
    detail::signal_bytes_pending.store(false, std::memory_order_relaxed);
    print_sigquit_report(*this);
  }
  unsigned char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(ssock_, buf, sizeof buf, 0);
    if (n > 0) {
      process_self_data_(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EAGAIN: drained
  }
}

void SelectorEventLoop::write_to_self_() {
  // May race with close() on another thread: errors are ignored, as CPython ignores them.
  const int fd = csock_;
  if (fd < 0) return;
  const char zero = 0;
  [[maybe_unused]] const ssize_t n = ::send(fd, &zero, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  self_pipe_written_.store(true, std::memory_order_release);
}

void SelectorEventLoop::add_reader(int fd, Callback callback, const char* name) {
  ensure_fd_no_transport_(fd);
  add_handler_(fd, EVENT_READ, std::move(callback), name);
}

void SelectorEventLoop::add_writer(int fd, Callback callback, const char* name) {
  ensure_fd_no_transport_(fd);
  add_handler_(fd, EVENT_WRITE, std::move(callback), name);
}

HandleRef SelectorEventLoop::add_reader_(int fd, Callback callback, const char* name) {
  return add_handler_(fd, EVENT_READ, std::move(callback), name);
}

HandleRef SelectorEventLoop::add_writer_(int fd, Callback callback, const char* name) {
  return add_handler_(fd, EVENT_WRITE, std::move(callback), name);
}

Handle* SelectorEventLoop::reader_of_(int fd) const noexcept {
  auto it = fd_handles_.find(fd);
  return it == fd_handles_.end() ? nullptr : it->second->reader.get();
}

Handle* SelectorEventLoop::writer_of_(int fd) const noexcept {
  auto it = fd_handles_.find(fd);
  return it == fd_handles_.end() ? nullptr : it->second->writer.get();
}

bool SelectorEventLoop::remove_reader(int fd) { return remove_handler_(fd, EVENT_READ); }

bool SelectorEventLoop::remove_writer(int fd) { return remove_handler_(fd, EVENT_WRITE); }

HandleRef SelectorEventLoop::add_handler_(int fd, int event, Callback callback, const char* name) {
  check_closed_();
  HandleRef handle(new Handle(std::move(callback), this, name));
  auto it = fd_handles_.find(fd);
  if (it == fd_handles_.end()) {
    auto entry = std::make_unique<FdHandles>();
    (event == EVENT_READ ? entry->reader : entry->writer) = handle;
    selector_->register_(fd, event, entry.get());
    fd_handles_.emplace(fd, std::move(entry));
    return handle;
  }
  FdHandles& entry = *it->second;
  const selectors::SelectorKey key = selector_->get_key(fd);
  selector_->modify(fd, key.events | event, &entry);
  HandleRef& slot = event == EVENT_READ ? entry.reader : entry.writer;
  HandleRef old = std::exchange(slot, handle);
  if (old) old->cancel();
  return handle;
}

bool SelectorEventLoop::remove_handler_(int fd, int event) {
  if (is_closed()) return false;
  auto it = fd_handles_.find(fd);
  if (it == fd_handles_.end()) return false;
  FdHandles& entry = *it->second;
  const selectors::SelectorKey key = selector_->get_key(fd);
  const int remaining = key.events & ~event;
  if (remaining == 0) {
    selector_->unregister(fd);
  } else {
    selector_->modify(fd, remaining, &entry);
  }
  HandleRef& slot = event == EVENT_READ ? entry.reader : entry.writer;
  HandleRef old = std::exchange(slot, HandleRef());
  if (remaining == 0) fd_handles_.erase(it);
  if (!old) return false;
  old->cancel();
  return true;
}

// For each ready fd, in the order the selector returned them: its reader, then its writer.
// The same handle is queued on every pass while the fd stays ready (level-triggered).
void SelectorEventLoop::process_events_(const std::vector<selectors::ReadyEvent>& events) {
  for (const selectors::ReadyEvent& ev : events) {
    auto* entry = static_cast<FdHandles*>(ev.key.data);
    const int fd = ev.key.fd;
    if ((ev.events & EVENT_READ) && entry->reader) {
      if (entry->reader->cancelled()) {
        remove_reader(fd);
        if (fd_handles_.find(fd) == fd_handles_.end()) continue;  // entry is gone
      } else {
        tracer().emit(*this, [&](Observer& o) { o.io_event(*this, fd, EVENT_READ, *entry->reader); });
        call_soon_handle_(entry->reader.get());
      }
    }
    if ((ev.events & EVENT_WRITE) && entry->writer) {
      if (entry->writer->cancelled()) {
        remove_writer(fd);
      } else {
        tracer().emit(*this, [&](Observer& o) { o.io_event(*this, fd, EVENT_WRITE, *entry->writer); });
        call_soon_handle_(entry->writer.get());
      }
    }
  }
}

// ---------------------------------------------------------------- sock_* coroutines
// Each follows the same shape: try the syscall; done -> return without yielding; EAGAIN ->
// a future, a reader/writer that retries the call, and a done callback that removes that
// reader/writer however the future ends (result, error or cancellation). The retry callbacks
// return at once if the future is already done, so a cancelled wait is harmless.

namespace {
bool would_block(int err) noexcept { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }
}  // namespace

void SelectorEventLoop::check_nonblocking_(int fd) const {
  // CPython checks sock.gettimeout() != 0 in debug mode only.
  if (!get_debug()) return;
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK) == 0) throw ValueError("the socket must be non-blocking");
}

void SelectorEventLoop::ensure_fd_no_transport_(int fd) const {
  auto it = transports_.find(fd);
  if (it != transports_.end() && !it->second->is_closing())
    throw RuntimeError("File descriptor " + std::to_string(fd) + " is used by transport " + it->second->repr());
}

// The done callbacks (_sock_read_done / _sock_write_done) remove the reader only if it is
// still the one this call registered: CPython's "handle is not cancelled" test, without the
// done callback keeping the handle (and, through it, the future) alive.
void SelectorEventLoop::remove_reader_if_(int fd, Handle* handle) {
  if (reader_of_(fd) == handle) remove_reader(fd);
}

void SelectorEventLoop::remove_writer_if_(int fd, Handle* handle) {
  if (writer_of_(fd) == handle) remove_writer(fd);
}

std::string SelectorEventLoop::sock_recv(int fd, std::size_t n, source_location where) {
  detail::fiber_only_("loop.sock_recv", "loop.sock_recv_async");
  Future<std::string> wait;
  if (std::optional<std::string> data = sock_recv_begin_(fd, n, wait)) return std::move(*data);
  return await(wait, where);
}

Coro<std::string> SelectorEventLoop::sock_recv_async(int fd, std::size_t n) {
  Future<std::string> wait;
  if (std::optional<std::string> data = sock_recv_begin_(fd, n, wait)) co_return std::move(*data);
  co_return co_await wait;
}

std::optional<std::string> SelectorEventLoop::sock_recv_begin_(int fd, std::size_t n, Future<std::string>& wait) {
  check_nonblocking_(fd);
  std::string data(n, '\0');
  const ssize_t got = ::recv(fd, data.data(), n, 0);
  if (got >= 0) {
    data.resize(static_cast<std::size_t>(got));
    return data;
  }
  if (!would_block(errno)) raise_os_error(errno);
  Future<std::string> fut = create_future<std::string>();
  ensure_fd_no_transport_(fd);
  HandleRef handle = add_reader_(fd, [this, fut, fd, n] { sock_recv_cb_(fut, fd, n); },
                                 "BaseSelectorEventLoop._sock_recv");
  fut.add_done_callback([this, fd, h = handle.get()](const Future<std::string>&) { remove_reader_if_(fd, h); },
                        "BaseSelectorEventLoop._sock_read_done");
  wait = fut;
  return std::nullopt;
}

void SelectorEventLoop::sock_recv_cb_(const Future<std::string>& fut, int fd, std::size_t n) {
  if (fut.done()) return;
  std::string data(n, '\0');
  const ssize_t got = ::recv(fd, data.data(), n, 0);
  if (got < 0) {
    if (!would_block(errno)) fut.set_exception(make_os_error(errno));
    return;
  }
  data.resize(static_cast<std::size_t>(got));
  fut.set_result(std::move(data));
}

std::size_t SelectorEventLoop::sock_recv_into(int fd, char* buf, std::size_t n, source_location where) {
  detail::fiber_only_("loop.sock_recv_into", "loop.sock_recv_async");
  check_nonblocking_(fd);
  const ssize_t got = ::recv(fd, buf, n, 0);
  if (got >= 0) return static_cast<std::size_t>(got);
  if (!would_block(errno)) raise_os_error(errno);
  Future<std::size_t> fut = create_future<std::size_t>();
  ensure_fd_no_transport_(fd);
  HandleRef handle = add_reader_(fd, [this, fut, fd, buf, n] { sock_recv_into_cb_(fut, fd, buf, n); },
                                 "BaseSelectorEventLoop._sock_recv_into");
  fut.add_done_callback([this, fd, h = handle.get()](const Future<std::size_t>&) { remove_reader_if_(fd, h); },
                        "BaseSelectorEventLoop._sock_read_done");
  return await(fut, where);
}

void SelectorEventLoop::sock_recv_into_cb_(const Future<std::size_t>& fut, int fd, char* buf, std::size_t n) {
  if (fut.done()) return;
  const ssize_t got = ::recv(fd, buf, n, 0);
  if (got < 0) {
    if (!would_block(errno)) fut.set_exception(make_os_error(errno));
    return;
  }
  fut.set_result(static_cast<std::size_t>(got));
}

void SelectorEventLoop::sock_sendall(int fd, std::string_view data, source_location where) {
  detail::fiber_only_("loop.sock_sendall", "loop.sock_sendall_async");
  if (Future<void> wait = sock_sendall_begin_(fd, data); wait.valid()) await(wait, where);
}

Coro<void> SelectorEventLoop::sock_sendall_async(int fd, std::string data) {
  if (Future<void> wait = sock_sendall_begin_(fd, data); wait.valid()) co_await wait;
}

Future<void> SelectorEventLoop::sock_sendall_begin_(int fd, std::string_view data) {
  check_nonblocking_(fd);
  std::size_t sent = 0;
  if (!data.empty()) {
    // MSG_NOSIGNAL: a closed peer is an EPIPE error (BrokenPipeError), as in Python, which
    // ignores SIGPIPE, never a process-killing signal.
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      sent = static_cast<std::size_t>(n);
    } else if (!would_block(errno)) {
      raise_os_error(errno);
    }
  }
  if (sent == data.size()) return {};
  Future<void> fut = create_future<void>();
  ensure_fd_no_transport_(fd);
  // The caller's view may not outlive this call's first suspension: keep our own copy.
  auto rest = std::make_shared<std::string>(data);
  auto pos = std::make_shared<std::size_t>(sent);
  HandleRef handle = add_writer_(fd, [this, fut, fd, rest, pos] { sock_sendall_cb_(fut, fd, rest, pos); },
                                 "BaseSelectorEventLoop._sock_sendall");
  fut.add_done_callback([this, fd, h = handle.get()](const Future<void>&) { remove_writer_if_(fd, h); },
                        "BaseSelectorEventLoop._sock_write_done");
  return fut;
}

void SelectorEventLoop::sock_sendall_cb_(const Future<void>& fut, int fd, const std::shared_ptr<std::string>& data,
                                         const std::shared_ptr<std::size_t>& pos) {
  if (fut.done()) return;
  const ssize_t n = ::send(fd, data->data() + *pos, data->size() - *pos, MSG_NOSIGNAL);
  if (n < 0) {
    if (!would_block(errno)) fut.set_exception(make_os_error(errno));
    return;
  }
  *pos += static_cast<std::size_t>(n);
  if (*pos == data->size()) fut.set_result();
}

void SelectorEventLoop::sock_connect(int fd, const Address& address, source_location where) {
  detail::fiber_only_("loop.sock_connect", "loop.sock_connect_async");
  sock_connect_(fd, socket_family(fd), address, where);
}

void SelectorEventLoop::sock_connect_(int fd, int family, const Address& address, source_location where) {
  await(sock_connect_begin_(fd, family, address), where);
}

Coro<void> SelectorEventLoop::sock_connect_async(int fd, Address address) {
  co_await sock_connect_begin_(fd, socket_family(fd), address);
}

Future<void> SelectorEventLoop::sock_connect_begin_(int fd, int family, const Address& address) {
  check_nonblocking_(fd);
  Future<void> fut = create_future<void>();
  // _sock_connect: the result is known at once unless connect() is in progress.
  sockaddr_storage ss{};
  const socklen_t len = to_sockaddr(address, family, ss);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
    fut.set_result();
  } else if (errno == EINPROGRESS || errno == EINTR) {
    ensure_fd_no_transport_(fd);
    HandleRef handle = add_writer_(fd, [this, fut, fd, address] { sock_connect_cb_(fut, fd, address); },
                                   "BaseSelectorEventLoop._sock_connect_cb");
    fut.add_done_callback([this, fd, h = handle.get()](const Future<void>&) { remove_writer_if_(fd, h); },
                          "BaseSelectorEventLoop._sock_write_done");
  } else {
    fut.set_exception(make_os_error(errno));
  }
  return fut;
}

void SelectorEventLoop::sock_connect_cb_(const Future<void>& fut, int fd, const Address& address) {
  if (fut.done()) return;
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err == 0) {
    fut.set_result();
  } else if (!would_block(err)) {
    fut.set_exception(make_os_error(err, "Connect call failed " + address.repr()));
  }
}

std::pair<Socket, Address> SelectorEventLoop::sock_accept(int fd, source_location where) {
  detail::fiber_only_("loop.sock_accept", "loop.sock_accept_async");
  // A result that arrives after the task was cancelled is dropped with its socket (closed).
  AcceptResult result = await(sock_accept_begin_(fd), where);
  return {std::move(*result.first), std::move(result.second)};
}

Coro<std::pair<Socket, Address>> SelectorEventLoop::sock_accept_async(int fd) {
  AcceptResult result = co_await sock_accept_begin_(fd);
  co_return std::pair<Socket, Address>{std::move(*result.first), std::move(result.second)};
}

Future<SelectorEventLoop::AcceptResult> SelectorEventLoop::sock_accept_begin_(int fd) {
  check_nonblocking_(fd);
  Future<AcceptResult> fut = create_future<AcceptResult>();
  sock_accept_cb_(fut, fd);
  return fut;
}

// _sock_accept: called once directly, then again by the reader it registers, which replaces
// itself (add_reader cancels the previous handle) and adds another done callback each time.
void SelectorEventLoop::sock_accept_cb_(const Future<AcceptResult>& fut, int fd) {
  if (fut.done()) return;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  const int conn = ::accept4(fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (conn >= 0) {
    fut.set_result(AcceptResult(std::make_shared<Socket>(conn), address_from_sockaddr(reinterpret_cast<sockaddr*>(&ss))));
  } else if (would_block(errno)) {
    ensure_fd_no_transport_(fd);
    HandleRef handle = add_reader_(fd, [this, fut, fd] { sock_accept_cb_(fut, fd); },
                                   "BaseSelectorEventLoop._sock_accept");
    fut.add_done_callback([this, fd, h = handle.get()](const Future<AcceptResult>&) { remove_reader_if_(fd, h); },
                          "BaseSelectorEventLoop._sock_read_done");
  } else {
    fut.set_exception(make_os_error(errno));
  }
}

// ---------------------------------------------------------------- getaddrinfo, connections

namespace {

// base_events._ipaddr_info: a numeric host needs no lookup.
std::optional<AddrInfo> ipaddr_info(const std::string& host, int port, int family, int type, int proto) {
  const int numeric = numeric_family(host);
  if (numeric == AF_UNSPEC || (family != AF_UNSPEC && family != numeric)) return std::nullopt;
  return AddrInfo{numeric, type, proto, "", Address{host, port}};
}

std::vector<AddrInfo> blocking_getaddrinfo(const std::string& host, int port, int family, int type, int proto,
                                           int flags) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = type;
  hints.ai_protocol = proto;
  hints.ai_flags = flags;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) throw gaierror(rc, ::gai_strerror(rc));
  std::vector<AddrInfo> out;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    out.push_back({ai->ai_family, ai->ai_socktype, ai->ai_protocol, ai->ai_canonname ? ai->ai_canonname : "",
                   address_from_sockaddr(ai->ai_addr)});
  }
  ::freeaddrinfo(res);
  return out;
}

// base_events._ensure_resolved.
std::vector<AddrInfo> ensure_resolved(BaseEventLoop& loop, const std::string& host, int port, int family, int type,
                                      int proto, int flags, source_location where) {
  if (auto info = ipaddr_info(host, port, family, type, proto)) return {*info};
  return loop.getaddrinfo(host, port, family, type, proto, flags, where);
}

Coro<std::vector<AddrInfo>> ensure_resolved_async(BaseEventLoop& loop, std::string host, int port, int family,
                                                  int type, int proto, int flags) {
  if (auto info = ipaddr_info(host, port, family, type, proto)) co_return std::vector<AddrInfo>{*info};
  co_return co_await loop.getaddrinfo_async(std::move(host), port, family, type, proto, flags);
}

// create_connection's end when no address connected: the one error, or all of them.
[[noreturn]] void raise_connect_errors(const std::vector<std::exception_ptr>& errors) {
  if (errors.size() == 1) std::rethrow_exception(errors.front());
  const std::string model = exception_str(errors.front());
  bool same = true;
  for (const auto& e : errors) same = same && exception_str(e) == model;
  if (same) std::rethrow_exception(errors.front());
  std::string joined;
  for (const auto& e : errors) joined += (joined.empty() ? "" : ", ") + exception_str(e);
  throw OSError("Multiple exceptions: " + joined);
}

}  // namespace

std::vector<AddrInfo> BaseEventLoop::getaddrinfo(const std::string& host, int port, int family, int type, int proto,
                                                 int flags, source_location where) {
  detail::fiber_only_("loop.getaddrinfo", "loop.getaddrinfo_async");
  return await(run_in_executor(nullptr, blocking_getaddrinfo, host, port, family, type, proto, flags), where);
}

Coro<std::vector<AddrInfo>> BaseEventLoop::getaddrinfo_async(std::string host, int port, int family, int type,
                                                             int proto, int flags) {
  co_return co_await run_in_executor(nullptr, blocking_getaddrinfo, std::move(host), port, family, type, proto, flags);
}

std::pair<Ref<Transport>, std::shared_ptr<BaseProtocol>> SelectorEventLoop::create_connection(
    ProtocolFactory protocol_factory, const std::string& host, int port, source_location where) {
  detail::fiber_only_("loop.create_connection", "loop.create_connection_async");
  const std::vector<AddrInfo> infos = ensure_resolved(*this, host, port, AF_UNSPEC, SOCK_STREAM, 0, 0, where);
  if (infos.empty()) throw OSError("getaddrinfo() returned empty list");
  // _connect_sock for each address in turn; the first that connects wins.
  std::vector<std::exception_ptr> errors;
  Socket sock;
  const AddrInfo* connected = nullptr;
  for (const AddrInfo& info : infos) {
    try {
      // Non-blocking from the start: setblocking(false) would be two fcntl calls more.
      Socket candidate(info.family, SOCK_STREAM | SOCK_NONBLOCK, info.proto);
      sock_connect_(candidate.fileno(), info.family, info.address, where);
      sock = std::move(candidate);
      connected = &info;
      break;
    } catch (const OSError&) {
      errors.push_back(std::current_exception());
    }
  }
  if (!sock) raise_connect_errors(errors);
  std::shared_ptr<BaseProtocol> protocol = protocol_factory();
  Future<void> waiter = create_future<void>();
  Ref<Transport> transport = connection_transport_(protocol, std::move(sock), *connected, waiter);
  try {
    await(waiter, where);
  } catch (...) {
    transport->close();
    throw;
  }
  return {transport, protocol};
}

// create_connection, step for step, with co_await at its three waits (lookup, connect, the
// transport's connection_made). A cancellation at the connect closes the candidate socket.
Coro<std::pair<Ref<Transport>, std::shared_ptr<BaseProtocol>>> SelectorEventLoop::create_connection_async(
    ProtocolFactory protocol_factory, std::string host, int port) {
  const std::vector<AddrInfo> infos = co_await ensure_resolved_async(*this, host, port, AF_UNSPEC, SOCK_STREAM, 0, 0);
  if (infos.empty()) throw OSError("getaddrinfo() returned empty list");
  std::vector<std::exception_ptr> errors;
  Socket sock;
  const AddrInfo* connected = nullptr;
  for (const AddrInfo& info : infos) {
    try {
      Socket candidate(info.family, SOCK_STREAM | SOCK_NONBLOCK, info.proto);
      co_await sock_connect_begin_(candidate.fileno(), info.family, info.address);
      sock = std::move(candidate);
      connected = &info;
      break;
    } catch (const OSError&) {
      errors.push_back(std::current_exception());
    }
  }
  if (!sock) raise_connect_errors(errors);
  std::shared_ptr<BaseProtocol> protocol = protocol_factory();
  Future<void> waiter = create_future<void>();
  Ref<Transport> transport = connection_transport_(protocol, std::move(sock), *connected, waiter);
  std::exception_ptr failed;
  try {
    co_await waiter;
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed) {
    transport->close();
    std::rethrow_exception(failed);
  }
  co_return std::pair<Ref<Transport>, std::shared_ptr<BaseProtocol>>{transport, protocol};
}

// _create_connection_transport. The peer is the address connect() reached: getpeername()
// would give it back, spelt as the kernel spells it (what address_from_sockaddr does).
Ref<Transport> SelectorEventLoop::connection_transport_(std::shared_ptr<BaseProtocol> protocol, Socket sock,
                                                        const AddrInfo& connected, Future<void> waiter) {
  sockaddr_storage peer_ss{};
  to_sockaddr(connected.address, connected.family, peer_ss);
  std::map<std::string, std::any> extra{{"peername", address_from_sockaddr(reinterpret_cast<sockaddr*>(&peer_ss))}};
  return Ref<Transport>(new SelectorSocketTransport(*this, std::move(sock), std::move(protocol), std::move(waiter),
                                                    std::move(extra), nullptr, connected.family));
}

namespace {

// base_events._set_reuseport.
void set_reuseport(Socket& sock) {
  try {
    sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
  } catch (const OSError&) {
    raise_in_except(ValueError("reuse_port not supported by socket module, SO_REUSEPORT defined but not implemented."));
  }
}

// Python's repr of a socket.socket: "<socket.socket fd=5, family=2, type=2, proto=0, laddr=('0.0.0.0', 0)>".
std::string socket_repr(const Socket& sock) {
  const int fd = sock.fileno();
  int family = AF_UNSPEC;
  try {
    family = sock.family();
  } catch (const OSError&) {
  }
  int type = 0, proto = 0;
  try {
    type = sock.getsockopt(SOL_SOCKET, SO_TYPE);
    proto = sock.getsockopt(SOL_SOCKET, SO_PROTOCOL);
  } catch (const OSError&) {
  }
  std::string out = "<socket.socket fd=" + std::to_string(fd) + ", family=" + std::to_string(family) +
                    ", type=" + std::to_string(type) + ", proto=" + std::to_string(proto);
  if (family == AF_INET || family == AF_INET6) {
    try {
      out += ", laddr=" + sock.getsockname().repr();
    } catch (const OSError&) {
    }
  }
  return out + ">";
}

}  // namespace

Ref<Server> SelectorEventLoop::create_server(ProtocolFactory protocol_factory, std::optional<std::string> host,
                                             std::optional<int> port, ServerOptions options, source_location where) {
  detail::fiber_only_("loop.create_server", "loop.create_server_async");
  create_server_check_(host, port, options);
  std::vector<AddrInfo> infos;
  // host "" or unset: every interface (getaddrinfo(None, port, AI_PASSIVE)).
  if (host || port)
    infos = ensure_resolved(*this, host.value_or(""), port.value_or(0), options.family, SOCK_STREAM, 0, options.flags,
                            where);
  const bool start = options.start_serving;
  Ref<Server> server =
      create_server_bind_(std::move(protocol_factory), host, host || port, std::move(options), std::move(infos));
  if (start) server->start_serving(where);
  if (get_debug()) log(LogLevel::info, server->repr() + " is serving");
  return server;
}

Coro<Ref<Server>> SelectorEventLoop::create_server_async(ProtocolFactory protocol_factory,
                                                         std::optional<std::string> host, std::optional<int> port,
                                                         ServerOptions options) {
  create_server_check_(host, port, options);
  std::vector<AddrInfo> infos;
  if (host || port)
    infos = co_await ensure_resolved_async(*this, host.value_or(""), port.value_or(0), options.family, SOCK_STREAM, 0,
                                           options.flags);
  const bool start = options.start_serving;
  Ref<Server> server =
      create_server_bind_(std::move(protocol_factory), host, host || port, std::move(options), std::move(infos));
  if (start) co_await server->start_serving_async();
  if (get_debug()) log(LogLevel::info, server->repr() + " is serving");
  co_return server;
}

void SelectorEventLoop::create_server_check_(const std::optional<std::string>& host, const std::optional<int>& port,
                                             const ServerOptions& options) const {
  // CPython accepts an SSLContext here; this runtime has no TLS, so any ssl is refused by name.
  if (options.ssl)
    throw NotImplementedError(
        "create_server(ssl=...): asyncio-cpp has no TLS; serve plain TCP and terminate TLS in front of it");
  if (options.ssl_handshake_timeout) throw ValueError("ssl_handshake_timeout is only meaningful with ssl");
  if (options.ssl_shutdown_timeout) throw ValueError("ssl_shutdown_timeout is only meaningful with ssl");
  if ((host || port) && options.sock) throw ValueError("host/port and sock can not be specified at the same time");
}

// create_server after the lookup: `infos` are the addresses of host/port (empty with a sock).
Ref<Server> SelectorEventLoop::create_server_bind_(ProtocolFactory protocol_factory,
                                                   const std::optional<std::string>& host, bool by_address,
                                                   ServerOptions options, std::vector<AddrInfo> infos) {
  std::vector<Socket> sockets;
  if (by_address) {
    const bool reuse_address = options.reuse_address.value_or(true);  // os.name == "posix"
    if (infos.empty())
      throw OSError("getaddrinfo(" + (host ? "'" + *host + "'" : std::string("None")) + ") returned empty list");
    // CPython makes a set of the results: the same address twice is bound once.
    std::vector<AddrInfo> unique;
    for (AddrInfo& info : infos) {
      bool seen = false;
      for (const AddrInfo& u : unique)
        seen = seen || (u.family == info.family && u.proto == info.proto && u.address == info.address);
      if (!seen) unique.push_back(std::move(info));
    }
    for (const AddrInfo& info : unique) {
      Socket sock;
      try {
        sock = Socket(info.family, SOCK_STREAM, info.proto);
      } catch (const OSError&) {
        // Assume a bad family/type/protocol combination, as CPython does.
        if (get_debug())
          log(LogLevel::warning, "create_server() failed to create socket.socket(" + std::to_string(info.family) +
                                     ", " + std::to_string(SOCK_STREAM) + ", " + std::to_string(info.proto) + ")");
        continue;
      }
      sockets.push_back(std::move(sock));
      Socket& s = sockets.back();
      if (reuse_address) s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
      if (options.reuse_port) set_reuseport(s);
      // No dual stack: an IPv6 socket listens on IPv6 only.
      if (info.family == AF_INET6) s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
      try {
        s.bind(info.address);
      } catch (const OSError& err) {
        std::string reason = err.strerror();
        for (char& c : reason) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        // `raise OSError(...) from None`: the bind error is its context, not printed.
        rethrow_from(make_os_error(err.errno_(),
                                   "error while attempting to bind on address " + info.address.repr() + ": " + reason),
                     nullptr, std::current_exception());
      }
    }
  } else {
    if (!options.sock) throw ValueError("Neither host/port nor sock were specified");
    if (options.sock.getsockopt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM)
      throw ValueError("A Stream Socket was expected, got " + socket_repr(options.sock));
    sockets.push_back(std::move(options.sock));
  }
  for (Socket& sock : sockets) sock.setblocking(false);
  return Ref<Server>(new Server(*this, std::move(sockets), std::move(protocol_factory), options.backlog));
}

void SelectorEventLoop::start_serving_(const ProtocolFactory& protocol_factory, int sock_fd, Server* server,
                                       int backlog) {
  // One getsockname for the listening socket instead of one (sockname) plus one (family) for
  // every connection it accepts: a connection's local address is the listener's unless the
  // listener is bound to a wildcard (0.0.0.0 or ::), where only the connection's own socket knows.
  auto listener = std::make_shared<Listener>();
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(sock_fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    listener->family = ss.ss_family;
    if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
      Address local = address_from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
      if (local.host != "0.0.0.0" && local.host != "::") listener->local = std::move(local);
    }
  }
  add_reader_(
      sock_fd,
      [this, protocol_factory, sock_fd, keep = Ref<Server>(server), backlog, listener] {
        accept_connection_(protocol_factory, sock_fd, keep.get(), backlog, listener);
      },
      "BaseSelectorEventLoop._accept_connection");
}

void SelectorEventLoop::stop_serving_(Socket& sock) {
  remove_reader(sock.fileno());
  sock.close();
}

// _accept_connection: up to `backlog` accepts per readiness event. Running out of fds
// (EMFILE and friends) must not kill the server: report it, stop listening for a second,
// then start again, as CPython does (Linux keeps reporting the fd ready meanwhile).
void SelectorEventLoop::accept_connection_(const ProtocolFactory& protocol_factory, int sock_fd, Server* server,
                                           int backlog, const std::shared_ptr<const Listener>& listener) {
  for (int i = 0; i < backlog; ++i) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const int conn = ::accept4(sock_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (conn < 0) {
      const int err = errno;
      if (would_block(err) || err == ECONNABORTED) return;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        ExceptionContext context;
        context.message = "socket.accept() out of system resource";
        context.exception = make_os_error(err);
        context.extra.emplace_back("socket", "<asyncio.TransportSocket fd=" + std::to_string(sock_fd) + ">");
        call_exception_handler(context);
        remove_reader(sock_fd);
        call_later(
            ACCEPT_RETRY_DELAY,
            [this, protocol_factory, sock_fd, keep = Ref<Server>(server), backlog] {
              start_serving_(protocol_factory, sock_fd, keep.get(), backlog);
            },
            "BaseSelectorEventLoop._start_serving");
        return;
      }
      raise_os_error(err);  // the loop's exception handler logs it
    }
    const Address peer = address_from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    // _accept_connection2 is a coroutine in CPython: a task (and a Task-N number) per connection.
    auto conn_sock = std::make_shared<Socket>(conn);
    create_task([this, protocol_factory, conn_sock, peer, keep = Ref<Server>(server), listener] {
      accept_connection2_(protocol_factory, std::move(*conn_sock), peer, keep.get(), *listener);
    });
  }
}

void SelectorEventLoop::accept_connection2_(const ProtocolFactory& protocol_factory, Socket conn,
                                            const Address& peer, Server* server, const Listener& listener) {
  Ref<Transport> transport;
  try {
    std::shared_ptr<BaseProtocol> protocol = protocol_factory();
    Future<void> waiter = create_future<void>();
    std::map<std::string, std::any> extra{{"peername", peer}};
    if (listener.local) extra.emplace("sockname", *listener.local);
    transport = Ref<Transport>(
        new SelectorSocketTransport(*this, std::move(conn), protocol, waiter, std::move(extra), server, listener.family));
    try {
      await(waiter);
    } catch (...) {
      transport->close();
      throw;
    }
  } catch (...) {  // CancelledError too: CPython catches BaseException here
    if (get_debug()) {
      ExceptionContext context;
      context.message = "Error on transport creation for incoming connection";
      context.exception = std::current_exception();
      call_exception_handler(context);
    }
  }
}

// ---------------------------------------------------------------- _SelectorSocketTransport

SelectorSocketTransport::SelectorSocketTransport(SelectorEventLoop& loop, Socket sock,
                                                 std::shared_ptr<BaseProtocol> protocol, Future<void> waiter,
                                                 std::map<std::string, std::any> extra, Server* server, int family)
    : Transport(&loop), loop_(&loop), loop_ref_(&loop), sock_(std::move(sock)), sock_fd_(sock_.fileno()), server_(server) {
  extra_ = std::move(extra);
  extra_["socket"] = sock_fd_;
  // What the caller did not know is asked of the socket now, as CPython's _SelectorTransport
  // does: the answers must outlive the socket (get_extra_info after close still gives them).
  if (!extra_.count("sockname")) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(sock_fd_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      family = ss.ss_family;
      extra_["sockname"] = address_from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    } else {
      extra_["sockname"] = std::any();
    }
  }
  if (!extra_.count("peername")) {
    try {
      extra_["peername"] = sock_.getpeername();
    } catch (const OSError&) {
      extra_["peername"] = std::any();
    }
  }
  set_protocol(std::move(protocol));
  if (server_) server_->attach_();
  loop.transports_[sock_fd_] = this;
  // base_events._set_nodelay: small writes go out without waiting for an ACK.
  if (family == AF_UNSPEC) {
    try {
      family = socket_family(sock_fd_);
    } catch (const OSError&) {
    }
  }
  if (family == AF_INET || family == AF_INET6) {
    try {
      sock_.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    } catch (const OSError&) {
    }
  }
  Ref<SelectorSocketTransport> self(this);
  loop.call_soon([self, protocol = protocol_] { protocol->connection_made(self); }, "Protocol.connection_made");
  // Only start reading once connection_made() has run.
  loop.call_soon([self] { self->add_reader_(); }, "_SelectorSocketTransport._add_reader");
  // Only wake the waiter once connection_made() has run.
  if (waiter.valid())
    loop.call_soon([waiter] { set_result_unless_cancelled(waiter); }, "futures._set_result_unless_cancelled");
}

SelectorSocketTransport::~SelectorSocketTransport() {
  // _SelectorTransport.__del__: nothing references the transport and its socket is still open.
  if (sock_) {
    warnings::warn("unclosed transport " + repr(), "ResourceWarning");
    sock_.close();
  }
  if (loop_) {
    auto it = loop_->transports_.find(sock_fd_);
    if (it != loop_->transports_.end() && it->second == this) loop_->transports_.erase(it);
  }
}

void SelectorSocketTransport::set_protocol(std::shared_ptr<BaseProtocol> protocol) {
  buffered_protocol_ = dynamic_cast<BufferedProtocol*>(protocol.get());
  stream_protocol_ = buffered_protocol_ ? nullptr : dynamic_cast<Protocol*>(protocol.get());
  protocol_ = std::move(protocol);
}

std::string SelectorSocketTransport::repr() const {
  std::string out = "<_SelectorSocketTransport";
  if (!sock_) {
    out += " closed";
  } else if (closing_) {
    out += " closing";
  }
  out += " fd=" + std::to_string(sock_fd_);
  if (loop_ && !loop_->is_closed()) {
    out += loop_->reader_of_(sock_fd_) ? " read=polling" : " read=idle";
    out += std::string(" write=<") + (loop_->writer_of_(sock_fd_) ? "polling" : "idle") +
           ", bufsize=" + std::to_string(buffer_.size()) + ">";
  }
  return out + ">";
}

void SelectorSocketTransport::add_reader_() {
  if (!is_reading() || !loop_) return;
  Ref<SelectorSocketTransport> self(this);
  loop_->add_reader_(sock_fd_, [self] { self->read_ready_(); }, "_SelectorSocketTransport._read_ready");
}

void SelectorSocketTransport::pause_reading() {
  if (!is_reading()) return;
  paused_ = true;
  loop_->remove_reader(sock_fd_);
}

void SelectorSocketTransport::resume_reading() {
  if (closing_ || !paused_) return;
  paused_ = false;
  add_reader_();
}

void SelectorSocketTransport::read_ready_() {
  if (buffered_protocol_) {
    read_ready_get_buffer_();
  } else {
    read_ready_data_received_();
  }
}

void SelectorSocketTransport::read_ready_data_received_() {
  if (conn_lost_) return;
  // One receive buffer per thread: data_received gets a view of it and must copy what it keeps.
  thread_local std::unique_ptr<char[]> buffer(new char[max_size]);
  char* data = buffer.get();
  const ssize_t n = ::recv(sock_fd_, data, max_size, 0);
  if (n < 0) {
    if (would_block(errno)) return;
    fatal_error_(make_os_error(errno), "Fatal read error on socket transport");
    return;
  }
  if (n == 0) {
    read_ready_on_eof_();
    return;
  }
  try {
    if (stream_protocol_) stream_protocol_->data_received(std::string_view(data, static_cast<std::size_t>(n)));
  } catch (...) {
    fatal_error_(std::current_exception(), "Fatal error: protocol.data_received() call failed.");
  }
}

void SelectorSocketTransport::read_ready_get_buffer_() {
  if (conn_lost_) return;
  std::span<char> buf;
  try {
    buf = buffered_protocol_->get_buffer(-1);
    if (buf.empty()) throw RuntimeError("get_buffer() returned an empty buffer");
  } catch (...) {
    fatal_error_(std::current_exception(), "Fatal error: protocol.get_buffer() call failed.");
    return;
  }
  const ssize_t n = ::recv(sock_fd_, buf.data(), buf.size(), 0);
  if (n < 0) {
    if (would_block(errno)) return;
    fatal_error_(make_os_error(errno), "Fatal read error on socket transport");
    return;
  }
  if (n == 0) {
    read_ready_on_eof_();
    return;
  }
  try {
    buffered_protocol_->buffer_updated(static_cast<std::size_t>(n));
  } catch (...) {
    fatal_error_(std::current_exception(), "Fatal error: protocol.buffer_updated() call failed.");
  }
}

void SelectorSocketTransport::read_ready_on_eof_() {
  bool keep_open = false;
  try {
    keep_open = buffered_protocol_ ? buffered_protocol_->eof_received()
                                   : (stream_protocol_ && stream_protocol_->eof_received());
  } catch (...) {
    fatal_error_(std::current_exception(), "Fatal error: protocol.eof_received() call failed.");
    return;
  }
  if (keep_open) {
    // Half-closed: the protocol may still write, but nothing more will arrive.
    loop_->remove_reader(sock_fd_);
  } else {
    close();
  }
}

void SelectorSocketTransport::write(std::string_view data) {
  if (eof_) throw RuntimeError("Cannot call write() after write_eof()");
  if (data.empty()) return;
  if (conn_lost_) {
    // LOG_THRESHOLD_FOR_CONNLOST_WRITES: after 5 writes to a lost connection, warn on each.
    if (conn_lost_ >= 5) log(LogLevel::warning, "socket.send() raised exception.");
    ++conn_lost_;
    return;
  }
  if (buffer_.empty()) {
    // Try to send now; only what does not fit is buffered and waits for a writer.
    const ssize_t n = ::send(sock_fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (!would_block(errno)) {
        fatal_error_(make_os_error(errno), "Fatal write error on socket transport");
        return;
      }
    } else {
      data.remove_prefix(static_cast<std::size_t>(n));
      if (data.empty()) return;
    }
    Ref<SelectorSocketTransport> self(this);
    loop_->add_writer_(sock_fd_, [self] { self->write_ready_(); }, "_SelectorSocketTransport._write_ready");
  }
  buffer_.append(data);
  maybe_pause_protocol_();
}

void SelectorSocketTransport::write_ready_() {
  if (conn_lost_) return;
  const ssize_t n = ::send(sock_fd_, buffer_.data(), buffer_.size(), MSG_NOSIGNAL);
  if (n < 0) {
    if (would_block(errno)) return;
    const int err = errno;
    loop_->remove_writer(sock_fd_);
    buffer_.clear();
    fatal_error_(make_os_error(err), "Fatal write error on socket transport");
    return;
  }
  buffer_.erase(0, static_cast<std::size_t>(n));
  maybe_resume_protocol_();  // may append to the buffer
  if (!buffer_.empty()) return;
  loop_->remove_writer(sock_fd_);
  if (closing_) {
    call_connection_lost_(nullptr);
  } else if (eof_) {
    sock_.shutdown(SHUT_WR);
  }
}

void SelectorSocketTransport::write_eof() {
  if (closing_ || eof_) return;
  eof_ = true;
  if (buffer_.empty()) sock_.shutdown(SHUT_WR);
}

void SelectorSocketTransport::close() {
  if (closing_) return;
  closing_ = true;
  loop_->remove_reader(sock_fd_);
  if (buffer_.empty()) {
    ++conn_lost_;
    loop_->remove_writer(sock_fd_);
    Ref<SelectorSocketTransport> self(this);
    loop_->call_soon([self] { self->call_connection_lost_(nullptr); },
                     "_SelectorSocketTransport._call_connection_lost");
  }
  // Otherwise write_ready_ sends the rest and then calls connection_lost.
}

// _fatal_error: an OSError is the peer's doing and only logged in debug mode; anything else
// is a bug worth reporting through the exception handler.
void SelectorSocketTransport::fatal_error_(std::exception_ptr exc, const std::string& message) {
  bool is_os_error = false;
  try {
    std::rethrow_exception(exc);
  } catch (const OSError&) {
    is_os_error = true;
  } catch (...) {
  }
  if (is_os_error) {
    if (loop_->get_debug()) log(LogLevel::debug, repr() + ": " + message);
  } else {
    ExceptionContext context;
    context.message = message;
    context.exception = exc;
    context.extra.emplace_back("transport", repr());
    loop_->call_exception_handler(context);
  }
  force_close_(exc);
}

void SelectorSocketTransport::force_close_(std::exception_ptr exc) {
  if (conn_lost_) return;
  if (!buffer_.empty()) {
    buffer_.clear();
    loop_->remove_writer(sock_fd_);
  }
  if (!closing_) {
    closing_ = true;
    loop_->remove_reader(sock_fd_);
  }
  ++conn_lost_;
  Ref<SelectorSocketTransport> self(this);
  loop_->call_soon([self, exc] { self->call_connection_lost_(exc); },
                   "_SelectorSocketTransport._call_connection_lost");
}

void SelectorSocketTransport::call_connection_lost_(std::exception_ptr exc) {
  struct Finally {
    SelectorSocketTransport& t;
    ~Finally() {
      if (t.loop_) {
        t.loop_->transports_.erase(t.sock_fd_);
        // The fd number is about to be free for reuse: forget any handles left on it.
        t.loop_->remove_reader(t.sock_fd_);
        t.loop_->remove_writer(t.sock_fd_);
      }
      t.sock_.close();
      t.protocol_.reset();
      t.stream_protocol_ = nullptr;
      t.buffered_protocol_ = nullptr;
      t.loop_ = nullptr;
      if (Ref<Server> server = std::move(t.server_)) server->detach_();
    }
  } finally{*this};
  if (protocol_) protocol_->connection_lost(exc);
}

// ---------------------------------------------------------------- Server

Server::Server(SelectorEventLoop& loop, std::vector<Socket> sockets, ProtocolFactory protocol_factory, int backlog)
    : loop_ref_(&loop),
      loop_(&loop),
      sockets_(std::move(sockets)),
      protocol_factory_(std::move(protocol_factory)),
      backlog_(backlog) {}

std::string Server::repr() const {
  std::string out = "<Server sockets=(";
  for (const Socket& s : sockets_) out += "<asyncio.TransportSocket fd=" + std::to_string(s.fileno()) + ">,";
  return out + ")>";
}

void Server::detach_() {
  --active_count_;
  if (active_count_ == 0 && closed_) wakeup_();
}

void Server::wakeup_() {
  if (woken_) return;
  woken_ = true;
  std::vector<Future<void>> waiters = std::move(waiters_);
  for (auto& waiter : waiters)
    if (!waiter.done()) waiter.set_result();
}

void Server::start_serving_() {
  if (serving_) return;
  serving_ = true;
  for (Socket& sock : sockets_) {
    sock.listen(backlog_);
    loop_->start_serving_(protocol_factory_, sock.fileno(), this, backlog_);
  }
}

void Server::close() {
  if (closed_) return;
  closed_ = true;
  std::vector<Socket> sockets = std::move(sockets_);
  sockets_.clear();
  for (Socket& sock : sockets) loop_->stop_serving_(sock);
  serving_ = false;
  if (serving_forever_fut_.valid() && !serving_forever_fut_.done()) {
    serving_forever_fut_.cancel();
    serving_forever_fut_ = Future<void>();
  }
  if (active_count_ == 0) wakeup_();
}

void Server::start_serving(source_location where) {
  detail::fiber_only_("Server::start_serving", "Server::start_serving_async");
  start_serving_();
  // Skip one loop iteration so that every add_reader goes through.
  asyncio::sleep(0, where);
}

Coro<void> Server::start_serving_async() {
  start_serving_();
  co_await sleep_async(0);
}

void Server::serve_forever_begin_() {
  if (serving_forever_fut_.valid())
    throw RuntimeError("server " + repr() + " is already being awaited on serve_forever()");
  if (closed_) throw RuntimeError("server " + repr() + " is closed");
  start_serving_();
  serving_forever_fut_ = loop_->create_future<void>();
}

Coro<void> Server::serve_forever_async() {
  serve_forever_begin_();
  Ref<Server> keep(this);
  std::exception_ptr cancelled;
  try {
    co_await serving_forever_fut_;
  } catch (const CancelledError&) {
    cancelled = std::current_exception();
  }
  serving_forever_fut_ = Future<void>();
  if (cancelled) {
    try {
      close();
      co_await wait_closed_async();
    } catch (...) {
    }
    std::rethrow_exception(cancelled);
  }
}

Future<void> Server::wait_closed_begin_() {
  if (closed_ || woken_) return {};
  Future<void> waiter = loop_->create_future<void>();
  waiters_.push_back(waiter);
  return waiter;
}

Coro<void> Server::wait_closed_async() {
  if (Future<void> waiter = wait_closed_begin_(); waiter.valid()) co_await waiter;
}

void Server::serve_forever(source_location where) {
  detail::fiber_only_("Server::serve_forever", "Server::serve_forever_async");
  serve_forever_begin_();
  Ref<Server> keep(this);
  try {
    await(serving_forever_fut_, where);
  } catch (const CancelledError&) {
    serving_forever_fut_ = Future<void>();
    try {
      close();
      wait_closed(where);
    } catch (...) {
    }
    throw;
  }
  serving_forever_fut_ = Future<void>();
}

// As in 3.11, a server already closed returns at once (_sockets is None), even if some of
// its connections are still open; a server still open waits for close() and for its last
// connection to go.
void Server::wait_closed(source_location where) {
  detail::fiber_only_("Server::wait_closed", "Server::wait_closed_async");
  if (Future<void> waiter = wait_closed_begin_(); waiter.valid()) await(waiter, where);
}

// ---------------------------------------------------------------- signals
// signal.set_wakeup_fd's mechanism: the C handler only writes the signal number into the
// self-pipe (async-signal-safe); everything else happens on the loop, in a later pass.

namespace {
extern "C" void asyncio_signal_handler(int sig) {
  const int saved_errno = errno;
  const int fd = signal_wakeup_fd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    const auto byte = static_cast<unsigned char>(sig);
    [[maybe_unused]] const ssize_t n = ::send(fd, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    detail::signal_bytes_pending.store(true, std::memory_order_release);  // lock-free: signal-safe
  }
  errno = saved_errno;
}

void check_signal(int sig) {
  if (sig < 1 || sig >= NSIG) throw ValueError("sig " + std::to_string(sig) + " out of range(1, " + std::to_string(NSIG) + ")");
}
}  // namespace

void SelectorEventLoop::add_signal_handler(int sig, Callback callback) {
  check_signal(sig);
  check_closed_();
  signal_wakeup_fd.store(csock_);
  HandleRef handle(new Handle(std::move(callback), this, "signal handler"));
  signal_handlers_[sig] = handle;
  struct sigaction action{};
  action.sa_handler = asyncio_signal_handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // CPython: signal.siginterrupt(sig, False)
  if (::sigaction(sig, &action, nullptr) != 0) {
    const int err = errno;
    signal_handlers_.erase(sig);
    if (signal_handlers_.empty()) signal_wakeup_fd.store(-1);
    if (err == EINVAL) throw RuntimeError("sig " + std::to_string(sig) + " cannot be caught");
    raise_os_error(err);
  }
}

bool SelectorEventLoop::remove_signal_handler(int sig) {
  check_signal(sig);
  auto it = signal_handlers_.find(sig);
  if (it == signal_handlers_.end()) return false;
  signal_handlers_.erase(it);
  struct sigaction action{};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  if (::sigaction(sig, &action, nullptr) != 0) {
    if (errno == EINVAL) throw RuntimeError("sig " + std::to_string(sig) + " cannot be caught");
    raise_os_error(errno);
  }
  if (signal_handlers_.empty()) signal_wakeup_fd.store(-1);
  return true;
}

void SelectorEventLoop::process_self_data_(const unsigned char* data, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (data[i] != 0) handle_signal_(data[i]);  // zero bytes are call_soon_threadsafe's wake-ups
}

void SelectorEventLoop::handle_signal_(int sig) {
  auto it = signal_handlers_.find(sig);
  if (it == signal_handlers_.end()) return;
  HandleRef handle = it->second;
  if (handle->cancelled()) {
    remove_signal_handler(sig);
  } else {
    call_soon_handle_(handle.get());  // _add_callback_signalsafe
    tracer().emit(*this, [&](Observer& o) { o.handle_scheduled(*this, *handle, ScheduleHow::signal, nullptr, kNoDelay); });
  }
}

// ---------------------------------------------------------------- BaseEventLoop's defaults
// base_events.py declares these and raises NotImplementedError; the selector loop overrides.

std::string BaseEventLoop::sock_recv(int, std::size_t, source_location) { throw NotImplementedError(); }
std::size_t BaseEventLoop::sock_recv_into(int, char*, std::size_t, source_location) { throw NotImplementedError(); }
void BaseEventLoop::sock_sendall(int, std::string_view, source_location) { throw NotImplementedError(); }
void BaseEventLoop::sock_connect(int, const Address&, source_location) { throw NotImplementedError(); }
std::pair<Socket, Address> BaseEventLoop::sock_accept(int, source_location) { throw NotImplementedError(); }
std::pair<Ref<Transport>, std::shared_ptr<BaseProtocol>> BaseEventLoop::create_connection(ProtocolFactory,
                                                                                          const std::string&, int,
                                                                                          source_location) {
  throw NotImplementedError();
}
Ref<Server> BaseEventLoop::create_server(ProtocolFactory, std::optional<std::string>, std::optional<int>,
                                         ServerOptions, source_location) {
  throw NotImplementedError();
}
// The coroutine forms raise when awaited, as an `async def` that raises does.
Coro<std::string> BaseEventLoop::sock_recv_async(int, std::size_t) {
  throw NotImplementedError();
  co_return std::string();
}
Coro<void> BaseEventLoop::sock_sendall_async(int, std::string) {
  throw NotImplementedError();
  co_return;
}
Coro<void> BaseEventLoop::sock_connect_async(int, Address) {
  throw NotImplementedError();
  co_return;
}
Coro<std::pair<Socket, Address>> BaseEventLoop::sock_accept_async(int) {
  throw NotImplementedError();
  co_return std::pair<Socket, Address>{};
}
Coro<std::pair<Ref<Transport>, std::shared_ptr<BaseProtocol>>> BaseEventLoop::create_connection_async(ProtocolFactory,
                                                                                                      std::string, int) {
  throw NotImplementedError();
  co_return std::pair<Ref<Transport>, std::shared_ptr<BaseProtocol>>{};
}
Coro<Ref<Server>> BaseEventLoop::create_server_async(ProtocolFactory, std::optional<std::string>, std::optional<int>,
                                                     ServerOptions) {
  throw NotImplementedError();
  co_return Ref<Server>();
}
void BaseEventLoop::add_signal_handler(int, Callback) { throw NotImplementedError(); }
bool BaseEventLoop::remove_signal_handler(int) { throw NotImplementedError(); }

Ref<BaseEventLoop> new_event_loop(const std::string& selector_kind) {
  return Ref<BaseEventLoop>(new SelectorEventLoop(selectors::make_selector(selector_kind)));
}

}  // namespace asyncio

namespace asyncio {

void SelectorEventLoop::warn_unclosed_() {
  warnings::warn(std::string("unclosed event loop <_UnixSelectorEventLoop running=") +
                     (is_running() ? "True" : "False") + " closed=False debug=" + (get_debug() ? "True" : "False") + ">",
                 "ResourceWarning");
}

}  // namespace asyncio
