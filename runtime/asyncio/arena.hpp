// arena.hpp: the per-thread block arena that handles, tasks and done callbacks come from.
// No CPython counterpart as a module: it plays the part of CPython's object freelists and
// pymalloc arenas. Owns small-block allocation for the loop's hot objects.
// Course: docs/performance.md (why a page fault costs more than the object)
#pragma once

#include <cstddef>
#include <new>

namespace asyncio::detail {

// Blocks in 16-byte size classes up to 1 KiB, carved from 2 MiB chunks (transparent huge pages
// from the second chunk on) and kept on a free list per class once freed; larger sizes go to
// the heap. A block freed on another thread joins that thread's list: blocks are
// interchangeable. Chunks are never unmapped, so memory stays at the program's peak.
// Under AddressSanitizer both go straight to the heap: ASan must see each object's real free to
// catch a use after it.
// arena_allocate and arena_free (below) are inline: a block taken from or given back to its free
// list is a few instructions, and every future, task and handle makes the trip (future_pingpong:
// four a round trip). Carving a new block and growing the arena are out of line (arena.cpp).

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool arena_enabled = false;
#else
inline constexpr bool arena_enabled = true;
#endif
inline constexpr std::size_t arena_granule = 16;
inline constexpr std::size_t arena_classes = 64;

struct BlockArena {
  struct Node {
    Node* next;
  };
  Node* heads[arena_classes] = {};
  char* cur = nullptr;
  char* end = nullptr;
  std::size_t chunks = 0;
};
// Trivially constructed and destroyed: no guard or wrapper call on each use, usable until the
// thread ends.
extern thread_local constinit BlockArena block_arena;

// The free list was empty: a new block from the current chunk (or a new chunk), or the heap.
void* arena_carve_(std::size_t size);

inline void* arena_allocate(std::size_t size) {
  if (arena_enabled && size - 1 < arena_granule * arena_classes) {  // 0 wraps: not a class
    BlockArena& a = block_arena;
    const std::size_t c = (size - 1) / arena_granule;
    if (BlockArena::Node* n = a.heads[c]) [[likely]] {
      a.heads[c] = n->next;
      return n;
    }
  }
  return arena_carve_(size);
}

inline void arena_free(void* p, std::size_t size) noexcept {
  if (arena_enabled && size - 1 < arena_granule * arena_classes) {
    BlockArena& a = block_arena;
    const std::size_t c = (size - 1) / arena_granule;
    auto* n = static_cast<BlockArena::Node*>(p);
    n->next = a.heads[c];
    a.heads[c] = n;
    return;
  }
  ::operator delete(p);
}

}  // namespace asyncio::detail
