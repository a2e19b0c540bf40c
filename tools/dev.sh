#!/usr/bin/env bash
# tools/dev.sh: set up, build, and either trace the first example or run every test.
#   tools/dev.sh trace   install what is missing, build (release), print a loop trace (asyncio-trace)
#   tools/dev.sh test    install what is missing, build (release), run the whole test suite
#   tools/dev.sh sanitize  the same build and suite under ASan + UBSan (CI runs this too)
# Safe to re-run: packages already present are not reinstalled, builds are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-trace}
packages=(g++ cmake make python3 libboost-context-dev doctest-dev libcli11-dev)
# The test suite also opens asyncio-trace's HTML timeline in headless Chromium (trace.html_chromium).
[ "$mode" = test ] && packages+=(chromium)

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
  sanitize)
    build sanitize
    ctest --preset sanitize
    ;;
  *)
    echo "usage: tools/dev.sh trace|test|sanitize" >&2
    exit 2
    ;;
esac
