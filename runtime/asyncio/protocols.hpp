// protocols.hpp: the callback interfaces a transport drives: Protocol (bytes pushed to
// data_received) and BufferedProtocol (the transport reads into the protocol's own buffer).
// Mirrors Lib/asyncio/protocols.py (BaseProtocol, Protocol, BufferedProtocol).
// Owns nothing: every method is a no-op to override. Course: docs/10-selectors-and-io.md
#pragma once

#include <cstddef>
#include <exception>
#include <span>
#include <string_view>

#include "asyncio/ref.hpp"

namespace asyncio {

class Transport;

// The callbacks every protocol has. Call order, as CPython guarantees it:
//   connection_made -> data_received* -> eof_received? -> connection_lost
// pause_writing/resume_writing come in pairs when the transport's write buffer crosses its
// high, then its low, water mark.
class BaseProtocol {
 public:
  virtual ~BaseProtocol() = default;
  // The connection is up; keep the transport to write to it.
  virtual void connection_made(Ref<Transport> transport) { (void)transport; }
  // The connection is gone: nullptr for a regular EOF or close, else the error.
  virtual void connection_lost(std::exception_ptr exc) { (void)exc; }
  virtual void pause_writing() {}
  virtual void resume_writing() {}
};

class Protocol : public BaseProtocol {
 public:
  // Some bytes arrived (never empty).
  virtual void data_received(std::string_view data) { (void)data; }
  // The peer wrote EOF. Return true to keep the connection open for writing (half-close);
  // false (the default) closes the transport.
  virtual bool eof_received() { return false; }
};

// The transport asks for a buffer, reads into it, then reports how much it wrote there.
class BufferedProtocol : public BaseProtocol {
 public:
  // A non-empty buffer to receive into; size_hint is -1 when the transport has no preference.
  virtual std::span<char> get_buffer(std::ptrdiff_t size_hint) = 0;
  virtual void buffer_updated(std::size_t nbytes) = 0;
  virtual bool eof_received() { return false; }
};

}  // namespace asyncio
