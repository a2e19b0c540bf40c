// streams.hpp: StreamReader and StreamWriter, the await-friendly layer over transports, and
// open_connection / start_server that build them.
// Mirrors Lib/asyncio/streams.py (open_connection, start_server, FlowControlMixin,
// StreamReaderProtocol, StreamWriter, StreamReader) with CPython's limit and EOF rules.
// Owns a connection's receive buffer. Course: docs/11-http-client.md
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "asyncio/coroutines.hpp"
#include "asyncio/futures.hpp"
#include "asyncio/protocols.hpp"
#include "asyncio/selector_events.hpp"
#include "asyncio/transports.hpp"

namespace asyncio {

// streams._DEFAULT_LIMIT: 64 KiB.
inline constexpr std::size_t DEFAULT_LIMIT = 1 << 16;

class StreamReader {
 public:
  explicit StreamReader(std::size_t limit = DEFAULT_LIMIT, BaseEventLoop* loop = nullptr);

  std::exception_ptr exception() const noexcept { return exception_; }
  void set_exception(std::exception_ptr exc);
  void set_transport(Ref<Transport> transport);
  void feed_eof();
  // True once EOF was fed and the buffer is empty.
  bool at_eof() const noexcept { return eof_ && buffered() == 0; }
  void feed_data(std::string_view data);

  // Coroutines (call them inside a task).
  // A line ending in "\n", or what is left at EOF. A line over the limit: ValueError, and the
  // line (up to and including its separator, if it arrived) is dropped from the buffer.
  std::string readline(source_location where = source_location::current());
  // Up to and including `separator`. EOF first: IncompleteReadError with the partial data.
  // Over the limit: LimitOverrunError, and nothing is removed from the buffer.
  std::string readuntil(std::string_view separator = "\n", source_location where = source_location::current());
  // At most n bytes (n < 0: until EOF); "" at EOF.
  std::string read(std::ptrdiff_t n = -1, source_location where = source_location::current());
  // Exactly n bytes, or IncompleteReadError (partial, n) at EOF.
  std::string readexactly(std::ptrdiff_t n, source_location where = source_location::current());
  // [coro] The coroutine forms (`co_await reader->readline_async()`), the same rules. The
  // separator is copied into the frame.
  Coro<std::string> readline_async();
  Coro<std::string> readuntil_async(std::string separator = "\n");
  Coro<std::string> read_async(std::ptrdiff_t n = -1);
  Coro<std::string> readexactly_async(std::ptrdiff_t n);

  std::size_t limit() const noexcept { return limit_; }
  std::size_t buffered() const noexcept { return buffer_.size() - start_; }
  // Bytes moved so far to close the gap that reads leave at the front of the buffer: at most
  // the bytes read, so every read costs time linear in what it returns (a test checks it).
  std::size_t bytes_compacted() const noexcept { return bytes_compacted_; }

 private:
  // The unread bytes, and taking n of them off the front (CPython's `del self._buffer[:n]`,
  // which bytearray does in O(1) by moving its start; here too, with compaction below).
  std::string_view unread_() const noexcept { return std::string_view(buffer_).substr(start_); }
  std::string take_(std::size_t n);
  void drop_(std::size_t n);
  std::string take_all_();
  void wakeup_waiter_();
  void maybe_resume_transport_();
  void wait_for_data_(const char* func_name, source_location where);
  Coro<void> wait_for_data_async_(const char* func_name);
  // The start of wait_for_data_: the checks, resume reading; the future to wait on.
  Future<void> prepare_wait_for_data_(const char* func_name);
  // One non-suspending step of readuntil / readexactly, shared by the fiber and coroutine forms:
  // the result if the buffer holds it, nullopt to wait for data and try again; raises
  // LimitOverrunError or IncompleteReadError as they do. `offset` carries readuntil's search
  // position from one try to the next.
  std::optional<std::string> try_readuntil_(std::string_view separator, std::size_t& offset);
  std::optional<std::string> try_readexactly_(std::size_t want);
  // readline's handling of a LimitOverrunError from readuntil (inside its catch): drop the line
  // (through its separator, if it arrived) or the whole buffer, then raise ValueError.
  [[noreturn]] void readline_overrun_(const LimitOverrunError& e);

  std::size_t limit_;
  BaseEventLoop* loop_;
  // buffer_[start_:] is unread. Reads only move start_; once the read prefix is at least half
  // the string, the unread rest moves to the front (fewer bytes than were read since the last
  // move), so compaction costs at most one byte moved per byte read.
  std::string buffer_;
  std::size_t start_ = 0;
  std::size_t bytes_compacted_ = 0;
  bool eof_ = false;
  Future<void> waiter_;
  std::exception_ptr exception_;
  Ref<Transport> transport_;
  bool paused_ = false;
};

class StreamWriter;

// The protocol between a transport and a StreamReader (with FlowControlMixin's drain logic).
class StreamReaderProtocol final : public Protocol {
 public:
  using ClientConnected = std::function<void(std::shared_ptr<StreamReader>, std::shared_ptr<StreamWriter>)>;
  // [coro] A client_connected_cb that returns a coroutine object: CPython's connection_made calls
  // the callback and runs the coroutine it returned as a task (start_server below).
  using CoroClientConnected = std::function<Coro<void>(std::shared_ptr<StreamReader>, std::shared_ptr<StreamWriter>)>;
  StreamReaderProtocol(std::shared_ptr<StreamReader> reader, ClientConnected client_connected_cb = nullptr,
                       BaseEventLoop* loop = nullptr);
  ~StreamReaderProtocol() override;

  void connection_made(Ref<Transport> transport) override;
  void connection_lost(std::exception_ptr exc) override;
  void data_received(std::string_view data) override;
  bool eof_received() override;
  void pause_writing() override { paused_ = true; }
  void resume_writing() override;

  // Coroutines used by StreamWriter.
  void drain_helper_(source_location where);
  Coro<void> drain_helper_async_();
  Future<void> closed_() const { return closed_future_; }
  std::weak_ptr<StreamReaderProtocol> self_;  // set by the creator, for the writer
  // [coro] Replaces the callback with one whose coroutine runs as the connection's task.
  void set_coro_client_connected_(CoroClientConnected cb) { coro_client_connected_cb_ = std::move(cb); }

 private:
  BaseEventLoop* loop_;
  std::shared_ptr<StreamReader> reader_;
  ClientConnected client_connected_cb_;
  CoroClientConnected coro_client_connected_cb_;
  Ref<Transport> transport_;
  Future<void> closed_future_;
  std::deque<Future<void>> drain_waiters_;
  bool paused_ = false;
  bool connection_lost_ = false;
};

class StreamWriter {
 public:
  StreamWriter(Ref<Transport> transport, std::shared_ptr<StreamReaderProtocol> protocol,
               std::shared_ptr<StreamReader> reader, BaseEventLoop* loop);

  const Ref<Transport>& transport() const noexcept { return transport_; }
  void write(std::string_view data) { transport_->write(data); }
  void writelines(const std::vector<std::string>& data) { transport_->writelines(data); }
  void write_eof() { transport_->write_eof(); }
  bool can_write_eof() const { return transport_->can_write_eof(); }
  void close() { transport_->close(); }
  bool is_closing() const { return transport_->is_closing(); }
  std::any get_extra_info(const std::string& name, std::any default_value = {}) const {
    return transport_->get_extra_info(name, std::move(default_value));
  }
  // Coroutines. drain: wait until the transport's buffer is below its high-water mark
  // (raises the reader's exception, or ConnectionResetError('Connection lost')).
  void drain(source_location where = source_location::current());
  // Wait until the connection is lost (raises its error, if it had one).
  void wait_closed(source_location where = source_location::current());
  // [coro] The coroutine forms: `co_await writer->drain_async()`, `wait_closed_async()`.
  Coro<void> drain_async();
  Coro<void> wait_closed_async();

 private:
  Ref<Transport> transport_;
  std::shared_ptr<StreamReaderProtocol> protocol_;
  std::shared_ptr<StreamReader> reader_;
  [[maybe_unused]] BaseEventLoop* loop_;  // CPython's _loop; kept though no method reads it yet
};

using StreamPair = std::pair<std::shared_ptr<StreamReader>, std::shared_ptr<StreamWriter>>;

// Coroutines: a connected (reader, writer) pair; a server that runs client_connected_cb as a
// new task for each connection. start_server passes host, port and every create_server option
// through (ServerOptions, base_events.hpp), plus each reader's limit:
//   start_server(cb, "127.0.0.1", 0, {.backlog = 10, .reuse_port = true}, 1 << 20);
StreamPair open_connection(const std::string& host, int port, std::size_t limit = DEFAULT_LIMIT,
                           source_location where = source_location::current());
Ref<Server> start_server(StreamReaderProtocol::ClientConnected client_connected_cb,
                         std::optional<std::string> host = std::nullopt, std::optional<int> port = std::nullopt,
                         ServerOptions options = {}, std::size_t limit = DEFAULT_LIMIT,
                         source_location where = source_location::current());
Ref<Server> start_server(StreamReaderProtocol::ClientConnected client_connected_cb, std::optional<std::string> host,
                         std::optional<int> port, std::size_t limit, source_location where = source_location::current());

// [coro] start_server with a coroutine handler, `async def handle(reader, writer)` in Python: a
// callable returning Coro<void>. Each connection calls it and runs the coroutine object it returns
// as a task of its own (a coroutine task: the handler co_awaits the _async reads and writes).
Ref<Server> start_server_coro_(StreamReaderProtocol::CoroClientConnected client_connected_cb,
                               std::optional<std::string> host, std::optional<int> port, ServerOptions options,
                               std::size_t limit, source_location where);
template <class F>
concept CoroClientConnectedCb =
    std::is_same_v<std::invoke_result_t<F&, std::shared_ptr<StreamReader>, std::shared_ptr<StreamWriter>>, Coro<void>>;
template <CoroClientConnectedCb F>
Ref<Server> start_server(F client_connected_cb, std::optional<std::string> host = std::nullopt,
                         std::optional<int> port = std::nullopt, ServerOptions options = {},
                         std::size_t limit = DEFAULT_LIMIT, source_location where = source_location::current()) {
  return start_server_coro_(std::move(client_connected_cb), std::move(host), port, std::move(options), limit, where);
}
template <CoroClientConnectedCb F>
Ref<Server> start_server(F client_connected_cb, std::optional<std::string> host, std::optional<int> port,
                         std::size_t limit, source_location where = source_location::current()) {
  return start_server_coro_(std::move(client_connected_cb), std::move(host), port, ServerOptions{}, limit, where);
}

// [coro] The coroutine forms, for a coroutine task's body: `auto [reader, writer] = co_await
// open_connection_async(host, port)`, `Ref<Server> server = co_await start_server_async(handle,
// host, port)`. The same steps as the fiber forms (loop.create_connection_async and
// create_server_async do the waiting). The handler may be a fiber function or one returning
// Coro<void>, as with start_server.
Coro<StreamPair> open_connection_async(std::string host, int port, std::size_t limit = DEFAULT_LIMIT);
Coro<Ref<Server>> start_server_async(StreamReaderProtocol::ClientConnected client_connected_cb,
                                     std::optional<std::string> host = std::nullopt,
                                     std::optional<int> port = std::nullopt, ServerOptions options = {},
                                     std::size_t limit = DEFAULT_LIMIT);
Coro<Ref<Server>> start_server_coro_async_(StreamReaderProtocol::CoroClientConnected client_connected_cb,
                                           std::optional<std::string> host, std::optional<int> port,
                                           ServerOptions options, std::size_t limit);
template <CoroClientConnectedCb F>
Coro<Ref<Server>> start_server_async(F client_connected_cb, std::optional<std::string> host = std::nullopt,
                                     std::optional<int> port = std::nullopt, ServerOptions options = {},
                                     std::size_t limit = DEFAULT_LIMIT) {
  return start_server_coro_async_(std::move(client_connected_cb), std::move(host), port, std::move(options), limit);
}

}  // namespace asyncio
