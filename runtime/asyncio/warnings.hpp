// warnings.hpp: the few Python warnings the runtime emits (ResourceWarning: "unclosed
// transport", "unclosed event loop", ignored by default as in Python; RuntimeWarning: "coroutine
// '...' was never awaited", shown by default as in Python).
// Mirrors Lib/warnings.py (warn, simplefilter) for the runtime's own warnings; include it
// by name (asyncio.hpp does not). Course: docs/architecture.md ("Who owns what")
#pragma once

#include <functional>
#include <string>

namespace asyncio::warnings {

// warnings.simplefilter(action) for every category the runtime emits: "ignore" (Python's
// default for ResourceWarning), "default" / "always" (report each). Any other action leaves
// RuntimeWarning shown, as Python's default filters do. The environment variable
// PYTHONWARNINGS=default (as `python3 -W default` sets) turns reporting on at start-up.
void simplefilter(const std::string& action);
// warnings.filterwarnings(action, category=...): the same for one category ("ResourceWarning",
// "RuntimeWarning"). enabled(category): whether warnings of that category are reported.
void filterwarnings(const std::string& action, const std::string& category);
bool enabled() noexcept;
bool enabled(const std::string& category) noexcept;

// Where reported warnings go: (category, message). Default: stderr, as Python's
// showwarning prints the last two parts: "ResourceWarning: unclosed transport <...>".
using Sink = std::function<void(const std::string& category, const std::string& message)>;
void set_sink(Sink sink);

// warnings.warn(message, category): reported through the sink unless filtered out. Never
// throws (called from destructors).
void warn(const std::string& message, const std::string& category = "ResourceWarning") noexcept;

}  // namespace asyncio::warnings
