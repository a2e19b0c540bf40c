// selectors.hpp: waiting for many file descriptors at once (select, poll, epoll).
// Mirrors Lib/selectors.py (SelectorKey, BaseSelector, SelectSelector, PollSelector,
// EpollSelector, DefaultSelector). Owns the fd -> key map and the kernel wait; knows nothing
// of the loop (the loop keeps its handles in SelectorKey::data).
// Course: docs/10-selectors-and-io.md
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

// The kernel's structs, declared here so this header does not drag in <poll.h> and
// <sys/epoll.h> (and their macros) into every file that includes the loop.
struct pollfd;
struct epoll_event;

namespace asyncio::selectors {

inline constexpr int EVENT_READ = 1 << 0;
inline constexpr int EVENT_WRITE = 1 << 1;

// One registration. CPython's fileobj may be any object with fileno(); here it is the fd itself.
struct SelectorKey {
  int fileobj = -1;
  int fd = -1;
  int events = 0;
  void* data = nullptr;  // owned by whoever registered (the loop stores its reader/writer handles)
};

// What select() returns for each ready fd: its key and the events that are ready (masked by
// key.events), in the order the kernel reported them.
struct ReadyEvent {
  SelectorKey key;
  int events = 0;
};

using SelectorMapping = std::unordered_map<int, SelectorKey>;

// BaseSelector: the interface every selector implements. Errors are CPython's:
//   ValueError("Invalid file descriptor: -1"), ValueError("Invalid events: 4"),
//   KeyError("5 (FD 5) is already registered"), KeyError("5 is not registered"),
//   RuntimeError("Selector is closed").
// A negative fd given to unregister/modify/get_key raises the ValueError too, as CPython's
// _fileobj_lookup does. Selectors are not copyable: a copy would share (and double-close) the
// kernel object.
class BaseSelector {
 public:
  BaseSelector() = default;
  BaseSelector(const BaseSelector&) = delete;
  BaseSelector& operator=(const BaseSelector&) = delete;
  virtual ~BaseSelector() = default;

  // register is a C++ keyword, hence the trailing underscore.
  virtual SelectorKey register_(int fileobj, int events, void* data = nullptr) = 0;
  virtual SelectorKey unregister(int fileobj) = 0;
  // Changes the events and/or data of a registered fd; returns the new key.
  virtual SelectorKey modify(int fileobj, int events, void* data = nullptr) = 0;
  // timeout: nullopt blocks until an event; <= 0 polls; > 0 waits at most that many seconds
  // (poll and epoll round up to whole milliseconds). EINTR is retried with the time left.
  virtual std::vector<ReadyEvent> select(std::optional<double> timeout = std::nullopt) = 0;
  virtual void close() = 0;

  SelectorKey get_key(int fileobj) const;
  // The registered keys by fd; nullptr once the selector is closed (CPython returns None).
  const SelectorMapping* get_map() const noexcept { return closed_ ? nullptr : &map_; }
  bool is_closed() const noexcept { return closed_; }
  // How many fds are registered (len(get_map())).
  std::size_t registered_count() const noexcept { return map_.size(); }
  // "epoll", "poll" or "select": shown by traces so a class can compare them.
  virtual const char* kind() const noexcept = 0;

 protected:
  // Shared bookkeeping for the subclasses, mirroring _BaseSelectorImpl.
  SelectorKey add_key_(int fileobj, int events, void* data);
  SelectorKey remove_key_(int fileobj);
  SelectorKey& key_for_(int fileobj);
  void check_open_() const;

  SelectorMapping map_;
  bool closed_ = false;
};

// The three selectors can be subclassed (a recording selector overrides select() and calls the
// base), as CPython's selector classes can; the loop skips no poll of a subclass (see
// BaseEventLoop::select_).
class SelectSelector : public BaseSelector {
 public:
  SelectSelector();
  ~SelectSelector() override;
  SelectorKey register_(int fileobj, int events, void* data = nullptr) override;
  SelectorKey unregister(int fileobj) override;
  SelectorKey modify(int fileobj, int events, void* data = nullptr) override;
  std::vector<ReadyEvent> select(std::optional<double> timeout = std::nullopt) override;
  void close() override;
  const char* kind() const noexcept override { return "select"; }

 private:
  struct FdSets;  // the fd_set pair, kept in the .cpp to keep <sys/select.h> out of here
  std::unique_ptr<FdSets> sets_;
};

class PollSelector : public BaseSelector {
 public:
  PollSelector();
  ~PollSelector() override;
  SelectorKey register_(int fileobj, int events, void* data = nullptr) override;
  SelectorKey unregister(int fileobj) override;
  SelectorKey modify(int fileobj, int events, void* data = nullptr) override;
  std::vector<ReadyEvent> select(std::optional<double> timeout = std::nullopt) override;
  void close() override;
  const char* kind() const noexcept override { return "poll"; }

 private:
  // Kept in registration order (CPython's poll object is a dict), so the kernel reports in
  // that order and select() hands the array to poll() without rebuilding it.
  std::vector<::pollfd> pollfds_;
};

class EpollSelector : public BaseSelector {
 public:
  EpollSelector();
  ~EpollSelector() override;
  SelectorKey register_(int fileobj, int events, void* data = nullptr) override;
  SelectorKey unregister(int fileobj) override;
  SelectorKey modify(int fileobj, int events, void* data = nullptr) override;
  std::vector<ReadyEvent> select(std::optional<double> timeout = std::nullopt) override;
  void close() override;
  const char* kind() const noexcept override { return "epoll"; }
  int fileno() const noexcept { return epfd_; }

 private:
  int epfd_ = -1;
  // epoll_wait's output buffer, grown to the number of registered fds and reused across calls.
  std::vector<::epoll_event> ready_;
};

// DefaultSelector is epoll on Linux, as in CPython.
using DefaultSelector = EpollSelector;

// Builds a selector by name ("epoll", "poll", "select"); ValueError for anything else.
std::unique_ptr<BaseSelector> make_selector(const std::string& kind);

}  // namespace asyncio::selectors
