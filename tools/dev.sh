#!/usr/bin/env bash
# tools/dev.sh: set up, build, and either trace the first example or run every test.
#   tools/dev.sh trace   install what is missing, build (release), print a loop trace (asyncio-trace)
#   tools/dev.sh test    install what is missing, build (release), run the whole test suite
#   tools/dev.sh sanitize  the same build and suite under ASan + UBSan (CI runs this too)
#   tools/dev.sh bench [ARGS]  install what is missing, build (release), run tools/bench/run.py ARGS
#                        beside CPython asyncio and uvloop (docs/performance.md)
#   tools/dev.sh fuzz [SECONDS]  build the libFuzzer targets (Clang, ASan + UBSan), replay their
#                        corpora, then fuzz each for SECONDS (default 60; tests/fuzz/README.md)
# Safe to re-run: packages already present are not reinstalled, builds are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-trace}
packages=(g++ cmake make python3 libboost-context-dev doctest-dev libcli11-dev)
# The test suite also opens asyncio-trace's HTML timeline in headless Chromium (trace.html_chromium).
[ "$mode" = test ] && packages+=(chromium)
# ... and builds projects against an installed copy and a .deb (tests/package).
[ "$mode" = test ] && packages+=(pkg-config dpkg-dev)
# Chapters 11 and 12 run the real libraries beside ours under Debian's /usr/bin/python3 (example.*.httpx,
# .trio, .twisted): httpx (its deps httpcore, h11, anyio come with it), Trio and Twisted.
[ "$mode" = test ] && packages+=(python3-httpx python3-trio python3-twisted)
# The benchmark driver's uvloop column: Debian's uvloop for /usr/bin/python3 (tools/bench/run.py).
[ "$mode" = bench ] && packages+=(python3-uvloop)
# libFuzzer comes with Clang's runtime libraries.
[ "$mode" = fuzz ] && packages+=(clang libclang-rt-14-dev)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "dev.sh: installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {  # build PRESET
  [ -f "build/$1/CMakeCache.txt" ] || cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" -j "$(nproc)"
}

install_missing
case "$mode" in
  trace)
    build release
    # The loop's every pass, on the virtual clock (timers fire at once, the same trace every run).
    build/release/tools/asyncio-trace --clock virtual 02_superloop_async
    ;;
  test)
    build release
    ctest --preset release
    ;;
  bench)
    build release
    shift
    python3 tools/bench/run.py --no-build "$@"
    ;;
  sanitize)
    build sanitize
    ctest --preset sanitize
    ;;
  fuzz)
    seconds=${2:-60}
    build fuzz
    ctest --preset fuzz  # every corpus input once: past findings first
    for target in streams http_response trace_reader; do
      # New inputs go to build/fuzz/corpus/ (the tree's corpus is only read); a crash stops here.
      mkdir -p "build/fuzz/corpus/$target"
      echo "dev.sh: fuzzing $target for $seconds s"
      "build/fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="build/fuzz/$target-" "build/fuzz/corpus/$target" "tests/fuzz/corpus/$target"
    done
    ;;
  *)
    echo "usage: tools/dev.sh trace|test|sanitize|bench [ARGS]|fuzz [SECONDS]" >&2
    exit 2
    ;;
esac
