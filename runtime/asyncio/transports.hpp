// transports.hpp: Transport, the interface a protocol writes to and the loop reads for.
// Mirrors Lib/asyncio/transports.py (BaseTransport, ReadTransport, WriteTransport, Transport,
// _FlowControlMixin), folded into one class: C++ needs no mixins for one implementation.
// Owns the extra-info map and the write-buffer water marks. Course: docs/10-selectors-and-io.md
#pragma once

#include <any>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asyncio/ref.hpp"

namespace asyncio {

class BaseEventLoop;
class BaseProtocol;

class Transport : public RefCounted {
 public:
  // BaseTransport. get_extra_info: "peername" and "sockname" hold an Address, "socket" the
  // fd (int); an unknown name gives `default_value`.
  std::any get_extra_info(const std::string& name, std::any default_value = {}) const;
  virtual bool is_closing() const = 0;
  // Close: buffered data is still sent, then connection_lost(nullptr) is called.
  virtual void close() = 0;
  virtual void set_protocol(std::shared_ptr<BaseProtocol> protocol) = 0;
  virtual std::shared_ptr<BaseProtocol> get_protocol() const = 0;

  // ReadTransport.
  virtual bool is_reading() const = 0;
  virtual void pause_reading() = 0;
  virtual void resume_reading() = 0;

  // WriteTransport (flow control from _FlowControlMixin).
  // high defaults to 64 KiB (or 4 * low), low to high / 4; ValueError unless high >= low >= 0.
  void set_write_buffer_limits(std::optional<std::size_t> high = {}, std::optional<std::size_t> low = {});
  std::pair<std::size_t, std::size_t> get_write_buffer_limits() const { return {low_water_, high_water_}; }
  virtual std::size_t get_write_buffer_size() const = 0;
  virtual void write(std::string_view data) = 0;
  // write(b''.join(list_of_data)), as CPython's WriteTransport.writelines.
  void writelines(const std::vector<std::string>& list_of_data);
  virtual void write_eof() = 0;
  virtual bool can_write_eof() const = 0;
  // Close at once: buffered data is dropped; connection_lost(nullptr) follows.
  virtual void abort() = 0;
  virtual std::string repr() const = 0;

 protected:
  explicit Transport(BaseEventLoop* loop) : flow_loop_(loop) {}
  // _maybe_pause_protocol / _maybe_resume_protocol: call after the buffer grows / shrinks.
  void maybe_pause_protocol_();
  void maybe_resume_protocol_();
  virtual BaseProtocol* protocol_for_flow_control_() const = 0;

  std::map<std::string, std::any> extra_;
  BaseEventLoop* flow_loop_;
  std::size_t high_water_ = 64 * 1024;
  std::size_t low_water_ = 16 * 1024;
  bool protocol_paused_ = false;
};

}  // namespace asyncio
