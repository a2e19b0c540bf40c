// runners.cpp: Runner's set-up and shutdown.
// Mirrors Lib/asyncio/runners.py (Runner._lazy_init, Runner.close, _cancel_all_tasks).
// Course: docs/06-tasks-on-fibers.md
#include "asyncio/runners.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>

#include "asyncio/asyncgen.hpp"
#include "asyncio/threads.hpp"

namespace asyncio {

namespace {

std::terminate_handler previous_terminate = nullptr;

void write_stderr(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// std::terminate runs this when an exception leaves main (or a thread's function, or a noexcept
// function); std::current_exception() is that exception.
[[noreturn]] void on_terminate() {
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const KeyboardInterrupt&) {
      std::fflush(nullptr);  // what the program printed first, as Python's finalization does
      write_stderr(exception_line(e) + "\n");
      ::signal(SIGINT, SIG_DFL);
      sigset_t sigint;
      sigemptyset(&sigint);
      sigaddset(&sigint, SIGINT);
      ::pthread_sigmask(SIG_UNBLOCK, &sigint, nullptr);
      ::kill(::getpid(), SIGINT);
      ::_exit(128 + SIGINT);  // only if SIGINT could not end the process, as Python does
    } catch (const SystemExit& exit) {
      std::fflush(nullptr);
      if (exit.message().empty() && !exit.has_args()) ::_exit(0);
      write_stderr(exit.message() + "\n");
      ::_exit(1);
    } catch (...) {
    }
  }
  if (previous_terminate) previous_terminate();
  std::abort();
}

}  // namespace

void install_exit_handler() {
  static std::once_flag once;
  std::call_once(once, [] { previous_terminate = std::set_terminate(on_terminate); });
}

Runner::Runner(bool debug, std::string selector_kind) : debug_(debug), selector_kind_(std::move(selector_kind)) {
  install_exit_handler();
}

Runner::Runner(RunOptions options)
    : debug_(options.debug), selector_kind_("epoll"), loop_factory_(std::move(options.loop_factory)) {
  install_exit_handler();
}

Runner::~Runner() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; close() reports through the loop's exception handler.
  }
}

void Runner::check_can_run_() const {
  if (closed_) throw RuntimeError("Runner is closed");
  if (get_running_loop_or_null() != nullptr)
    throw RuntimeError("Runner.run() cannot be called from a running event loop");
}

void Runner::lazy_init_() {
  if (loop_) return;
  if (loop_factory_) {
    loop_ = loop_factory_();
    if (!loop_) throw TypeError("Runner's loop_factory returned no loop");
  } else {
    loop_ = new_event_loop(selector_kind_);
    set_event_loop(loop_);
    set_event_loop_ = true;
  }
  if (debug_) loop_->set_debug(*debug_);
}

bool Runner::install_sigint_(Ref<FutureCore> main_task) {
  interrupt_count_ = 0;
  if (::getpid() != static_cast<pid_t>(::syscall(SYS_gettid))) return false;  // not the main thread
  struct sigaction current{};
  if (::sigaction(SIGINT, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) return false;
  loop_->add_signal_handler(SIGINT, [this, main_task] {
    ++interrupt_count_;
    if (interrupt_count_ == 1 && !main_task->done()) {
      main_task->cancel();
      return;
    }
    throw KeyboardInterrupt();  // Handle::run_ lets it through, as CPython's Handle._run does
  });
  return true;
}

void Runner::remove_sigint_() noexcept {
  try {
    if (loop_ && !loop_->is_closed()) loop_->remove_signal_handler(SIGINT);
  } catch (...) {
  }
}

BaseEventLoop& Runner::get_loop() {
  if (closed_) throw RuntimeError("Runner is closed");
  lazy_init_();
  return *loop_;
}

void Runner::close() {
  if (closed_) return;
  closed_ = true;
  if (!loop_) return;
  struct Finally {
    Runner* r;
    ~Finally() {
      if (r->set_event_loop_) set_event_loop(nullptr);
      r->loop_->close();
      r->main_task_.reset();
      r->loop_.reset();
    }
  } finally{this};
  cancel_all_tasks_();
  // loop.shutdown_asyncgens() and loop.shutdown_default_executor() run as two tasks in CPython;
  // with no async generators and no executor they finish at once, but they still take their
  // Task-N numbers and their passes, which a faithful port keeps.
  loop_->run_until_complete([loop = loop_.get()] { shutdown_asyncgens(*loop); });
  loop_->run_until_complete([loop = loop_.get()] { loop->shutdown_default_executor(); });
}

// Cancel every pending task, then wait for all of them (gather(..., return_exceptions=True));
// report any that ended with an exception other than cancellation.
void Runner::cancel_all_tasks_() {
  std::vector<Ref<TaskCore>> to_cancel = all_tasks(*loop_);
  if (to_cancel.empty()) return;
  for (auto& task : to_cancel) task->cancel();
  // tasks.gather(*to_cancel, return_exceptions=True): its description, its done callbacks'
  // names and its result list are CPython's.
  std::vector<Future<void>> children;
  children.reserve(to_cancel.size());
  for (auto& task : to_cancel) children.emplace_back(Ref<FutureCore>(task));
  loop_->run_until_complete(detail::gather_vector<true>(std::move(children)));
  for (auto& task : to_cancel) {
    if (task->cancelled()) continue;
    if (std::exception_ptr exc = task->exception()) {
      ExceptionContext context;
      context.message = "unhandled exception during asyncio.run() shutdown";
      context.exception = exc;
      context.task = task;
      loop_->call_exception_handler(context);
    }
  }
}

}  // namespace asyncio
