#!/usr/bin/env python3
"""Keeps the traces quoted in the docs true: every fenced block right after a line
`<!-- golden: PATH -->` must appear, line for line and in one piece, in the golden file PATH
(relative to the source root), which CTest regenerates and compares on every run.

usage: check_doc_samples.py SOURCE_ROOT DOC...
"""
import re
import sys

root, docs = sys.argv[1], sys.argv[2:]
MARK = re.compile(r"<!-- golden: (\S+) -->")
failures = checked = 0
for doc in docs:
    lines = open(f"{root}/{doc}", encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        match = MARK.fullmatch(line.strip())
        if not match:
            continue
        assert lines[i + 1].startswith("```"), f"{doc}:{i + 2}: a fenced block must follow the golden mark"
        end = lines.index("```", i + 2)
        block = "\n".join(lines[i + 2:end]) + "\n"
        golden = open(f"{root}/{match.group(1)}", encoding="utf-8").read()
        checked += 1
        if block not in golden:
            failures += 1
            print(f"{doc}:{i + 1}: this block is not in {match.group(1)} any more:\n{block}")
if failures:
    sys.exit(1)
print(f"check_doc_samples: {checked} blocks ok")
