// selectors.cpp: the select(), poll() and epoll() selectors behind selectors.hpp.
// Mirrors Lib/selectors.py (_BaseSelectorImpl, SelectSelector, _PollLikeSelector,
// EpollSelector) plus the EINTR retry that Modules/selectmodule.c does under PEP 475.
// Owns the kernel objects (epoll fd, pollfd array, fd_sets) and the fd -> key bookkeeping.
// Course: docs/10-selectors-and-io.md
#include "asyncio/selectors.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "asyncio/exceptions.hpp"

namespace asyncio::selectors {

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void raise_os_error(int err) { throw OSError(err, std::strerror(err)); }

void check_fd(int fd) {
  if (fd < 0) throw ValueError("Invalid file descriptor: " + std::to_string(fd));
}

void check_events(int events) {
  if (events == 0 || (events & ~(EVENT_READ | EVENT_WRITE)) != 0) {
    throw ValueError("Invalid events: " + std::to_string(events));
  }
}

[[noreturn]] void raise_not_registered(int fileobj) {
  throw KeyError(std::to_string(fileobj) + " is not registered");
}

// CPython raises ValueError for NaN before touching the kernel; a NaN would otherwise reach a
// float -> int conversion, which is undefined behaviour in C++.
void check_timeout(std::optional<double> timeout) {
  if (timeout && std::isnan(*timeout)) throw ValueError("Invalid value NaN (not a number)");
}

// poll() and epoll_wait() take whole milliseconds: round a positive timeout up so the wait is
// never shorter than asked (math.ceil(timeout * 1e3) in selectors.py). CPython raises
// OverflowError past INT_MAX ms (~24.8 days); asyncio never asks for more than a day, so clamp.
int timeout_ms(std::optional<double> timeout) {
  if (!timeout) return -1;
  if (*timeout <= 0) return 0;
  const double ms = std::ceil(*timeout * 1e3);
  return ms >= static_cast<double>(INT_MAX) ? INT_MAX : static_cast<int>(ms);
}

// After EINTR, the milliseconds still to wait before the deadline, or -1 if it has passed
// (selectmodule.c returns "nothing ready" in that case instead of polling once more).
int remaining_ms(Clock::time_point deadline) {
  const auto left = deadline - Clock::now();
  if (left < Clock::duration::zero()) return -1;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ms >= INT_MAX ? INT_MAX : static_cast<int>(ms);
}

// The poll-like kernels report conditions besides IN/OUT (HUP, ERR, NVAL, RDHUP). CPython
// counts anything that is not pure IN as writable and anything not pure OUT as readable, so a
// hung-up or failed fd wakes both its reader and its writer, which then see the error.
int poll_like_events(std::uint32_t revents, std::uint32_t in, std::uint32_t out) {
  int events = 0;
  if ((revents & ~in) != 0) events |= EVENT_WRITE;
  if ((revents & ~out) != 0) events |= EVENT_READ;
  return events;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// BaseSelector bookkeeping (_BaseSelectorImpl)

SelectorKey BaseSelector::get_key(int fileobj) const {
  if (closed_) throw RuntimeError("Selector is closed");
  check_fd(fileobj);
  const auto it = map_.find(fileobj);
  if (it == map_.end()) raise_not_registered(fileobj);
  return it->second;
}

void BaseSelector::check_open_() const {
  // CPython fails here with an AttributeError on a None mapping or a closed epoll object;
  // one clear message serves the learner better.
  if (closed_) throw RuntimeError("Selector is closed");
}

SelectorKey BaseSelector::add_key_(int fileobj, int events, void* data) {
  // Same order of checks as _BaseSelectorImpl.register, so the same bad call gets the same error.
  check_events(events);
  check_fd(fileobj);
  const SelectorKey key{fileobj, fileobj, events, data};
  if (!map_.emplace(key.fd, key).second) {
    throw KeyError(std::to_string(fileobj) + " (FD " + std::to_string(key.fd) +
                   ") is already registered");
  }
  return key;
}

SelectorKey BaseSelector::remove_key_(int fileobj) {
  check_fd(fileobj);
  const auto it = map_.find(fileobj);
  if (it == map_.end()) raise_not_registered(fileobj);
  const SelectorKey key = it->second;
  map_.erase(it);
  return key;
}

SelectorKey& BaseSelector::key_for_(int fileobj) {
  check_fd(fileobj);
  const auto it = map_.find(fileobj);
  if (it == map_.end()) raise_not_registered(fileobj);
  return it->second;
}

// ---------------------------------------------------------------------------------------------
// SelectSelector

struct SelectSelector::FdSets {
  fd_set readers;
  fd_set writers;
  int max_fd = -1;  // select()'s nfds is max_fd + 1
};

SelectSelector::SelectSelector() : sets_(std::make_unique<FdSets>()) {
  FD_ZERO(&sets_->readers);
  FD_ZERO(&sets_->writers);
}

SelectSelector::~SelectSelector() = default;

SelectorKey SelectSelector::register_(int fileobj, int events, void* data) {
  check_open_();
  // CPython only notices at select() time, and then every select() fails until the fd goes;
  // refusing here keeps FD_SET from writing past the fd_set and the selector usable.
  if (fileobj >= FD_SETSIZE) {
    check_events(events);
    throw ValueError("filedescriptor out of range in select()");
  }
  const SelectorKey key = add_key_(fileobj, events, data);
  if (events & EVENT_READ) FD_SET(key.fd, &sets_->readers);
  if (events & EVENT_WRITE) FD_SET(key.fd, &sets_->writers);
  sets_->max_fd = std::max(sets_->max_fd, key.fd);
  return key;
}

SelectorKey SelectSelector::unregister(int fileobj) {
  check_open_();
  const SelectorKey key = remove_key_(fileobj);
  FD_CLR(key.fd, &sets_->readers);
  FD_CLR(key.fd, &sets_->writers);
  if (key.fd == sets_->max_fd) {
    int max_fd = -1;
    for (const auto& [fd, k] : map_) max_fd = std::max(max_fd, fd);
    sets_->max_fd = max_fd;
  }
  return key;
}

SelectorKey SelectSelector::modify(int fileobj, int events, void* data) {
  check_open_();
  SelectorKey& key = key_for_(fileobj);
  // CPython's unregister-then-register would drop the fd before register() rejects the
  // events; checking first leaves the registration intact.
  check_events(events);
  if (events != key.events) {
    unregister(fileobj);
    return register_(fileobj, events, data);
  }
  key.data = data;
  return key;
}

std::vector<ReadyEvent> SelectSelector::select(std::optional<double> timeout) {
  check_open_();
  check_timeout(timeout);

  // select() takes microseconds: round up as selectmodule.c does (_PyTime_ROUND_CEILING).
  std::int64_t us = -1;
  if (timeout) {
    const double ceil_us = *timeout <= 0 ? 0.0 : std::ceil(*timeout * 1e6);
    constexpr double max_us = static_cast<double>(INT_MAX) * 1e6;
    us = ceil_us >= max_us ? static_cast<std::int64_t>(max_us) : static_cast<std::int64_t>(ceil_us);
  }
  const Clock::time_point deadline =
      us > 0 ? Clock::now() + std::chrono::microseconds(us) : Clock::time_point{};

  fd_set r;
  fd_set w;
  int n;
  for (;;) {
    r = sets_->readers;
    w = sets_->writers;
    timeval tv{};
    timeval* tvp = nullptr;
    if (us >= 0) {
      tv.tv_sec = static_cast<time_t>(us / 1000000);
      tv.tv_usec = static_cast<suseconds_t>(us % 1000000);
      tvp = &tv;
    }
    n = ::select(sets_->max_fd + 1, &r, &w, nullptr, tvp);
    if (n >= 0) break;
    if (errno != EINTR) raise_os_error(errno);
    if (us == 0) return {};
    if (us > 0) {
      const auto left = deadline - Clock::now();
      if (left < Clock::duration::zero()) return {};
      us = std::chrono::ceil<std::chrono::microseconds>(left).count();
    }
  }

  std::vector<ReadyEvent> ready;
  if (n == 0) return ready;
  ready.reserve(static_cast<std::size_t>(n));
  // n counts set bits over both sets; stop scanning once they are all found. Ascending fd
  // order stands in for the order CPython's set union happens to iterate in.
  for (int fd = 0; fd <= sets_->max_fd && n > 0; ++fd) {
    int events = 0;
    if (FD_ISSET(fd, &r)) {
      events |= EVENT_READ;
      --n;
    }
    if (FD_ISSET(fd, &w)) {
      events |= EVENT_WRITE;
      --n;
    }
    if (events == 0) continue;
    const auto it = map_.find(fd);
    if (it == map_.end()) continue;
    const int masked = events & it->second.events;
    if (masked != 0) ready.push_back(ReadyEvent{it->second, masked});
  }
  return ready;
}

void SelectSelector::close() {
  map_.clear();
  FD_ZERO(&sets_->readers);
  FD_ZERO(&sets_->writers);
  sets_->max_fd = -1;
  closed_ = true;
}

// ---------------------------------------------------------------------------------------------
// PollSelector

namespace {

short poll_events_for(int events) {
  short mask = 0;
  if (events & EVENT_READ) mask = static_cast<short>(mask | POLLIN);
  if (events & EVENT_WRITE) mask = static_cast<short>(mask | POLLOUT);
  return mask;
}

}  // namespace

PollSelector::PollSelector() = default;

PollSelector::~PollSelector() = default;

SelectorKey PollSelector::register_(int fileobj, int events, void* data) {
  check_open_();
  const SelectorKey key = add_key_(fileobj, events, data);
  // poll() itself never rejects an fd at registration: a closed one shows up as POLLNVAL.
  pollfds_.push_back(pollfd{key.fd, poll_events_for(events), 0});
  return key;
}

SelectorKey PollSelector::unregister(int fileobj) {
  check_open_();
  const SelectorKey key = remove_key_(fileobj);
  const auto it = std::find_if(pollfds_.begin(), pollfds_.end(),
                               [&](const pollfd& p) { return p.fd == key.fd; });
  if (it != pollfds_.end()) pollfds_.erase(it);
  return key;
}

SelectorKey PollSelector::modify(int fileobj, int events, void* data) {
  check_open_();
  SelectorKey& key = key_for_(fileobj);
  // _PollLikeSelector.modify does not validate events; an invalid mask would be stored in the
  // key while the kernel watches nothing, so refuse it as register() would.
  check_events(events);
  if (events != key.events) {
    for (pollfd& p : pollfds_) {
      if (p.fd == key.fd) p.events = poll_events_for(events);
    }
  }
  key.events = events;
  key.data = data;
  return key;
}

std::vector<ReadyEvent> PollSelector::select(std::optional<double> timeout) {
  check_open_();
  check_timeout(timeout);
  int ms = timeout_ms(timeout);
  const Clock::time_point deadline = ms > 0 ? Clock::now() + std::chrono::milliseconds(ms)
                                            : Clock::time_point{};
  int n;
  for (;;) {
    n = ::poll(pollfds_.data(), pollfds_.size(), ms);
    if (n >= 0) break;
    if (errno != EINTR) raise_os_error(errno);
    if (ms == 0) return {};
    if (ms > 0) {
      ms = remaining_ms(deadline);
      if (ms < 0) return {};
    }
  }

  std::vector<ReadyEvent> ready;
  if (n == 0) return ready;
  ready.reserve(static_cast<std::size_t>(n));
  for (const pollfd& p : pollfds_) {
    if (p.revents == 0) continue;
    const int events = poll_like_events(static_cast<unsigned short>(p.revents),
                                        static_cast<std::uint32_t>(POLLIN),
                                        static_cast<std::uint32_t>(POLLOUT));
    const auto it = map_.find(p.fd);
    if (it != map_.end()) {
      const int masked = events & it->second.events;
      if (masked != 0) ready.push_back(ReadyEvent{it->second, masked});
    }
    if (--n == 0) break;
  }
  return ready;
}

void PollSelector::close() {
  map_.clear();
  pollfds_.clear();
  pollfds_.shrink_to_fit();
  closed_ = true;
}

// ---------------------------------------------------------------------------------------------
// EpollSelector

namespace {

std::uint32_t epoll_events_for(int events) {
  std::uint32_t mask = 0;
  if (events & EVENT_READ) mask |= EPOLLIN;
  if (events & EVENT_WRITE) mask |= EPOLLOUT;
  return mask;
}

}  // namespace

EpollSelector::EpollSelector() : epfd_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (epfd_ < 0) raise_os_error(errno);
}

EpollSelector::~EpollSelector() {
  if (epfd_ >= 0) ::close(epfd_);
}

SelectorKey EpollSelector::register_(int fileobj, int events, void* data) {
  check_open_();
  const SelectorKey key = add_key_(fileobj, events, data);
  epoll_event ev{};
  ev.events = epoll_events_for(events);
  ev.data.fd = key.fd;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, key.fd, &ev) < 0) {
    const int err = errno;
    map_.erase(key.fd);
    raise_os_error(err);
  }
  return key;
}

SelectorKey EpollSelector::unregister(int fileobj) {
  check_open_();
  const SelectorKey key = remove_key_(fileobj);
  // Fails with EBADF/ENOENT when the fd was closed since it was registered (closing an fd
  // removes it from the epoll set): the registration is gone either way, as CPython says.
  epoll_event ev{};  // pre-2.6.9 kernels insisted on a non-null event for DEL
  (void)::epoll_ctl(epfd_, EPOLL_CTL_DEL, key.fd, &ev);
  return key;
}

SelectorKey EpollSelector::modify(int fileobj, int events, void* data) {
  check_open_();
  SelectorKey& key = key_for_(fileobj);
  // See PollSelector::modify: CPython would store an invalid mask without complaint.
  check_events(events);
  if (events != key.events) {
    epoll_event ev{};
    ev.events = epoll_events_for(events);
    ev.data.fd = key.fd;
    if (::epoll_ctl(epfd_, EPOLL_CTL_MOD, key.fd, &ev) < 0) {
      const int err = errno;
      const int fd = key.fd;
      map_.erase(fd);
      // CPython only forgets the key; also drop any kernel registration left behind, or a
      // level-triggered fd no longer in the map would wake every epoll_wait for nothing.
      (void)::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev);
      raise_os_error(err);
    }
  }
  key.events = events;
  key.data = data;
  return key;
}

std::vector<ReadyEvent> EpollSelector::select(std::optional<double> timeout) {
  check_open_();
  check_timeout(timeout);
  int ms = timeout_ms(timeout);
  const Clock::time_point deadline = ms > 0 ? Clock::now() + std::chrono::milliseconds(ms)
                                            : Clock::time_point{};
  // epoll_wait wants maxevents > 0 even with nothing registered.
  const std::size_t max_events = std::max<std::size_t>(map_.size(), 1);
  if (ready_.size() < max_events) ready_.resize(max_events);

  int n;
  for (;;) {
    n = ::epoll_wait(epfd_, ready_.data(), static_cast<int>(max_events), ms);
    if (n >= 0) break;
    if (errno != EINTR) raise_os_error(errno);
    if (ms == 0) return {};
    if (ms > 0) {
      ms = remaining_ms(deadline);
      if (ms < 0) return {};
    }
  }

  std::vector<ReadyEvent> ready;
  if (n == 0) return ready;
  ready.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const epoll_event& ev = ready_[static_cast<std::size_t>(i)];
    const int events = poll_like_events(ev.events, EPOLLIN, EPOLLOUT);
    const auto it = map_.find(ev.data.fd);
    if (it == map_.end()) continue;
    const int masked = events & it->second.events;
    if (masked != 0) ready.push_back(ReadyEvent{it->second, masked});
  }
  return ready;
}

void EpollSelector::close() {
  if (epfd_ >= 0) {
    ::close(epfd_);
    epfd_ = -1;
  }
  map_.clear();
  ready_.clear();
  ready_.shrink_to_fit();
  closed_ = true;
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<BaseSelector> make_selector(const std::string& kind) {
  if (kind == "epoll") return std::make_unique<EpollSelector>();
  if (kind == "poll") return std::make_unique<PollSelector>();
  if (kind == "select") return std::make_unique<SelectSelector>();
  throw ValueError("unknown selector kind: " + kind);
}

}  // namespace asyncio::selectors
