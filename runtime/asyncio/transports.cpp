// transports.cpp: what every transport shares: extra info, writelines and flow control.
// Mirrors Lib/asyncio/transports.py (BaseTransport.get_extra_info, WriteTransport.writelines,
// _FlowControlMixin._maybe_pause_protocol, _maybe_resume_protocol, _set_write_buffer_limits).
// Course: docs/10-selectors-and-io.md
#include "asyncio/transports.hpp"

#include "asyncio/base_events.hpp"
#include "asyncio/exceptions.hpp"
#include "asyncio/protocols.hpp"

namespace asyncio {

std::any Transport::get_extra_info(const std::string& name, std::any default_value) const {
  auto it = extra_.find(name);
  return it == extra_.end() ? default_value : it->second;
}

void Transport::writelines(const std::vector<std::string>& list_of_data) {
  std::string joined;
  for (const std::string& piece : list_of_data) joined += piece;
  write(joined);
}

void Transport::set_write_buffer_limits(std::optional<std::size_t> high, std::optional<std::size_t> low) {
  if (!high) high = low ? 4 * *low : 64 * 1024;
  if (!low) low = *high / 4;
  if (*high < *low)
    throw ValueError("high (" + std::to_string(*high) + ") must be >= low (" + std::to_string(*low) +
                     ") must be >= 0");
  high_water_ = *high;
  low_water_ = *low;
  maybe_pause_protocol_();
}

void Transport::maybe_pause_protocol_() {
  if (get_write_buffer_size() <= high_water_ || protocol_paused_) return;
  protocol_paused_ = true;
  BaseProtocol* protocol = protocol_for_flow_control_();
  if (!protocol) return;
  try {
    protocol->pause_writing();
  } catch (...) {
    ExceptionContext context;
    context.message = "protocol.pause_writing() failed";
    context.exception = std::current_exception();
    context.extra.emplace_back("transport", repr());
    flow_loop_->call_exception_handler(context);
  }
}

void Transport::maybe_resume_protocol_() {
  if (!protocol_paused_ || get_write_buffer_size() > low_water_) return;
  protocol_paused_ = false;
  BaseProtocol* protocol = protocol_for_flow_control_();
  if (!protocol) return;
  try {
    protocol->resume_writing();
  } catch (...) {
    ExceptionContext context;
    context.message = "protocol.resume_writing() failed";
    context.exception = std::current_exception();
    context.extra.emplace_back("transport", repr());
    flow_loop_->call_exception_handler(context);
  }
}

}  // namespace asyncio
