// base_events.hpp: BaseEventLoop, the loop itself: the ready queue, the timer heap and
// run_once(), the four steps of one pass.
// Mirrors Lib/asyncio/base_events.py (BaseEventLoop, _run_once, call_soon/call_at, run_forever,
// run_until_complete, the exception handler API, debug mode). Owns every queued callback until
// it runs; does no I/O itself beyond asking its selector to wait.
// Course: docs/03-the-loop.md, docs/04-handles-and-timers.md
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <netdb.h>
#include <sys/socket.h>

#include "asyncio/events.hpp"
#include "asyncio/selectors.hpp"
#include "asyncio/socket.hpp"
#include "asyncio/trace.hpp"

namespace asyncio {

template <class T>
class Future;
template <class T>
class Task;
template <class T>
class Coro;  // coroutines.hpp
struct TaskOptions;
struct Address;
class Socket;
class Transport;
class BaseProtocol;
class Server;
class ThreadPoolExecutor;
struct AddrInfo;
// What create_connection and create_server call to make each connection's protocol.
using ProtocolFactory = std::function<std::shared_ptr<BaseProtocol>()>;

// create_server's keyword arguments (base_events.py BaseEventLoop.create_server), in CPython's
// order and with its defaults, written with designated initialisers:
//   loop.create_server(factory, "127.0.0.1", 8888, {.backlog = 10, .reuse_port = true});
struct ServerOptions {
  int family = AF_UNSPEC;   // passed to getaddrinfo with the host
  int flags = AI_PASSIVE;   // passed to getaddrinfo with the host
  // A bound stream socket to serve on instead of host/port (which must then be unset). The
  // server owns it from here on, also when create_server refuses it.
  Socket sock{};
  int backlog = 100;        // listen()'s backlog, and the most accepts per readiness event
  // TLS is not part of asyncio-cpp: true raises NotImplementedError (terminate TLS in front).
  bool ssl = false;
  std::optional<bool> reuse_address{};  // SO_REUSEADDR; unset: true, as on every POSIX system
  bool reuse_port = false;            // SO_REUSEPORT: several servers share one port
  std::optional<double> ssl_handshake_timeout{};  // only meaningful with ssl
  std::optional<double> ssl_shutdown_timeout{};   // only meaningful with ssl
  bool start_serving = true;  // false: nothing is accepted until Server::start_serving()
};

// Constants of base_events.py.
inline constexpr std::size_t MIN_SCHEDULED_TIMER_HANDLES = 100;
inline constexpr double MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5;
inline constexpr double MAXIMUM_SELECT_TIMEOUT = 24 * 3600;

// Where the logger's lines go (CPython's `asyncio` logger). Default: stderr, warnings and up.
enum class LogLevel { debug, info, warning, error };
using LogSink = std::function<void(LogLevel, const std::string&)>;
void set_log_sink(LogSink sink);
void log(LogLevel level, const std::string& message);
// One record as logging.LogRecord carries it: the level, the message template (msg) and its
// arguments (args, each already printed as %s would print it), the exception (exc_info) and the
// formatted text (getMessage(), what the text sink above prints). A record sink sees every
// record; the text sink still prints the text, so the default output is unchanged.
struct LogRecord {
  LogLevel level = LogLevel::info;
  std::string msg;
  std::vector<std::string> args;
  std::exception_ptr exc_info;
  std::string message;
};
using LogRecordSink = std::function<void(const LogRecord&)>;
void set_log_record_sink(LogRecordSink sink);  // nullptr: no record sink
void log(const LogRecord& record);

namespace detail {
// Set by the C signal handler after it writes a signal number into the self-pipe, cleared by the
// loop that reads it: until then no loop skips a zero-timeout poll (BaseEventLoop::select_).
extern std::atomic<bool> signal_bytes_pending;

// The ready queue (CPython's self._ready, a collections.deque): handles in the order they were
// queued, each holding one reference. A ring of a power-of-two capacity, its positions counted up
// and masked, so that size() is one subtraction (std::deque's is ~20 instructions, asked every
// pass). It grows by doubling; once drained (step 4 takes the last handle) a ring grown past kKeep
// slots goes back to kFirst, so a burst does not hold its memory.
class ReadyQueue {
 public:
  ReadyQueue() {
    if (!first_ring_()) throw std::bad_alloc();
  }
  ReadyQueue(const ReadyQueue&) = delete;
  ReadyQueue& operator=(const ReadyQueue&) = delete;
  ~ReadyQueue() { std::free(slots_); }
  bool empty() const noexcept { return head_ == tail_; }
  std::size_t size() const noexcept { return tail_ - head_; }
  std::size_t capacity() const noexcept { return mask_ + 1; }
  Handle* front() const noexcept { return slots_[head_ & mask_]; }
  void pop_front() noexcept { ++head_; }
  void push_back(Handle* h) {
    if (size() > mask_) [[unlikely]] grow_();  // full: size() == mask_ + 1
    slots_[tail_++ & mask_] = h;
  }
  // Empty, a ring grown past kKeep slots goes back to kFirst (or, with no memory for that, stays).
  // The capacity is tested first: rarely large.
  void trim() noexcept {
    if (mask_ >= kKeep && empty()) [[unlikely]] first_ring_();
  }
  void swap(ReadyQueue& other) noexcept;
  // Calls f(handle) for each, oldest first.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = head_; i != tail_; ++i) f(slots_[i & mask_]);
  }

 private:
  static constexpr std::size_t kFirst = 64;
  static constexpr std::size_t kKeep = 4096;
  // Empty: a fresh ring of kFirst slots in place of the one held (if any). False, and nothing
  // changed, when there is no memory for it.
  [[gnu::cold]] bool first_ring_() noexcept;
  void grow_();
  Handle** slots_ = nullptr;
  std::size_t mask_ = 0;  // capacity - 1
  std::size_t head_ = 0;  // positions count up for ever; a slot is position & mask_
  std::size_t tail_ = 0;
};
}  // namespace detail

class BaseEventLoop : public AbstractEventLoop {
 public:
  explicit BaseEventLoop(std::unique_ptr<selectors::BaseSelector> selector);
  ~BaseEventLoop() override;
  BaseEventLoop(const BaseEventLoop&) = delete;
  BaseEventLoop& operator=(const BaseEventLoop&) = delete;

  // Running and stopping the event loop.
  void run_forever() final;
  // Runs until the future is done and returns its result (or raises its exception).
  // Defined in futures.hpp; the callable overload (which wraps it in a task) in tasks.hpp.
  template <class T>
  T run_until_complete(Future<T> future);
  template <class F>
    requires std::is_invocable_v<F>
  auto run_until_complete(F&& main);
  void stop() final;
  bool is_running() const final { return running_; }
  bool is_closed() const final { return closed_; }
  void close() override;

  // Methods scheduling callbacks. All these return Handles.
  HandleRef call_soon(Callback callback, const char* name = nullptr) final;
  TimerHandleRef call_later(double delay, Callback callback, const char* name = nullptr) final;
  TimerHandleRef call_at(double when, Callback callback, const char* name = nullptr) final;
  // The loop's clock: CLOCK_MONOTONIC in seconds, like time.monotonic(); or the virtual clock.
  double time() const final;
  HandleRef call_soon_threadsafe(Callback callback, const char* name = nullptr) final;
  // The same four with arguments, as CPython's call_soon(callback, *args): the callable comes
  // wrapped in named() (events.hpp) and its arguments are kept in the handle for its repr,
  // `bad_callback('k1')`. Defined in futures.hpp.
  template <class F, class... Args>
  HandleRef call_soon(Named<F> callback, Args&&... args);
  template <class F, class... Args>
  TimerHandleRef call_later(double delay, Named<F> callback, Args&&... args);
  template <class F, class... Args>
  TimerHandleRef call_at(double when, Named<F> callback, Args&&... args);
  template <class F, class... Args>
  HandleRef call_soon_threadsafe(Named<F> callback, Args&&... args);
  // The same for callers on other threads that drop the handle at once (workers, signal
  // relays): a HandleRef released off the loop's thread would race on its plain count.
  void call_soon_threadsafe_noref_(Callback callback, const char* name = nullptr);

  // Futures and tasks (defined in futures.hpp and tasks.hpp).
  template <class T = void>
  Future<T> create_future();
  template <class F, class... Args>
    requires(!std::is_same_v<std::decay_t<F>, TaskOptions>)
  auto create_task(F&& fn, Args&&... args);
  template <class F, class... Args>
  auto create_task(TaskOptions options, F&& fn, Args&&... args);

  // Executor methods (base_events.py; defined in threads.hpp / threads.cpp). run_in_executor
  // runs fn(args...) on `executor` (nullptr: the default thread pool, as CPython's None) and
  // returns an asyncio Future for its result, completed in a later pass.
  template <class F, class... Args>
  auto run_in_executor(std::shared_ptr<ThreadPoolExecutor> executor, F&& fn, Args&&... args);
  void set_default_executor(std::shared_ptr<ThreadPoolExecutor> executor);
  // A coroutine: call it inside a task (Runner::close does).
  void shutdown_default_executor(source_location where = source_location::current());
  // The default executor, created on first use (RuntimeError after shutdown_default_executor).
  ThreadPoolExecutor& get_default_executor_();

  // Network I/O methods. CPython declares them on BaseEventLoop and the selector loop
  // implements them: the defaults here raise NotImplementedError (selector_events.cpp). Each
  // is a coroutine: call it inside a task. create_connection/create_server in streams.hpp and
  // transports.hpp have typed wrappers.
  // `where` (defaulted: the caller's line) is where a traced task shows waiting; an override
  // repeats the same default, since a virtual call takes the default of the static type.
  virtual std::string sock_recv(int fd, std::size_t n, source_location where = source_location::current());
  virtual std::size_t sock_recv_into(int fd, char* buf, std::size_t n, source_location where = source_location::current());
  virtual void sock_sendall(int fd, std::string_view data, source_location where = source_location::current());
  virtual void sock_connect(int fd, const Address& address, source_location where = source_location::current());
  virtual std::pair<Socket, Address> sock_accept(int fd, source_location where = source_location::current());
  virtual std::pair<Ref<Transport>, std::shared_ptr<BaseProtocol>> create_connection(
      ProtocolFactory protocol_factory, const std::string& host, int port, source_location where = source_location::current());
  // create_server: host and port unset (or host "") bind every interface; with options.sock
  // neither may be set.
  virtual Ref<Server> create_server(ProtocolFactory protocol_factory, std::optional<std::string> host = std::nullopt,
                                    std::optional<int> port = std::nullopt, ServerOptions options = {},
                                    source_location where = source_location::current());

  // socket.getaddrinfo run in the default executor; a numeric host skips it (base_events.py
  // _ensure_resolved / _ipaddr_info). Raises gaierror.
  std::vector<AddrInfo> getaddrinfo(const std::string& host, int port, int family = 0, int type = 0,
                                    int proto = 0, int flags = 0, source_location where = source_location::current());

  // [coro] The coroutine forms of the network calls above, for a coroutine task's body
  // (`co_await loop.sock_recv_async(fd, n)`): the same rules, errors and trace lines; each
  // shares its non-suspending steps with the fiber form (selector_events.cpp). The fiber forms
  // called in a coroutine task are a RuntimeError naming these. Arguments are copied into the
  // coroutine's frame (sock_sendall_async's data too), so a temporary may be passed.
  virtual Coro<std::string> sock_recv_async(int fd, std::size_t n);
  virtual Coro<void> sock_sendall_async(int fd, std::string data);
  virtual Coro<void> sock_connect_async(int fd, Address address);
  virtual Coro<std::pair<Socket, Address>> sock_accept_async(int fd);
  virtual Coro<std::pair<Ref<Transport>, std::shared_ptr<BaseProtocol>>> create_connection_async(
      ProtocolFactory protocol_factory, std::string host, int port);
  virtual Coro<Ref<Server>> create_server_async(ProtocolFactory protocol_factory,
                                                std::optional<std::string> host = std::nullopt,
                                                std::optional<int> port = std::nullopt, ServerOptions options = {});
  Coro<std::vector<AddrInfo>> getaddrinfo_async(std::string host, int port, int family = 0, int type = 0,
                                                int proto = 0, int flags = 0);

  // Signals (unix_events.py): callback runs in a later pass after signal `sig` arrives.
  virtual void add_signal_handler(int sig, Callback callback);
  virtual bool remove_signal_handler(int sig);

  // Error handlers.
  void set_exception_handler(ExceptionHandler handler) final;
  const ExceptionHandler& get_exception_handler() const final { return exception_handler_; }
  void default_exception_handler(const ExceptionContext& context) final;
  void call_exception_handler(const ExceptionContext& context) final;

  // Debug flag management.
  bool get_debug() const final { return debug_; }
  void set_debug(bool enabled) final { debug_ = enabled; }
  // Debug mode logs a warning for any callback that runs at least this long (seconds).
  double slow_callback_duration = 0.1;

  // One pass of the loop: the four steps of BaseEventLoop._run_once. Virtual so that a loop
  // subclass can extend the pass as CPython programs override _run_once: override it and call
  // the base's run_once() inside (twin runner_options).
  virtual void run_once();

  // The virtual clock (for traces that come out the same every run): time() starts at `start`
  // and only moves when step 2 would wait for a timer, jumping straight to its deadline
  // (the selector is polled instead of waited on). Waiting with no timer still blocks for
  // real. Also turned on by the environment: ASYNCIO_CLOCK=virtual.
  void use_virtual_clock(double start = 0.0) noexcept {
    virtual_clock_ = true;
    virtual_now_ = start;
  }
  bool virtual_clock() const noexcept { return virtual_clock_; }
  // The resolution of the loop's clock (CPython's loop._clock_resolution): step 3 moves a timer
  // only when its deadline is strictly before time() + this.
  double clock_resolution() const noexcept { return clock_resolution_; }

  // Tracing: attach an observer (nullptr detaches). See trace.hpp.
  void set_observer(Observer* observer) noexcept { tracer_.attach(observer); }
  Tracer& tracer() noexcept { return tracer_; }
  // The selector the loop waits on ("epoll", "poll", "select").
  selectors::BaseSelector& selector() noexcept { return *selector_; }

  // Introspection for tests, traces and the course: sizes of the queues, pass count.
  std::size_t ready_count() const noexcept { return ready_.size(); }
  // Slots the ready queue's ring holds now (a burst's ring goes back once drained).
  std::size_t ready_capacity() const noexcept { return ready_.capacity(); }
  std::size_t scheduled_count() const noexcept { return scheduled_.size(); }
  std::size_t timer_cancelled_count() const noexcept { return timer_cancelled_count_; }
  std::size_t pass_count() const noexcept { return pass_count_; }
  // Zero-timeout polls a built-in selector was spared (see select_); a user's selector is never.
  std::size_t polls_skipped() const noexcept { return polls_skipped_; }
  // The deadlines of the heap in heap (array) order, for twin tests of heapq order.
  std::vector<double> scheduled_whens() const;

  // Counted like the runtime's other objects, in two kinds (docs/architecture.md, "Who owns
  // what"). A Ref is a *use*: the program's own (new_event_loop's result, a Runner,
  // set_event_loop, run_forever while it runs). An InnerRef is the runtime's own link (a
  // future's or task's loop, a transport's, a server's, a lock's): it keeps the memory, not the
  // use. When the last use goes and only inner references are left, the program has dropped
  // the loop: unclosed, it warns "unclosed event loop" and closes itself (dropped_()), unless a
  // pending task's handle is still held outside every task's stack (then when that goes).
  void incref_() noexcept { ++refs_; }
  void decref_() noexcept {
    if (--refs_ == 0) {
      delete this;
    } else if (refs_ == inner_refs_) [[unlikely]] {
      dropped_();
    }
  }
  void incref_inner_() noexcept {
    ++refs_;
    ++inner_refs_;
  }
  void decref_inner_() noexcept {
    --inner_refs_;
    if (--refs_ == 0) delete this;
  }
  // How many references are uses (the program's).
  long uses_() const noexcept { return refs_ - inner_refs_; }
  // The program holds no use: if the loop is neither closed nor running and no pending task is
  // held by a handle off every task's stack, warn and close. A handle going re-checks.
  void dropped_() noexcept;
  bool drop_deferred_() const noexcept { return drop_deferred_flag_; }

  // Task bookkeeping (tasks.cpp): the task whose step is running, and every live task.
  TaskCore* current_task_ = nullptr;
  TaskCore* all_tasks_head_ = nullptr;  // all_tasks(): a list in creation order
  TaskCore* all_tasks_tail_ = nullptr;

  // [graph] Stuck detection (check_stuck_): jobs on other threads that will call back into this
  // loop (run_in_executor's futures, shutdown_default_executor's thread), and whether any other
  // thread ever called call_soon_threadsafe or run_coroutine_threadsafe on it.
  std::atomic<long> outside_jobs_{0};
  std::atomic<bool> foreign_thread_seen_{false};

  // Called by TimerHandle::cancel while the handle is in the heap.
  void timer_handle_cancelled_(TimerHandle& handle) noexcept;
  // Queue a handle that already exists (task steps reuse the handle embedded in their task).
  // The caller reports it to the tracer (handle_scheduled) with how it came.
  void call_soon_handle_(Handle* handle) {  // inline: every task step and done callback
    if (closed_) [[unlikely]] check_closed_();
    handle->incref_();
    ready_.push_back(handle);
  }
  void check_closed_() const;

 protected:
  // Step 2's second half: queue the handles of the fds the selector returned.
  virtual void process_events_(const std::vector<selectors::ReadyEvent>& events) = 0;
  // Wake a loop blocked in select from another thread (the self-pipe).
  virtual void write_to_self_() = 0;
  // [graph] A signal handler a program added (not the runner's SIGINT): it may wake the loop.
  virtual bool has_signal_wakers_() const { return false; }
  // The "unclosed event loop <...>" ResourceWarning of BaseEventLoop.__del__ (the selector
  // loop's repr); nothing here.
  virtual void warn_unclosed_() {}

  std::unique_ptr<selectors::BaseSelector> selector_;
  // Registrations that alone cannot make a zero-timeout poll find anything the loop needs now:
  // the self-pipe while nothing was written to it (see select_).
  std::size_t quiet_registrations_ = 0;
  // The selector is exactly one of the three built-in classes: only then may select_ skip a
  // zero-timeout poll. A user's subclass or wrapper sees every select() CPython makes.
  bool builtin_selector_ = false;
  std::size_t polls_skipped_ = 0;
  // Set by write_to_self_ after each write: the next zero-timeout poll must really run, to drain
  // the pipe.
  std::atomic<bool> self_pipe_written_{false};
  std::shared_ptr<ThreadPoolExecutor> default_executor_;  // created on first use
  bool executor_shutdown_called_ = false;

 private:
  void check_running_() const;
  void run_until_complete_(FutureCore& future);
  void drop_cancelled_timers_();                       // step 1
  [[gnu::always_inline]] inline std::optional<double> select_timeout_(TimeoutReason& reason) const;  // step 2
  void move_due_timers_();                             // step 3
  // run_once(), traced or not; inline in its two callers, run_once and run_forever.
  template <bool Traced>
  [[gnu::always_inline]] inline void run_pass_();
  template <bool Traced, class F>
  void pass_hook_(F&& f);
  template <bool Traced>
  [[gnu::always_inline]] inline std::size_t run_ready_();  // step 4, inline in the pass
  void run_handle_(Handle& handle);
  void run_handle_debug_(Handle& handle);
  void take_threadsafe_();
  TimerHandleRef call_at_(double when, Callback callback, const char* name);  // no trace event
  std::vector<selectors::ReadyEvent> select_(std::optional<double> timeout, TimeoutReason reason);
  std::vector<selectors::ReadyEvent> poll_(std::optional<double> timeout, TimeoutReason reason);
  void heap_push_(TimerHandle* handle);
  TimerHandle* heap_pop_();
  void heapify_();
  void sift_down_(std::size_t start, std::size_t pos);
  void sift_up_(std::size_t pos);
  void clear_queues_() noexcept;
  void reap_pending_tasks_() noexcept;
  // [graph] Step 2 is about to block with no timeout: if nothing can ever wake the loop while
  // tasks are pending, tell the observer (and in debug mode log the report once).
  void check_stuck_(std::size_t pass);
  bool stuck_reported_ = false;

  detail::ReadyQueue ready_;            // each holds one reference
  // A timer in the heap with its deadline copied beside it, so that sifting compares
  // deadlines in the array and touches no handle (the handle's cache line is a miss apiece).
  struct ScheduledTimer {
    double when;
    TimerHandle* handle;
  };
  std::vector<ScheduledTimer> scheduled_;  // a binary min-heap by when(), as heapq keeps it
  std::size_t timer_cancelled_count_ = 0;
  bool stopping_ = false;
  bool closed_ = false;
  bool running_ = false;
  bool debug_ = false;
  bool virtual_clock_ = false;
  double virtual_now_ = 0.0;
  double clock_resolution_;
  std::size_t pass_count_ = 0;
  ExceptionHandler exception_handler_;
  Tracer tracer_;
  long refs_ = 0;
  long inner_refs_ = 0;
  bool drop_deferred_flag_ = false;  // dropped while a pending task's handle was still held
  bool dropping_ = false;


  std::mutex threadsafe_mutex_;
  std::vector<Handle*> threadsafe_;  // handles from other threads, taken in step 2
  std::atomic<bool> threadsafe_pending_{false};

  friend class Handle;
};

}  // namespace asyncio
