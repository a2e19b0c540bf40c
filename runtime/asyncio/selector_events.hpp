// selector_events.hpp: SelectorEventLoop, the loop on a selector: fd callbacks, the sock_*
// coroutines, and the self-pipe that wakes a blocked select.
// Mirrors Lib/asyncio/selector_events.py (BaseSelectorEventLoop: add_reader, add_writer,
// sock_recv, sock_sendall, sock_connect, sock_accept, _process_events, _make_self_pipe,
// _write_to_self) and unix_events.py's loop on top.
// Owns the (reader, writer) handle pair of each registered fd. Course: docs/10-selectors-and-io.md
#pragma once

#include <any>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "asyncio/base_events.hpp"
#include "asyncio/futures.hpp"
#include "asyncio/protocols.hpp"
#include "asyncio/socket.hpp"
#include "asyncio/transports.hpp"

namespace asyncio {

class SelectorSocketTransport;

// constants.ACCEPT_RETRY_DELAY: seconds a server stops accepting after running out of fds.
inline constexpr double ACCEPT_RETRY_DELAY = 1.0;

// One result of getaddrinfo: (family, type, proto, canonname, sockaddr).
struct AddrInfo {
  int family = 0;
  int type = 0;
  int proto = 0;
  std::string canonname;
  Address address;
};

class SelectorEventLoop : public BaseEventLoop {
 public:
  // A loop on the given selector; DefaultSelector (epoll) when none is given.
  explicit SelectorEventLoop(std::unique_ptr<selectors::BaseSelector> selector = nullptr);
  ~SelectorEventLoop() override;

  void close() override;

  // Ready-based callback registration: at most one reader and one writer per fd; adding one
  // replaces (and cancels) the previous. remove_* return whether there was one.
  void add_reader(int fd, Callback callback, const char* name = nullptr) final;
  bool remove_reader(int fd) final;
  void add_writer(int fd, Callback callback, const char* name = nullptr) final;
  bool remove_writer(int fd) final;

  // Low-level socket operations (coroutines: call them inside a task) on a non-blocking fd.
  // Each tries the syscall first and returns without yielding if it succeeds; otherwise it
  // waits for readiness with a reader/writer that retries. Errors are OSError subclasses.
  std::string sock_recv(int fd, std::size_t n, source_location where = source_location::current()) final;
  std::size_t sock_recv_into(int fd, char* buf, std::size_t n, source_location where = source_location::current()) final;
  void sock_sendall(int fd, std::string_view data, source_location where = source_location::current()) final;
  void sock_connect(int fd, const Address& address, source_location where = source_location::current()) final;
  // sock_connect for a socket whose family the caller knows (no getsockname to ask it).
  void sock_connect_(int fd, int family, const Address& address, source_location where);
  std::pair<Socket, Address> sock_accept(int fd, source_location where = source_location::current()) final;

  // Streams of bytes over TCP (base_events.py create_connection / create_server; the
  // transport is _SelectorSocketTransport). Coroutines.
  std::pair<Ref<Transport>, std::shared_ptr<BaseProtocol>> create_connection(ProtocolFactory protocol_factory,
                                                                             const std::string& host, int port,
                                                                             source_location where = source_location::current()) final;
  Ref<Server> create_server(ProtocolFactory protocol_factory, std::optional<std::string> host = std::nullopt,
                            std::optional<int> port = std::nullopt, ServerOptions options = {},
                            source_location where = source_location::current()) final;

  // [coro] The coroutine forms (base_events.hpp): the same steps, co_await at the waits.
  Coro<std::string> sock_recv_async(int fd, std::size_t n) final;
  Coro<void> sock_sendall_async(int fd, std::string data) final;
  Coro<void> sock_connect_async(int fd, Address address) final;
  Coro<std::pair<Socket, Address>> sock_accept_async(int fd) final;
  Coro<std::pair<Ref<Transport>, std::shared_ptr<BaseProtocol>>> create_connection_async(
      ProtocolFactory protocol_factory, std::string host, int port) final;
  Coro<Ref<Server>> create_server_async(ProtocolFactory protocol_factory, std::optional<std::string> host = std::nullopt,
                                        std::optional<int> port = std::nullopt, ServerOptions options = {}) final;

  // Signals (unix_events.py): the C handler writes the signal number into the self-pipe;
  // the loop's reader of the pipe queues the callback (_process_self_data, _handle_signal).
  // ValueError for a number outside range(1, NSIG); RuntimeError for SIGKILL/SIGSTOP (EINVAL).
  void add_signal_handler(int sig, Callback callback) final;
  bool remove_signal_handler(int sig) final;

  // Internal: add_reader/add_writer returning the new handle (CPython's _add_reader).
  HandleRef add_reader_(int fd, Callback callback, const char* name = nullptr);
  HandleRef add_writer_(int fd, Callback callback, const char* name = nullptr);
  // The handle now registered for fd's reads/writes (nullptr if none).
  Handle* reader_of_(int fd) const noexcept;
  Handle* writer_of_(int fd) const noexcept;
  // Server support (_start_serving, _stop_serving): accept on `sock` for `server`.
  void start_serving_(const ProtocolFactory& protocol_factory, int sock_fd, Server* server, int backlog);
  void stop_serving_(Socket& sock);
  // loop._transports: the live transport of each fd (add_reader refuses those fds).
  std::unordered_map<int, Transport*> transports_;

 protected:
  void process_events_(const std::vector<selectors::ReadyEvent>& events) final;
  void write_to_self_() final;
  bool has_signal_wakers_() const final;  // [graph]
  void warn_unclosed_() override;

 private:
  // key.data of each registered fd: its reader and writer handles (either may be empty).
  struct FdHandles {
    HandleRef reader;
    HandleRef writer;
  };
  HandleRef add_handler_(int fd, int event, Callback callback, const char* name);
  void check_nonblocking_(int fd) const;
  void ensure_fd_no_transport_(int fd) const;
  // The non-suspending halves shared by each fiber form and its _async form: the syscall tried
  // now and, when it would block, the future (with its reader/writer) to wait on.
  std::optional<std::string> sock_recv_begin_(int fd, std::size_t n, Future<std::string>& wait);
  Future<void> sock_sendall_begin_(int fd, std::string_view data);  // empty: all sent now
  Future<void> sock_connect_begin_(int fd, int family, const Address& address);
  using AcceptResult = std::pair<std::shared_ptr<Socket>, Address>;
  Future<AcceptResult> sock_accept_begin_(int fd);
  // create_connection after the connect (_create_connection_transport): the transport, whose
  // waiter the caller awaits, closing the transport if that wait fails.
  Ref<Transport> connection_transport_(std::shared_ptr<BaseProtocol> protocol, Socket sock, const AddrInfo& connected,
                                       Future<void> waiter);
  // create_server before the lookup (the option checks) and after it (sockets bound, Server).
  void create_server_check_(const std::optional<std::string>& host, const std::optional<int>& port,
                            const ServerOptions& options) const;
  Ref<Server> create_server_bind_(ProtocolFactory protocol_factory, const std::optional<std::string>& host,
                                  bool by_address, ServerOptions options, std::vector<AddrInfo> infos);
  void sock_recv_cb_(const Future<std::string>& fut, int fd, std::size_t n);
  void sock_recv_into_cb_(const Future<std::size_t>& fut, int fd, char* buf, std::size_t n);
  void sock_sendall_cb_(const Future<void>& fut, int fd, const std::shared_ptr<std::string>& data,
                        const std::shared_ptr<std::size_t>& pos);
  void sock_accept_cb_(const Future<AcceptResult>& fut, int fd);
  void sock_connect_cb_(const Future<void>& fut, int fd, const Address& address);
  void remove_reader_if_(int fd, Handle* handle);
  // What every connection accepted on a listening socket shares: the socket's family and, when
  // it is bound to one address (not a wildcard), that address: each connection's sockname.
  struct Listener {
    int family = AF_UNSPEC;
    std::optional<Address> local;
  };
  void accept_connection_(const ProtocolFactory& protocol_factory, int sock_fd, Server* server, int backlog,
                          const std::shared_ptr<const Listener>& listener);
  void accept_connection2_(const ProtocolFactory& protocol_factory, Socket conn, const Address& peer,
                           Server* server, const Listener& listener);
  void remove_writer_if_(int fd, Handle* handle);
  bool remove_handler_(int fd, int event);
  void make_self_pipe_();
  void close_self_pipe_();
  void read_from_self_();
  void process_self_data_(const unsigned char* data, std::size_t n);
  void handle_signal_(int sig);
  std::unordered_map<int, HandleRef> signal_handlers_;

  std::unordered_map<int, std::unique_ptr<FdHandles>> fd_handles_;
  int ssock_ = -1;  // the self-pipe's read end (registered for reading)
  int csock_ = -1;  // its write end
};

// _SelectorSocketTransport: a connected stream socket driven by the loop. Construction queues
// three callbacks, in this order: protocol.connection_made(transport), start reading, and
// resolve `waiter` (if given), so the protocol has the transport before any data arrives.
// `extra` may already hold "peername" and "sockname" and `family` the socket's family (both
// known to the loop after accept() or connect()): each one given is a system call saved.
class SelectorSocketTransport final : public Transport {
 public:
  // max_size: how much one read asks recv() for (256 KiB).
  static constexpr std::size_t max_size = 256 * 1024;

  SelectorSocketTransport(SelectorEventLoop& loop, Socket sock, std::shared_ptr<BaseProtocol> protocol,
                          Future<void> waiter = {}, std::map<std::string, std::any> extra = {},
                          Server* server = nullptr, int family = AF_UNSPEC);
  ~SelectorSocketTransport() override;

  bool is_closing() const override { return closing_; }
  void close() override;
  void set_protocol(std::shared_ptr<BaseProtocol> protocol) override;
  std::shared_ptr<BaseProtocol> get_protocol() const override { return protocol_; }
  bool is_reading() const override { return !closing_ && !paused_; }
  void pause_reading() override;
  void resume_reading() override;
  std::size_t get_write_buffer_size() const override { return buffer_.size(); }
  void write(std::string_view data) override;
  void write_eof() override;
  bool can_write_eof() const override { return true; }
  void abort() override { force_close_(nullptr); }
  // "<_SelectorSocketTransport fd=7 read=polling write=<idle, bufsize=0>>"
  std::string repr() const override;

 private:
  BaseProtocol* protocol_for_flow_control_() const override { return protocol_.get(); }
  void add_reader_();
  void read_ready_();
  void read_ready_data_received_();
  void read_ready_get_buffer_();
  void read_ready_on_eof_();
  void write_ready_();
  void fatal_error_(std::exception_ptr exc, const std::string& message);
  void force_close_(std::exception_ptr exc);
  void call_connection_lost_(std::exception_ptr exc);

  SelectorEventLoop* loop_;     // null once the connection is lost
  InnerRef<BaseEventLoop> loop_ref_;  // the loop's memory, not its use
  Socket sock_;
  int sock_fd_;
  std::shared_ptr<BaseProtocol> protocol_;
  Protocol* stream_protocol_ = nullptr;      // set when the protocol is a Protocol
  BufferedProtocol* buffered_protocol_ = nullptr;  // or a BufferedProtocol
  Ref<Server> server_;
  std::string buffer_;
  int conn_lost_ = 0;
  bool closing_ = false;
  bool paused_ = false;
  bool eof_ = false;
};

// Server: what create_server returns: listening sockets that accept into transports.
// Mirrors base_events.py Server.
class Server : public RefCounted {
 public:
  Server(SelectorEventLoop& loop, std::vector<Socket> sockets, ProtocolFactory protocol_factory, int backlog);

  BaseEventLoop& get_loop() const noexcept { return *loop_; }
  bool is_serving() const noexcept { return serving_; }
  // The listening sockets (empty once closed).
  const std::vector<Socket>& sockets() const noexcept { return sockets_; }
  // Stop listening; connections already accepted stay open.
  void close();
  // Coroutines.
  void start_serving(source_location where = source_location::current());
  void serve_forever(source_location where = source_location::current());
  // Returns when the server is closed and its last connection is gone.
  void wait_closed(source_location where = source_location::current());
  // [coro] The coroutine forms of the three.
  Coro<void> start_serving_async();
  Coro<void> serve_forever_async();
  Coro<void> wait_closed_async();
  std::string repr() const;

  // Transports of this server count themselves in and out (_attach / _detach).
  void attach_() noexcept { ++active_count_; }
  void detach_();

 private:
  void start_serving_();
  void wakeup_();
  // The non-suspending parts: serve_forever's checks and its future; wait_closed's waiter
  // (empty: nothing to wait for).
  void serve_forever_begin_();
  Future<void> wait_closed_begin_();

  InnerRef<BaseEventLoop> loop_ref_;
  SelectorEventLoop* loop_;
  std::vector<Socket> sockets_;
  bool closed_ = false;  // CPython: _sockets is None
  std::size_t active_count_ = 0;
  std::vector<Future<void>> waiters_;
  bool woken_ = false;  // CPython: _waiters is None
  ProtocolFactory protocol_factory_;
  int backlog_;
  bool serving_ = false;
  Future<void> serving_forever_fut_;
};

// A new loop on a named selector ("epoll", "poll" or "select"), so a class can compare them.
Ref<BaseEventLoop> new_event_loop(const std::string& selector_kind);

}  // namespace asyncio
