// arena.cpp: the per-thread block arena (see arena.hpp).
// Plays the part of CPython's freelists and pymalloc arenas; no asyncio module mirrors it.
// Owns the 2 MiB chunks and the per-size free lists of each thread.
// Course: docs/performance.md
#include "asyncio/arena.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace asyncio {

thread_local constinit detail::BlockArena detail::block_arena;

namespace {

using detail::arena_classes;
using detail::arena_enabled;
using detail::arena_granule;
using detail::BlockArena;

// 16-byte size classes up to 1 KiB (arena.hpp): a handle is 80 bytes, a task a few hundred.
// Chunks are never unmapped, as CPython keeps its freed objects on freelists and in pymalloc's
// arenas.
constexpr std::size_t arena_chunk = std::size_t{2} << 20;

// A chunk aligned to 2 MiB, so that it can be backed by one huge page. The first chunk keeps
// small pages: a program with a few tasks and handles then touches only the pages it uses.
bool arena_grow(BlockArena& a) {
  void* mem = mmap(nullptr, 2 * arena_chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return false;
  const auto base = reinterpret_cast<std::uintptr_t>(mem);
  const std::uintptr_t aligned = (base + arena_chunk - 1) & ~(arena_chunk - 1);
  if (aligned > base) munmap(mem, aligned - base);
  if (const std::uintptr_t tail = base + 2 * arena_chunk - (aligned + arena_chunk))
    munmap(reinterpret_cast<void*>(aligned + arena_chunk), tail);
  char* chunk = reinterpret_cast<char*>(aligned);
  if (a.chunks > 0) madvise(chunk, arena_chunk, MADV_HUGEPAGE);  // advice only: failure is harmless
  ++a.chunks;
  a.cur = chunk;
  a.end = chunk + arena_chunk;
  return true;
}
}  // namespace

void* detail::arena_carve_(std::size_t size) {
  if (!arena_enabled || size == 0 || size > arena_granule * arena_classes) return ::operator new(size);
  BlockArena& a = block_arena;
  const std::size_t bytes = ((size - 1) / arena_granule + 1) * arena_granule;
  if (static_cast<std::size_t>(a.end - a.cur) < bytes && !arena_grow(a)) throw std::bad_alloc();
  void* p = a.cur;
  a.cur += bytes;
  return p;
}

}  // namespace asyncio
