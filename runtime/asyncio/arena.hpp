// arena.hpp: the per-thread block arena that handles, tasks and done callbacks come from.
// No CPython counterpart as a module: it plays the part of CPython's object freelists and
// pymalloc arenas. Owns small-block allocation for the loop's hot objects.
// Course: docs/performance.md (why a page fault costs more than the object)
#pragma once

#include <cstddef>

namespace asyncio::detail {

// Blocks in 16-byte size classes up to 1 KiB, carved from 2 MiB chunks (transparent huge pages
// from the second chunk on) and kept on a free list per class once freed; larger sizes go to
// the heap. A block freed on another thread joins that thread's list: blocks are
// interchangeable. Chunks are never unmapped, so memory stays at the program's peak.
// Under AddressSanitizer both go straight to the heap: ASan must see each object's real free to
// catch a use after it.
void* arena_allocate(std::size_t size);
void arena_free(void* p, std::size_t size) noexcept;

}  // namespace asyncio::detail
