// corpus_driver.cpp: a main() for the fuzz targets where libFuzzer is not linked (GCC, the
// normal build): feeds each file named on the command line, or each file in each directory
// named, to LLVMFuzzerTestOneInput once, in name order. CTest replays the seed corpora with it.
// A C++-only test helper, no CPython twin. Course: docs/11-http-client.md ("Fuzzing the parsers")
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg = argv[i];
    if (fs::is_directory(arg)) {
      for (const auto& entry : fs::directory_iterator(arg))
        if (entry.is_regular_file()) files.push_back(entry.path());
    } else if (fs::is_regular_file(arg)) {
      files.push_back(arg);
    } else {
      std::fprintf(stderr, "corpus_driver: %s: no such file or directory\n", argv[i]);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "corpus_driver: no input files (usage: %s FILE_OR_DIR...)\n", argv[0]);
    return 2;
  }
  for (const fs::path& file : files) {
    // std::FILE rather than istreambuf_iterator: GCC 12 sees a null dereference in the latter.
    std::string data;
    if (std::FILE* in = std::fopen(file.c_str(), "rb")) {
      char block[65536];
      for (std::size_t n; (n = std::fread(block, 1, sizeof block, in)) > 0;) data.append(block, n);
      std::fclose(in);
    } else {
      std::fprintf(stderr, "corpus_driver: cannot read %s\n", file.c_str());
      return 2;
    }
    std::fprintf(stderr, "%s (%zu bytes)\n", file.c_str(), data.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  }
  std::printf("%zu inputs ran clean\n", files.size());
  return 0;
}
