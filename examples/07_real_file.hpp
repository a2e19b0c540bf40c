// 07_real_file.hpp: the file helpers of examples/07_blocking_read.cpp (chapter 7), kept beside it so
// the example stays short. Plain POSIX calls, all of them blocking; none knows about the loop.
#pragma once

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace real_file {

constexpr std::size_t CHUNK = 1024 * 1024;
constexpr std::size_t MAX_SIZE = 256 * CHUNK;

// Where the file goes: $TMPDIR, or /tmp.
inline std::string directory() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

// min(256 MiB, a quarter of the free space of dir), in whole MiB (at least one);
// BLOCKING_READ_BYTES=N chooses the size instead (the test reads a small file).
inline std::size_t choose_size(const std::string& dir) {
  if (const char* bytes = std::getenv("BLOCKING_READ_BYTES")) return std::strtoull(bytes, nullptr, 10);
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) throw std::runtime_error("statvfs " + dir + " failed");
  const std::size_t free_bytes = static_cast<std::size_t>(fs.f_bavail) * fs.f_frsize;
  return std::max(CHUNK, std::min(MAX_SIZE, free_bytes / 4) / CHUNK * CHUNK);
}

// Writes size bytes of 'x' to a new file in dir; with sync, fsyncs it: then its pages are clean,
// and the kernel may drop them. Returns the file's path.
inline std::string write(const std::string& dir, std::size_t size, bool sync) {
  std::string path = dir + "/blocking_readXXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) throw std::runtime_error("mkstemp " + path + " failed");
  const std::string chunk(CHUNK, 'x');
  for (std::size_t done = 0; done < size;) {
    const std::size_t n = std::min(CHUNK, size - done);
    if (::write(fd, chunk.data(), n) != static_cast<ssize_t>(n)) throw std::runtime_error("write failed");
    done += n;
  }
  if (sync && ::fsync(fd) != 0) throw std::runtime_error("fsync failed");
  ::close(fd);
  return path;
}

// Asks the kernel to drop the file's pages from the page cache, so the next read goes to the disk.
inline void drop_from_cache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// A plain blocking read of the whole file, a MiB at a time; returns the number of bytes read.
inline std::size_t read_all(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  std::vector<char> buffer(CHUNK);
  std::size_t total = 0;
  for (ssize_t n; (n = ::read(fd, buffer.data(), buffer.size())) > 0;) total += static_cast<std::size_t>(n);
  ::close(fd);
  return total;
}

}  // namespace real_file
