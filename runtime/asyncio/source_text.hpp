// source_text.hpp: a source location in the words of the traces, "examples/02_superloop_async.cpp:49"
// (internal; trace.cpp writes it as `at`, graph.cpp's task table shows it). The file is as the build
// wrote it (-fmacro-prefix-map makes it relative to the project), minus a leading ./ or ../.
// Course: docs/trace.md ("Where a task waits")
#pragma once

#include <string>
#include <string_view>

#include "asyncio/trace.hpp"

namespace asyncio::detail {

// "" when the location is unknown (a suspension that recorded none).
inline std::string location_text(const source_location& where) {
  std::string_view file = where.file_name();
  if (file.empty()) return {};
  for (;;) {
    if (file.substr(0, 2) == "./") {
      file.remove_prefix(2);
    } else if (file.substr(0, 3) == "../") {
      file.remove_prefix(3);
    } else {
      break;
    }
  }
  return std::string(file) + ':' + std::to_string(where.line());
}

}  // namespace asyncio::detail
