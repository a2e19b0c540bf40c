// asyncio.hpp: the whole runtime in one include.
// Mirrors Lib/asyncio/__init__.py, which re-exports every module's public names.
// Course: README.md
#pragma once

#include "asyncio/asyncgen.hpp"
#include "asyncio/base_events.hpp"
#include "asyncio/concurrent.hpp"
#include "asyncio/events.hpp"
#include "asyncio/exceptions.hpp"
#include "asyncio/fibers.hpp"
#include "asyncio/futures.hpp"
#include "asyncio/graph.hpp"
#include "asyncio/locks.hpp"
#include "asyncio/mixins.hpp"
#include "asyncio/protocols.hpp"
#include "asyncio/queues.hpp"
#include "asyncio/runners.hpp"
#include "asyncio/selector_events.hpp"
#include "asyncio/selectors.hpp"
#include "asyncio/socket.hpp"
#include "asyncio/streams.hpp"
#include "asyncio/taskgroups.hpp"
#include "asyncio/tasks.hpp"
#include "asyncio/threads.hpp"
#include "asyncio/timeouts.hpp"
#include "asyncio/trace.hpp"
#include "asyncio/transports.hpp"
#include "asyncio/version.hpp"
