#!/bin/sh
# tasks_tree.sh ASYNCIO_TRACE PYTHON CPP_PROGRAM PY_PROGRAM
# `--tasks --tree` of a C++ example and of its Python twin (traced by the recorder) print the same
# task tables and await trees after every pass, once each `at FILE:LINE` is left out (the two
# sources' lines differ). The recorder writes the combinators' future_created lines the tree reads.
set -eu
tool=$1 python=$2 cpp=$3 py=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
blocks() {
  awk '/^  (tasks|await tree) after pass/ { on = 1; print; next } /^[^ ]|^  [^ ]/ { on = 0 } on' |
    sed -E 's/ at [^ ]+:[0-9]+//'
}
"$tool" --clock virtual --tasks --tree "$cpp" | blocks > "$work/cpp.txt"
"$tool" --python "$python" --clock virtual --tasks --tree "$py" | blocks > "$work/py.txt"
n=$(grep -c 'after pass' "$work/cpp.txt" || true)
[ "$n" -gt 0 ] || { echo "no task table in the C++ trace"; exit 1; }
diff -u "$work/cpp.txt" "$work/py.txt"
echo "same tables and trees after $n passes"
