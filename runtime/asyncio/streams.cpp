// streams.cpp: StreamReader's buffer rules, the reader protocol and the writer's drain.
// Mirrors Lib/asyncio/streams.py (StreamReader.readuntil, readline, read, readexactly,
// _wait_for_data, feed_data; FlowControlMixin._drain_helper; StreamReaderProtocol).
// Course: docs/11-http-client.md
#include "asyncio/streams.hpp"

#include "asyncio/tasks.hpp"

namespace asyncio {

// ---------------------------------------------------------------- StreamReader

StreamReader::StreamReader(std::size_t limit, BaseEventLoop* loop)
    : limit_(limit), loop_(loop ? loop : &get_event_loop()) {
  if (limit == 0) throw ValueError("Limit cannot be <= 0");
}

void StreamReader::set_exception(std::exception_ptr exc) {
  exception_ = exc;
  Future<void> waiter = std::exchange(waiter_, Future<void>());
  if (waiter.valid() && !waiter.cancelled()) waiter.set_exception(exc);
}

void StreamReader::wakeup_waiter_() {
  Future<void> waiter = std::exchange(waiter_, Future<void>());
  if (waiter.valid() && !waiter.cancelled()) waiter.set_result();
}

void StreamReader::set_transport(Ref<Transport> transport) { transport_ = std::move(transport); }

std::string StreamReader::take_(std::size_t n) {
  std::string out(unread_().substr(0, n));
  drop_(out.size());
  return out;
}

void StreamReader::drop_(std::size_t n) {
  start_ += n;
  if (start_ >= buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ >= buffer_.size() - start_) {
    bytes_compacted_ += buffer_.size() - start_;
    buffer_.erase(0, start_);
    start_ = 0;
  }
}

std::string StreamReader::take_all_() {
  std::string out = start_ == 0 ? std::move(buffer_) : std::string(unread_());
  buffer_.clear();
  start_ = 0;
  return out;
}

void StreamReader::maybe_resume_transport_() {
  if (paused_ && buffered() <= limit_) {
    paused_ = false;
    transport_->resume_reading();
  }
}

void StreamReader::feed_eof() {
  eof_ = true;
  wakeup_waiter_();
}

void StreamReader::feed_data(std::string_view data) {
  if (data.empty()) return;
  buffer_.append(data);
  wakeup_waiter_();
  // Read no more from the socket while twice the limit sits unread.
  if (transport_ && !paused_ && buffered() > 2 * limit_) {
    transport_->pause_reading();
    paused_ = true;
  }
}

Future<void> StreamReader::prepare_wait_for_data_(const char* func_name) {
  if (waiter_.valid())
    throw RuntimeError(std::string(func_name) +
                       "() called while another coroutine is already waiting for incoming data");
  if (paused_) {
    paused_ = false;
    transport_->resume_reading();
  }
  Future<void> waiter = loop_->create_future<void>();
  waiter_ = waiter;  // feed_data / feed_eof / set_exception take it out and complete it
  return waiter;
}

namespace {
struct ResetWaiter {
  Future<void>& w;
  ~ResetWaiter() { w = Future<void>(); }
};
}  // namespace

void StreamReader::wait_for_data_(const char* func_name, source_location where) {
  Future<void> waiter = prepare_wait_for_data_(func_name);
  ResetWaiter reset{waiter_};
  await(waiter, where);
}

Coro<void> StreamReader::wait_for_data_async_(const char* func_name) {
  Future<void> waiter = prepare_wait_for_data_(func_name);
  ResetWaiter reset{waiter_};
  co_await waiter;
}

// The coroutine forms: line for line the fiber forms below, co_await for the waits.
// The waits carry the label of the call the program made (the task's call_label(), what the
// tree and the trace name the wait by), set only around the wait itself: a read that finds its
// data buffered pays nothing (docs/performance.md, "Labels of waits"). readline runs readuntil's
// loop itself (CPython's calls readuntil) so its waits say StreamReader.readline().
Coro<std::string> StreamReader::readline_async() {
  const std::string sep = "\n";
  try {
    if (exception_) std::rethrow_exception(exception_);
    std::size_t offset = 0;
    for (;;) {
      if (std::optional<std::string> chunk = try_readuntil_(sep, offset)) co_return std::move(*chunk);
      detail::TracedCall call(loop_, "StreamReader.readline()");
      co_await wait_for_data_async_("readuntil");
    }
  } catch (const IncompleteReadError& e) {
    co_return e.partial;
  } catch (const LimitOverrunError& e) {
    readline_overrun_(e);
  }
}

Coro<std::string> StreamReader::readuntil_async(std::string separator) {
  if (separator.empty()) throw ValueError("Separator should be at least one-byte string");
  if (exception_) std::rethrow_exception(exception_);
  std::size_t offset = 0;
  for (;;) {
    if (std::optional<std::string> chunk = try_readuntil_(separator, offset)) co_return std::move(*chunk);
    detail::TracedCall call(loop_, "StreamReader.readuntil()");
    co_await wait_for_data_async_("readuntil");
  }
}

Coro<std::string> StreamReader::read_async(std::ptrdiff_t n) {
  if (exception_) std::rethrow_exception(exception_);
  if (n == 0) co_return std::string();
  if (n < 0) {
    std::string all;
    for (;;) {
      std::string block = co_await read_async(static_cast<std::ptrdiff_t>(limit_));
      if (block.empty()) break;
      all += block;
    }
    co_return all;
  }
  if (buffered() == 0 && !eof_) {
    detail::TracedCall call(loop_, "StreamReader.read()");
    co_await wait_for_data_async_("read");
  }
  std::string data = take_(static_cast<std::size_t>(n));
  maybe_resume_transport_();
  co_return data;
}

Coro<std::string> StreamReader::readexactly_async(std::ptrdiff_t n) {
  if (n < 0) throw ValueError("readexactly size can not be less than zero");
  if (exception_) std::rethrow_exception(exception_);
  if (n == 0) co_return std::string();
  for (;;) {
    if (std::optional<std::string> data = try_readexactly_(static_cast<std::size_t>(n))) co_return std::move(*data);
    detail::TracedCall call(loop_, "StreamReader.readexactly()");
    co_await wait_for_data_async_("readexactly");
  }
}

std::string StreamReader::readline(source_location where) {
  const std::string_view sep = "\n";
  try {  // readuntil(sep), its loop here: the waits say StreamReader.readline()
    if (exception_) std::rethrow_exception(exception_);
    std::size_t offset = 0;
    for (;;) {
      if (std::optional<std::string> chunk = try_readuntil_(sep, offset)) return std::move(*chunk);
      detail::TracedCall call(loop_, "StreamReader.readline()");
      wait_for_data_("readuntil", where);
    }
  } catch (const IncompleteReadError& e) {
    return e.partial;
  } catch (const LimitOverrunError& e) {
    readline_overrun_(e);
  }
}

void StreamReader::readline_overrun_(const LimitOverrunError& e) {
  const std::string_view sep = "\n";
  if (unread_().substr(e.consumed, sep.size()) == sep) {
    drop_(e.consumed + sep.size());
  } else {
    take_all_();
  }
  maybe_resume_transport_();
  raise_in_except(ValueError(e.message()));
}

std::string StreamReader::readuntil(std::string_view separator, source_location where) {
  if (separator.empty()) throw ValueError("Separator should be at least one-byte string");
  if (exception_) std::rethrow_exception(exception_);
  // offset: where the next search starts; bytes before it cannot begin a separator.
  std::size_t offset = 0;
  for (;;) {
    if (std::optional<std::string> chunk = try_readuntil_(separator, offset)) return std::move(*chunk);
    detail::TracedCall call(loop_, "StreamReader.readuntil()");
    wait_for_data_("readuntil", where);
  }
}

// One pass of readuntil's loop (streams.py), up to the wait.
std::optional<std::string> StreamReader::try_readuntil_(std::string_view separator, std::size_t& offset) {
  const std::size_t seplen = separator.size();
  const std::size_t buflen = buffered();
  if (buflen >= offset + seplen) {
    const std::size_t isep = unread_().find(separator, offset);
    if (isep != std::string_view::npos) {
      if (isep > limit_) throw LimitOverrunError("Separator is found, but chunk is longer than limit", isep);
      std::string chunk = take_(isep + seplen);
      maybe_resume_transport_();
      return chunk;
    }
    offset = buflen + 1 - seplen;
    if (offset > limit_) throw LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
  }
  if (eof_) throw IncompleteReadError(take_all_(), -1);
  return std::nullopt;
}

// One pass of readexactly's loop, up to the wait.
std::optional<std::string> StreamReader::try_readexactly_(std::size_t want) {
  if (buffered() >= want) {
    std::string data = take_(want);
    maybe_resume_transport_();
    return data;
  }
  if (eof_) throw IncompleteReadError(take_all_(), static_cast<std::ptrdiff_t>(want));
  return std::nullopt;
}

std::string StreamReader::read(std::ptrdiff_t n, source_location where) {
  if (exception_) std::rethrow_exception(exception_);
  if (n == 0) return {};
  if (n < 0) {
    // Read up to the limit at a time, so a huge stream does not sit in the buffer at once.
    std::string all;
    for (;;) {
      std::string block = read(static_cast<std::ptrdiff_t>(limit_), where);
      if (block.empty()) break;
      all += block;
    }
    return all;
  }
  if (buffered() == 0 && !eof_) {
    detail::TracedCall call(loop_, "StreamReader.read()");
    wait_for_data_("read", where);
  }
  std::string data = take_(static_cast<std::size_t>(n));
  maybe_resume_transport_();
  return data;
}

std::string StreamReader::readexactly(std::ptrdiff_t n, source_location where) {
  if (n < 0) throw ValueError("readexactly size can not be less than zero");
  if (exception_) std::rethrow_exception(exception_);
  if (n == 0) return {};
  for (;;) {
    if (std::optional<std::string> data = try_readexactly_(static_cast<std::size_t>(n))) return std::move(*data);
    detail::TracedCall call(loop_, "StreamReader.readexactly()");
    wait_for_data_("readexactly", where);
  }
}

// ---------------------------------------------------------------- StreamReaderProtocol

StreamReaderProtocol::StreamReaderProtocol(std::shared_ptr<StreamReader> reader, ClientConnected client_connected_cb,
                                           BaseEventLoop* loop)
    : loop_(loop ? loop : &get_event_loop()),
      reader_(std::move(reader)),
      client_connected_cb_(std::move(client_connected_cb)),
      closed_future_(loop_->create_future<void>()) {}

StreamReaderProtocol::~StreamReaderProtocol() {
  // StreamReaderProtocol.__del__: an error nobody awaited is not "never retrieved".
  if (closed_future_.done() && !closed_future_.cancelled()) (void)closed_future_.exception();
}

void StreamReaderProtocol::connection_made(Ref<Transport> transport) {
  if (reader_) reader_->set_transport(transport);
  transport_ = transport;
  if (coro_client_connected_cb_) {
    auto writer = std::make_shared<StreamWriter>(transport, self_.lock(), reader_, loop_);
    // [coro] As CPython's: `res = client_connected_cb(reader, writer)`, and the coroutine object
    // it returns becomes a task.
    loop_->create_task(coro_client_connected_cb_(reader_, writer));
  } else if (client_connected_cb_) {
    auto self = self_.lock();
    auto writer = std::make_shared<StreamWriter>(transport, self, reader_, loop_);
    // client_connected_cb is a coroutine in CPython: it runs as a task of its own.
    loop_->create_task([cb = client_connected_cb_, reader = reader_, writer] { cb(reader, writer); });
  }
}

void StreamReaderProtocol::connection_lost(std::exception_ptr exc) {
  if (reader_) {
    if (exc) {
      reader_->set_exception(exc);
    } else {
      reader_->feed_eof();
    }
  }
  if (!closed_future_.done()) {
    if (exc) {
      closed_future_.set_exception(exc);
    } else {
      closed_future_.set_result();
    }
  }
  // FlowControlMixin.connection_lost: wake drain() waiters.
  connection_lost_ = true;
  if (paused_) {
    for (auto& waiter : drain_waiters_) {
      if (waiter.done()) continue;
      if (exc) {
        waiter.set_exception(exc);
      } else {
        waiter.set_result();
      }
    }
  }
  transport_.reset();
}

void StreamReaderProtocol::data_received(std::string_view data) {
  if (reader_) reader_->feed_data(data);
}

bool StreamReaderProtocol::eof_received() {
  if (reader_) reader_->feed_eof();
  return true;  // keep the transport open: the writer may still write (half-close)
}

void StreamReaderProtocol::resume_writing() {
  paused_ = false;
  for (auto& waiter : drain_waiters_)
    if (!waiter.done()) waiter.set_result();
}

void StreamReaderProtocol::drain_helper_(source_location where) {
  if (connection_lost_) throw ConnectionResetError("Connection lost");
  if (!paused_) return;
  Future<void> waiter = loop_->create_future<void>();
  drain_waiters_.push_back(waiter);
  struct Remove {
    std::deque<Future<void>>& waiters;
    Future<void> w;
    ~Remove() {
      for (auto it = waiters.begin(); it != waiters.end(); ++it)
        if (*it == w) {
          waiters.erase(it);
          break;
        }
    }
  } remove{drain_waiters_, waiter};
  await(waiter, where);
}

namespace {
struct RemoveDrainWaiter {
  std::deque<Future<void>>& waiters;
  Future<void> w;
  ~RemoveDrainWaiter() {
    for (auto it = waiters.begin(); it != waiters.end(); ++it)
      if (*it == w) {
        waiters.erase(it);
        break;
      }
  }
};
}  // namespace

Coro<void> StreamReaderProtocol::drain_helper_async_() {
  if (connection_lost_) throw ConnectionResetError("Connection lost");
  if (!paused_) co_return;
  Future<void> waiter = loop_->create_future<void>();
  drain_waiters_.push_back(waiter);
  RemoveDrainWaiter remove{drain_waiters_, waiter};
  co_await waiter;
}

// ---------------------------------------------------------------- StreamWriter

StreamWriter::StreamWriter(Ref<Transport> transport, std::shared_ptr<StreamReaderProtocol> protocol,
                           std::shared_ptr<StreamReader> reader, BaseEventLoop* loop)
    : transport_(std::move(transport)), protocol_(std::move(protocol)), reader_(std::move(reader)), loop_(loop) {}

void StreamWriter::drain(source_location where) {
  detail::TracedCall call(loop_, "StreamWriter.drain()");
  if (reader_) {
    if (std::exception_ptr exc = reader_->exception()) std::rethrow_exception(exc);
  }
  if (transport_->is_closing()) {
    // Let connection_lost run first, so drain_helper_ sees the lost connection.
    asyncio::sleep(0, where);
  }
  protocol_->drain_helper_(where);
}

void StreamWriter::wait_closed(source_location where) {
  detail::TracedCall call(loop_, "StreamWriter.wait_closed()");
  await(protocol_->closed_(), where);
}

Coro<void> StreamWriter::drain_async() {
  detail::TracedCall call(loop_, "StreamWriter.drain()");
  if (reader_) {
    if (std::exception_ptr exc = reader_->exception()) std::rethrow_exception(exc);
  }
  // No line of its own: the task shows the program's co_await of drain_async().
  if (transport_->is_closing()) co_await asyncio::sleep_async(0, source_location{});
  co_await protocol_->drain_helper_async_();
}

Coro<void> StreamWriter::wait_closed_async() {
  detail::TracedCall call(loop_, "StreamWriter.wait_closed()");
  co_await protocol_->closed_();
}

// ---------------------------------------------------------------- open_connection, start_server

// The steps of open_connection and start_server that do not wait, shared by the fiber and
// coroutine forms.
namespace {
std::pair<std::shared_ptr<StreamReader>, std::shared_ptr<StreamReaderProtocol>> client_protocol(BaseEventLoop& loop,
                                                                                               std::size_t limit) {
  auto reader = std::make_shared<StreamReader>(limit, &loop);
  auto protocol = std::make_shared<StreamReaderProtocol>(reader, nullptr, &loop);
  protocol->self_ = protocol;
  return {reader, protocol};
}

ProtocolFactory server_factory(StreamReaderProtocol::ClientConnected cb, std::size_t limit, BaseEventLoop& loop) {
  return [cb = std::move(cb), limit, loop_ptr = &loop] {
    auto reader = std::make_shared<StreamReader>(limit, loop_ptr);
    auto protocol = std::make_shared<StreamReaderProtocol>(reader, cb, loop_ptr);
    protocol->self_ = protocol;
    return protocol;
  };
}

ProtocolFactory coro_server_factory(StreamReaderProtocol::CoroClientConnected cb, std::size_t limit,
                                    BaseEventLoop& loop) {
  return [cb = std::move(cb), limit, loop_ptr = &loop] {
    auto reader = std::make_shared<StreamReader>(limit, loop_ptr);
    auto protocol = std::make_shared<StreamReaderProtocol>(reader, nullptr, loop_ptr);
    protocol->set_coro_client_connected_(cb);
    protocol->self_ = protocol;
    return protocol;
  };
}
}  // namespace

StreamPair open_connection(const std::string& host, int port, std::size_t limit, source_location where) {
  detail::fiber_only_("asyncio::open_connection", "asyncio::open_connection_async");
  BaseEventLoop& loop = get_running_loop();
  auto [reader, protocol] = client_protocol(loop, limit);
  auto [transport, unused] = loop.create_connection([p = protocol] { return p; }, host, port, where);
  auto writer = std::make_shared<StreamWriter>(transport, protocol, reader, &loop);
  return {reader, writer};
}

Coro<StreamPair> open_connection_async(std::string host, int port, std::size_t limit) {
  BaseEventLoop& loop = get_running_loop();
  auto [reader, protocol] = client_protocol(loop, limit);
  // The factory is a named variable, not a lambda written inside the co_await: GCC 12 destroys a
  // capturing closure temporary of a co_await's full-expression twice, which released the
  // protocol twice (docs/06, "One compiler trap").
  ProtocolFactory factory = [p = protocol] { return p; };
  Ref<Transport> transport = (co_await loop.create_connection_async(std::move(factory), std::move(host), port)).first;
  auto writer = std::make_shared<StreamWriter>(transport, protocol, reader, &loop);
  co_return StreamPair{reader, writer};
}

Ref<Server> start_server(StreamReaderProtocol::ClientConnected client_connected_cb, std::optional<std::string> host,
                         std::optional<int> port, ServerOptions options, std::size_t limit,
                         source_location where) {
  detail::fiber_only_("asyncio::start_server", "asyncio::start_server_async");
  BaseEventLoop& loop = get_running_loop();
  return loop.create_server(server_factory(std::move(client_connected_cb), limit, loop), std::move(host), port,
                            std::move(options), where);
}

Ref<Server> start_server_coro_(StreamReaderProtocol::CoroClientConnected client_connected_cb,
                               std::optional<std::string> host, std::optional<int> port, ServerOptions options,
                               std::size_t limit, source_location where) {
  detail::fiber_only_("asyncio::start_server", "asyncio::start_server_async");
  BaseEventLoop& loop = get_running_loop();
  return loop.create_server(coro_server_factory(std::move(client_connected_cb), limit, loop), std::move(host), port,
                            std::move(options), where);
}

Coro<Ref<Server>> start_server_async(StreamReaderProtocol::ClientConnected client_connected_cb,
                                     std::optional<std::string> host, std::optional<int> port, ServerOptions options,
                                     std::size_t limit) {
  BaseEventLoop& loop = get_running_loop();
  co_return co_await loop.create_server_async(server_factory(std::move(client_connected_cb), limit, loop),
                                              std::move(host), port, std::move(options));
}

Coro<Ref<Server>> start_server_coro_async_(StreamReaderProtocol::CoroClientConnected client_connected_cb,
                                           std::optional<std::string> host, std::optional<int> port,
                                           ServerOptions options, std::size_t limit) {
  BaseEventLoop& loop = get_running_loop();
  co_return co_await loop.create_server_async(coro_server_factory(std::move(client_connected_cb), limit, loop),
                                              std::move(host), port, std::move(options));
}

Ref<Server> start_server(StreamReaderProtocol::ClientConnected client_connected_cb, std::optional<std::string> host,
                         std::optional<int> port, std::size_t limit, source_location where) {
  return start_server(std::move(client_connected_cb), std::move(host), port, ServerOptions{}, limit, where);
}

}  // namespace asyncio
