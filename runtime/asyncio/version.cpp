// version.cpp: asyncio::version(), the library's version as it was built (version.hpp.in).
// C++ only: CPython has no asyncio version of its own.
// Course: README.md ("Using it from your own project")
#include "asyncio/version.hpp"

namespace asyncio {

const char* version() noexcept { return ASYNCIO_VERSION; }

}  // namespace asyncio
