// selector_events.cpp: SelectorEventLoop's fd callbacks, event processing and self-pipe.
// Mirrors Lib/asyncio/selector_events.py (BaseSelectorEventLoop._add_reader, _remove_reader,
// _process_events, _make_self_pipe, _read_from_self, _write_to_self).
// Course: docs/10-selectors.md
#include "asyncio/selector_events.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "asyncio/exceptions.hpp"

namespace asyncio {

using selectors::EVENT_READ;
using selectors::EVENT_WRITE;

SelectorEventLoop::SelectorEventLoop(std::unique_ptr<selectors::BaseSelector> selector)
    : BaseEventLoop(selector ? std::move(selector) : std::make_unique<selectors::DefaultSelector>()) {
  make_self_pipe_();
}

SelectorEventLoop::~SelectorEventLoop() {
  close_self_pipe_();
  if (!selector_->is_closed()) selector_->close();
}

void SelectorEventLoop::close() {
  if (is_running()) throw RuntimeError("Cannot close a running event loop");
  if (is_closed()) return;
  close_self_pipe_();
  BaseEventLoop::close();
  fd_handles_.clear();
  selector_->close();
}

void SelectorEventLoop::make_self_pipe_() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
    throw OSError(errno, std::strerror(errno));
  ssock_ = fds[0];
  csock_ = fds[1];
  add_reader(ssock_, [this] { read_from_self_(); }, "BaseSelectorEventLoop._read_from_self");
}

void SelectorEventLoop::close_self_pipe_() {
  if (ssock_ < 0) return;
  if (!selector_->is_closed()) remove_reader(ssock_);
  ::close(ssock_);
  ::close(csock_);
  ssock_ = csock_ = -1;
}

void SelectorEventLoop::read_from_self_() {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(ssock_, buf, sizeof buf, 0);
    if (n > 0) continue;
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
}

void SelectorEventLoop::add_reader(int fd, Callback callback, const char* name) {
  add_handler_(fd, EVENT_READ, std::move(callback), name);
}

void SelectorEventLoop::add_writer(int fd, Callback callback, const char* name) {
  add_handler_(fd, EVENT_WRITE, std::move(callback), name);
}

bool SelectorEventLoop::remove_reader(int fd) { return remove_handler_(fd, EVENT_READ); }

bool SelectorEventLoop::remove_writer(int fd) { return remove_handler_(fd, EVENT_WRITE); }

void SelectorEventLoop::add_handler_(int fd, int event, Callback callback, const char* name) {
  check_closed_();
  HandleRef handle(new Handle(std::move(callback), this, name));
  auto it = fd_handles_.find(fd);
  if (it == fd_handles_.end()) {
    auto entry = std::make_unique<FdHandles>();
    (event == EVENT_READ ? entry->reader : entry->writer) = handle;
    selector_->register_(fd, event, entry.get());
    fd_handles_.emplace(fd, std::move(entry));
    return;
  }
  FdHandles& entry = *it->second;
  const selectors::SelectorKey key = selector_->get_key(fd);
  selector_->modify(fd, key.events | event, &entry);
  HandleRef& slot = event == EVENT_READ ? entry.reader : entry.writer;
  HandleRef old = std::exchange(slot, handle);
  if (old) old->cancel();
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

Ref<BaseEventLoop> new_event_loop(const std::string& selector_kind) {
  return Ref<BaseEventLoop>(new SelectorEventLoop(selectors::make_selector(selector_kind)));
}

}  // namespace asyncio
