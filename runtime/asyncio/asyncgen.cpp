// asyncgen.cpp: async generators on their own fibers, and the loop's hooks for them.
// Mirrors Objects/genobject.c (async_gen_anext, async_gen_aclose, the athrow checks) and
// base_events.py (_asyncgen_firstiter_hook, _asyncgen_finalizer_hook, shutdown_asyncgens).
// Course: docs/06-tasks-on-fibers.md
#include "asyncio/asyncgen.hpp"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <vector>

#include "asyncio/futures.hpp"
#include "asyncio/tasks.hpp"

namespace asyncio {

namespace detail {
// Defined in tasks.cpp, whose await path reads it on every suspension (a plain TLS load there).
extern thread_local AsyncGeneratorCore* running_generator;
}  // namespace detail
using detail::running_generator;

// base_events.py keeps a WeakSet of the generators first iterated under each loop; here a list
// per loop, in first-iteration order (a WeakSet's order is unspecified).
struct AsyncGeneratorRegistry {
  static std::unordered_map<const BaseEventLoop*, std::vector<AsyncGeneratorCore*>>& all() {
    thread_local std::unordered_map<const BaseEventLoop*, std::vector<AsyncGeneratorCore*>> registry;
    return registry;
  }
  static void add(AsyncGeneratorCore* gen) { all()[gen->loop_.get()].push_back(gen); }
  static void discard(AsyncGeneratorCore* gen) noexcept {
    if (!gen->loop_) return;
    auto it = all().find(gen->loop_.get());
    if (it == all().end()) return;
    auto& gens = it->second;
    gens.erase(std::remove(gens.begin(), gens.end(), gen), gens.end());
    if (gens.empty()) all().erase(it);
  }
};

AsyncGeneratorCore::~AsyncGeneratorCore() = default;

AsyncGeneratorCore* AsyncGeneratorCore::running_() noexcept { return running_generator; }

std::string AsyncGeneratorCore::repr() const { return std::string("<async_generator object ") + name_ + ">"; }

void AsyncGeneratorCore::entry_(void* self) { static_cast<AsyncGeneratorCore*>(self)->run_body_(); }

// sys.set_asyncgen_hooks(firstiter=loop._asyncgen_firstiter_hook): the loop running now keeps
// the generator until it finishes, so shutdown_asyncgens() can close it.
void AsyncGeneratorCore::first_iteration_() {
  fiber_.start(&AsyncGeneratorCore::entry_, this, 0, name_);
  if (BaseEventLoop* loop = get_running_loop_or_null()) {
    loop_ = InnerRef<BaseEventLoop>(loop);
    AsyncGeneratorRegistry::add(this);
  }
}

bool AsyncGeneratorCore::advance_() {
  if (state_ == State::running) throw RuntimeError("anext(): asynchronous generator is already running");
  if (state_ == State::finished) return false;
  if (state_ == State::created) first_iteration_();
  Ref<AsyncGeneratorCore> keep(this);  // whoever holds the handle may drop it while the body awaits
  return drive_(nullptr);
}

void AsyncGeneratorCore::aclose() {
  if (state_ == State::running) throw RuntimeError("aclose(): asynchronous generator is already running");
  if (state_ == State::created) {
    state_ = State::finished;  // never started: nothing runs, later anext() ends at once
    return;
  }
  if (state_ == State::finished) return;
  Ref<AsyncGeneratorCore> keep(this);
  std::exception_ptr error;
  bool yielded = false;
  try {
    yielded = drive_(std::make_exception_ptr(GeneratorExit()));
  } catch (const GeneratorExit&) {
  } catch (const StopAsyncIteration&) {
  } catch (...) {
    error = std::current_exception();
  }
  if (error) std::rethrow_exception(error);
  if (yielded) throw RuntimeError("async generator ignored GeneratorExit");
}

void AsyncGeneratorCore::resume_fiber_() {
  struct Running {
    AsyncGeneratorCore* outer;
    explicit Running(AsyncGeneratorCore* self) : outer(std::exchange(running_generator, self)) {}
    ~Running() { running_generator = outer; }
  } running(this);
  state_ = State::running;
  request_ = Request::none;
  fiber_.resume();
}

// The body runs until it yields or returns. Each await in it comes back here: this fiber (the
// driving task's, or an outer generator's) awaits the future instead, then resumes the body.
bool AsyncGeneratorCore::drive_(std::exception_ptr throw_in) {
  if (AsyncGeneratorCore* outer = running_generator) {
    driver_ = outer->driver_;
  } else {
    BaseEventLoop* loop = get_running_loop_or_null();
    driver_ = loop ? current_task(*loop).get() : nullptr;
  }
  throw_in_ = std::move(throw_in);
  for (;;) {
    resume_fiber_();
    if (fiber_.finished()) {
      state_ = State::finished;
      AsyncGeneratorRegistry::discard(this);
      if (std::exception_ptr error = fiber_.take_exception()) {
        // genobject.c: a StopAsyncIteration leaving the body is a bug in it, not the end.
        if (const std::type_info* type = error.__cxa_exception_type(); type && *type == typeid(StopAsyncIteration))
          throw with_cause(RuntimeError("async generator raised StopAsyncIteration"), error, error);
        std::rethrow_exception(error);
      }
      return false;
    }
    if (request_ == Request::yielded) {
      state_ = State::suspended;
      return true;
    }
    Ref<FutureCore> future(std::exchange(awaiting_, nullptr));
    std::exception_ptr raised;
    try {
      if (future) {
        await_core(*future, awaiting_where_);
      } else {
        sleep(0, awaiting_where_);
      }
    } catch (...) {
      raised = std::current_exception();
    }
    throw_in_ = std::move(raised);
  }
}

void AsyncGeneratorCore::yield_from_body_() {
  request_ = Request::yielded;
  fiber_.suspend();
  if (throw_in_) std::rethrow_exception(std::exchange(throw_in_, nullptr));
}

void AsyncGeneratorCore::await_from_body_(FutureCore* future, source_location where) {
  request_ = Request::awaiting;
  awaiting_ = future;
  awaiting_where_ = where;
  fiber_.suspend();
  if (throw_in_) std::rethrow_exception(std::exchange(throw_in_, nullptr));
}

// The last handle is gone. A generator suspended at a yield is closed as CPython's finalizer
// hook does: `loop.call_soon_threadsafe(loop.create_task, agen.aclose())`, so its cleanup runs
// in a task of its own two passes later. With no open loop, its fiber is unwound here instead
// (its destructors run; CPython would drop the frame without running its finally blocks).
void AsyncGeneratorCore::destroy_() noexcept {
  AsyncGeneratorRegistry::discard(this);
  if (state_ == State::suspended && !closing_ && loop_ && !loop_->is_closed()) {
    closing_ = true;
    ++refs_;  // ours while scheduling, so a failure below cannot free this object twice
    try {
      Ref<AsyncGeneratorCore> self(this);
      BaseEventLoop* loop = loop_.get();
      auto close = [loop, self] { loop->create_task([self] { self->aclose(); }); };
      // CPython's call_soon_threadsafe appends to _ready at once; this loop's threadsafe queue
      // joins the ready queue only at the next pass, so on the loop's own thread call_soon
      // keeps CPython's order.
      if (get_running_loop_or_null() == loop) {
        loop->call_soon(std::move(close), "BaseEventLoop.create_task");
      } else {
        loop->call_soon_threadsafe(std::move(close), "BaseEventLoop.create_task");
      }
    } catch (...) {
      // Could not schedule the close: unwind it now.
    }
    if (--refs_ > 0) return;  // the callback holds it: this object lives on
  }
  delete this;
}

void shutdown_asyncgens(BaseEventLoop& loop) {
  auto& all = AsyncGeneratorRegistry::all();
  auto it = all.find(&loop);
  if (it == all.end()) return;
  std::vector<Ref<AsyncGeneratorCore>> closing;
  for (AsyncGeneratorCore* gen : it->second) closing.emplace_back(gen);
  all.erase(it);
  for (auto& gen : closing) gen->loop_.reset();
  std::vector<std::function<void()>> acloses;
  for (auto& gen : closing) acloses.emplace_back([gen] { gen->aclose(); });
  auto results = await(gather(return_exceptions, acloses));
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto* error = std::get_if<std::exception_ptr>(&results[i]);
    if (!error || !is_exception_subclass(*error)) continue;
    ExceptionContext context;
    context.message = "an error occurred during closing of asynchronous generator " + closing[i]->repr();
    context.exception = *error;
    context.extra.emplace_back("asyncgen", closing[i]->repr());
    loop.call_exception_handler(context);
  }
}

}  // namespace asyncio
