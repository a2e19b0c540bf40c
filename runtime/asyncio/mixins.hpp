// mixins.hpp: LoopBoundMixin, how locks and queues find their loop.
// Mirrors Lib/asyncio/mixins.py (_LoopBoundMixin._get_loop): a primitive binds to the running
// loop the first time it has to wait, and refuses any other loop afterwards.
// Owns nothing but that binding. Course: docs/09-composing-tasks.md
#pragma once

#include <string>

#include "asyncio/base_events.hpp"
#include "asyncio/exceptions.hpp"

namespace asyncio {

class LoopBoundMixin {
 protected:
  // The running loop, bound on first use; RuntimeError('<repr> is bound to a different event
  // loop') when another loop runs it later, RuntimeError('no running event loop') without one.
  template <class Self>
  BaseEventLoop& get_loop_(const Self& self) {
    BaseEventLoop& loop = get_running_loop();
    if (!loop_) loop_ = InnerRef<BaseEventLoop>(&loop);
    if (loop_.get() != &loop) throw RuntimeError(self.repr() + " is bound to a different event loop");
    return loop;
  }

 private:
  InnerRef<BaseEventLoop> loop_;  // a primitive keeps the memory, not the use
};

// Python's default object repr, `<asyncio.locks.Lock object at 0x7f...>`, minus the brackets.
std::string object_repr_(const char* qualname, const void* self);

}  // namespace asyncio
