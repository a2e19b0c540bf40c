// selector_events.hpp: SelectorEventLoop, the loop on a selector: fd callbacks and the
// self-pipe that wakes a blocked select.
// Mirrors Lib/asyncio/selector_events.py (BaseSelectorEventLoop: add_reader, add_writer,
// _process_events, _make_self_pipe, _write_to_self) and unix_events.py's loop on top.
// Owns the (reader, writer) handle pair of each registered fd.
// Course: docs/10-selectors.md
#pragma once

#include <memory>
#include <unordered_map>

#include "asyncio/base_events.hpp"

namespace asyncio {

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

 protected:
  void process_events_(const std::vector<selectors::ReadyEvent>& events) final;
  void write_to_self_() final;

 private:
  // key.data of each registered fd: its reader and writer handles (either may be empty).
  struct FdHandles {
    HandleRef reader;
    HandleRef writer;
  };
  void add_handler_(int fd, int event, Callback callback, const char* name);
  bool remove_handler_(int fd, int event);
  void make_self_pipe_();
  void close_self_pipe_();
  void read_from_self_();

  std::unordered_map<int, std::unique_ptr<FdHandles>> fd_handles_;
  int ssock_ = -1;  // the self-pipe's read end (registered for reading)
  int csock_ = -1;  // its write end
};

// A new loop on a named selector ("epoll", "poll" or "select"), so a class can compare them.
Ref<BaseEventLoop> new_event_loop(const std::string& selector_kind);

}  // namespace asyncio
