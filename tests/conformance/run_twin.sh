#!/usr/bin/env bash
# run_twin.sh PYTHON NAME.py CPP_BINARY: runs both twins and fails on any difference in what
# they print on stdout or in their exit status. stderr is shown but not compared (CPython's
# logging and tracebacks are formatted differently from C++'s).
set -u
py=$1 script=$2 bin=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" "$script" >"$tmp/py.out" 2>"$tmp/py.err"; py_rc=$?
"$bin" >"$tmp/cpp.out" 2>"$tmp/cpp.err"; cpp_rc=$?
echo "exit status: $py_rc" >>"$tmp/py.out"
echo "exit status: $cpp_rc" >>"$tmp/cpp.out"
if diff -u --label "CPython: $(basename "$script")" --label "asyncio-cpp: $(basename "$bin")" \
     "$tmp/py.out" "$tmp/cpp.out"; then
  echo "twin outputs match ($(wc -l <"$tmp/py.out") lines)"
  exit 0
fi
echo "--- CPython stderr"; cat "$tmp/py.err"
echo "--- asyncio-cpp stderr"; cat "$tmp/cpp.err"
exit 1
