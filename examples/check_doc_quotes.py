"""check_doc_quotes.py PROGRAM DOC.md...: every quoted run of PROGRAM in the docs is still real.

Runs PROGRAM with ASYNCIO_TRACE=passes (stdout and stderr into one pipe, so the program's lines
sit between the trace lines as in a terminal) and fails unless every fenced block of the DOCs that
starts with "pass " appears, line for line, in that output, and every block that starts with
"tick " (the program's own lines, quoted without the trace) appears in its lines alone. Select timeouts
(timeout=0.030) are compared as numbers-free, since they differ by a millisecond from run to run.
A block can also miss because a loaded machine merged two passes (two timers 10 ms apart due in
one pass), so the program is run up to five times and one matching run is enough.
"""
import os
import re
import subprocess
import sys

ATTEMPTS = 5


def normalise(text):
    return re.sub(r"timeout=[0-9.]+", "timeout=T", text)


def quoted_blocks(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for match in re.finditer(r"```[a-z]*\n(.*?)```", text, re.S):
        block = match.group(1)
        if block.startswith(("pass ", "tick ")):
            yield normalise(block)


def run(program):
    env = dict(os.environ, ASYNCIO_TRACE="passes")
    result = subprocess.run([program], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=True)
    return normalise(result.stdout.decode())


def main(program, docs):
    blocks = [(doc, block) for doc in docs for block in quoted_blocks(doc)]
    if not blocks:
        sys.exit(f"no quoted output found in {', '.join(docs)}")
    missing = blocks
    for _ in range(ATTEMPTS):
        output = run(program)
        # The program's own lines are those the pass printer did not write ("pass N", indented).
        program_lines = "".join(line for line in output.splitlines(True) if not re.match(r"pass \d+$|  ", line))
        missing = [(doc, block) for doc, block in missing
                   if block not in (output if block.startswith("pass ") else program_lines)]
        if not missing:
            print(f"{len(blocks)} quoted blocks match a real run of {os.path.basename(program)}")
            return
    for doc, block in missing:
        print(f"--- {doc}: this quoted block is not in the program's output any more:\n{block}")
    print(f"--- the last run printed:\n{output}")
    sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
