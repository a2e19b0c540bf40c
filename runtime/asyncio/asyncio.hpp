// asyncio.hpp: the whole runtime in one include.
// Mirrors Lib/asyncio/__init__.py, which re-exports every module's public names.
// Course: README.md
#pragma once

#include "asyncio/base_events.hpp"
#include "asyncio/events.hpp"
#include "asyncio/exceptions.hpp"
#include "asyncio/fibers.hpp"
#include "asyncio/futures.hpp"
#include "asyncio/runners.hpp"
#include "asyncio/selector_events.hpp"
#include "asyncio/selectors.hpp"
#include "asyncio/tasks.hpp"
#include "asyncio/trace.hpp"
