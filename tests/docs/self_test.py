#!/usr/bin/env python3
"""self_test.py CHECK_DOCS: check_docs.py fails on each fault it exists to catch, and passes clean docs.

Builds a small fake repository and build directory in a temp dir (a doc, a C++ file, an example,
and a shell script standing in for tools/asyncio-trace), runs check_docs.py on the clean copy
(must pass), then on one copy per fault (must fail, naming the file, the line and the difference).
"""
import os
import shutil
import subprocess
import sys
import tempfile

CHECK = os.path.abspath(sys.argv[1])

DOC = """# A chapter

Source: runtime/loop.cpp (run_once) · Example: examples/01_demo.cpp

## The loop's pass

See [the other page](other.md#second-part) and [this part](#the-loops-pass), and `runtime/loop.cpp`.

<!-- code: runtime/loop.cpp -->
```cpp
void run_once() {
  step_one();
  // ...
  step_four();
}
```

<!-- output: build/release/examples/01_demo -->
```text
line 1
line 2
line 3
```

<!-- output-excerpt: build/release/tools/asyncio-trace --clock virtual 01_demo -->
```text
Pass 2 (t=0.000000)
  Step 4: run what was ready: 1 callback
```

From the root, run `build/release/tools/asyncio-trace --clock virtual 01_demo`, then:

```sh
build/release/examples/01_demo           # prints three lines
# a comment line is not a command
build/release/examples/01_demo | \\
  grep -c line
false                                    # exit status 1
```

<!-- not-run: interactive (stands in for --step) -->
```sh
build/release/no_such_program
```

```console
$ build/release/examples/01_demo
line 1
line 2
line 3
$ test -x build/release/examples/01_demo
```
"""

OTHER = """# Other

## Second part
"""

LOOP_CPP = """// the loop
// Course: docs/chapter.md
namespace demo {
  void run_once() {
    step_one();
    step_two();
    step_three();
    step_four();
  }
}
"""

EXAMPLE = "#include \"asyncio/asyncio.hpp\"\nint main() {}\n"

DEMO = "#!/bin/sh\nprintf 'line 1\\nline 2\\nline 3\\n'\n"

TRACE = """#!/bin/sh
if [ "$1" = --list ]; then echo "01_demo  examples/01_demo"; exit 0; fi
if [ "$4" = /dev/null ] && [ -e broken ]; then echo "the program was killed by signal 11" >&2; exit 139; fi
printf 'Pass 1 (t=0.000000)\\n  Step 4: run what was ready: 1 callback\\nPass 2 (t=0.000000)\\n'
printf '  Step 4: run what was ready: 1 callback\\n'
"""

CMAKE = "set(ASYNCIO_EXAMPLES\n  01_demo\n)\n"

# name -> (file to change, old text, new text, words the error must contain)
FAULTS = {
    "broken output quote": ("docs/chapter.md", "line 2\n", "line two\n",
                            ["docs/chapter.md:18:", "-line two", "+line 2"]),
    "broken excerpt": ("docs/chapter.md", "  Step 4: run what was ready: 1 callback\n```",
                       "  Step 4: run what was ready: 2 callbacks\n```",
                       ["docs/chapter.md:25:", "-  Step 4: run what was ready: 2 callbacks"]),
    "failing command": ("docs/chapter.md", "<!-- output: build/release/examples/01_demo -->",
                        "<!-- output: build/release/examples/no_such -->",
                        ["docs/chapter.md:18:", "run from the repository root", "exited with status 127"]),
    "failing command in a sh block": ("docs/chapter.md", "build/release/examples/01_demo           #",
                                      "build/release/examples/no_such           #",
                                      ["docs/chapter.md:34:", "build/release/examples/no_such", "exited with status 127"]),
    "failing continued command": ("docs/chapter.md", "  grep -c line\n", "  grep -c nothing\n",
                                  ["docs/chapter.md:36:", "grep -c nothing", "exited with status 1"]),
    "wrong exit status": ("docs/chapter.md", "false                                    # exit status 1",
                          "true                                     # exit status 1",
                          ["docs/chapter.md:38:", "exited with status 0", "exit with status 1"]),
    "not-run without a reason": ("docs/chapter.md", "<!-- not-run: interactive (stands in for --step) -->",
                                 "<!-- not-run: -->", ["docs/chapter.md:41:", "needs a reason"]),
    "not-run mark gone": ("docs/chapter.md", "<!-- not-run: interactive (stands in for --step) -->\n", "",
                          ["docs/chapter.md:42:", "no_such_program", "exited with status 127"]),
    "stale console output": ("docs/chapter.md", "line 3\n$ test", "line three\n$ test",
                             ["docs/chapter.md:47:", "-line three", "+line 3"]),
    "failing console command": ("docs/chapter.md", "$ test -x build/release/examples/01_demo",
                                "$ test -x build/release/examples/02_demo",
                                ["docs/chapter.md:51:", "exited with status 1"]),
    "inline command in the source-folder form": ("docs/chapter.md", "run `build/release/tools/asyncio-trace --clock",
                                                 "run `tools/asyncio-trace --clock",
                                                 ["docs/chapter.md:31:", "run from the repository root of a built checkout"]),
    "stale code excerpt": ("runtime/loop.cpp", "    step_one();\n", "    step_1();\n",
                           ["docs/chapter.md:9:", "runtime/loop.cpp", "-  step_one();", "+    step_1();"]),
    "code excerpt out of order": ("docs/chapter.md", "  // ...\n  step_four();", "  // ...\n  step_four();\n  step_two();",
                                  ["docs/chapter.md:9:", "part 2 of the excerpt"]),
    "missing linked file": ("docs/chapter.md", "(other.md#second-part)", "(gone.md)",
                            ["docs/chapter.md:7:", "docs/gone.md does not exist"]),
    "missing anchor": ("docs/chapter.md", "(other.md#second-part)", "(other.md#third-part)",
                       ["docs/chapter.md:7:", "#third-part"]),
    "missing backticked path": ("docs/chapter.md", "`runtime/loop.cpp`", "`runtime/gone.cpp`",
                                ["docs/chapter.md:7:", "runtime/gone.cpp does not exist"]),
    "missing source path": ("docs/chapter.md", "Source: runtime/loop.cpp", "Source: runtime/loops.cpp",
                            ["docs/chapter.md:3:", "runtime/loops.cpp does not exist"]),
    "unmarked trace": ("docs/chapter.md", "<!-- output-excerpt: build/release/tools/asyncio-trace --clock virtual 01_demo -->\n", "",
                       ["docs/chapter.md:25:", "a trace is quoted without"]),
    "unmarked C++ code": ("docs/chapter.md", "<!-- code: runtime/loop.cpp -->\n", "",
                          ["docs/chapter.md:9:", "C++ code is quoted without"]),
    "example that crashes under asyncio-trace": ("build/tools/asyncio-trace", "#!/bin/sh\n", "#!/bin/sh\ntouch broken\n",
                                                 ["examples/01_demo.cpp:1:", "01_demo does not run under asyncio-trace", "status 139"]),
    "example too long": ("examples/01_demo.cpp", "int main() {}\n", "int main() {}\n" + "//\n" * 95,
                         ["examples/01_demo.cpp:91:", "97 lines"]),
    "example not listed": ("examples/CMakeLists.txt", "  01_demo\n", "",
                           ["examples/CMakeLists.txt:1:", "01_demo is not listed"]),
    "course pointer to a missing chapter": ("runtime/loop.cpp", "// Course: docs/chapter.md", "// Course: docs/renamed.md",
                                            ["runtime/loop.cpp:2:", "docs/renamed.md, which does not exist"]),
    "example unknown to asyncio-trace": ("build/tools/asyncio-trace", "01_demo  examples/01_demo", "02_other  examples/02_other",
                                         ["examples/01_demo.cpp:1:", "--list` does not show 01_demo"]),
}


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


def make_tree(root):
    write(f"{root}/README.md", "# Demo\n\nThe course: [docs](docs/chapter.md).\n")
    write(f"{root}/docs/chapter.md", DOC)
    write(f"{root}/docs/other.md", OTHER)
    write(f"{root}/runtime/loop.cpp", LOOP_CPP)
    write(f"{root}/examples/01_demo.cpp", EXAMPLE)
    write(f"{root}/examples/01_demo.expected", "line 1\n")
    write(f"{root}/examples/CMakeLists.txt", CMAKE)
    write(f"{root}/build/examples/01_demo", DEMO, 0o755)
    write(f"{root}/build/tools/asyncio-trace", TRACE, 0o755)


def run(root, *extra):
    result = subprocess.run([sys.executable, CHECK, *extra, "--source", root, "--build", f"{root}/build"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return result.returncode, result.stdout.decode()


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        clean = f"{tmp}/clean"
        make_tree(clean)
        status, out = run(clean)
        if status != 0 or "4 command blocks run, 1 not run" not in out:
            print(f"FAIL clean tree: check_docs.py exited {status} (want 4 command blocks run, 1 not run):\n{out}")
            failures += 1
        for name, (file, old, new, words) in FAULTS.items():
            root = f"{tmp}/{name.replace(' ', '_')}"
            shutil.copytree(clean, root, symlinks=True)
            path = f"{root}/{file}"
            with open(path, encoding="utf-8") as f:
                text = f.read()
            assert old in text, f"self-test bug: {old!r} not in {file}"
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace(old, new, 1))
            status, out = run(root)
            missing = [w for w in words if w not in out]
            if status == 0 or missing:
                print(f"FAIL {name}: exit status {status}, missing {missing} in:\n{out}")
                failures += 1
            else:
                print(f"ok   {name}")
        # --update rewrites a stale output and a stale excerpt back to what the commands print.
        root = f"{tmp}/update"
        shutil.copytree(clean, root, symlinks=True)
        path = f"{root}/docs/chapter.md"
        stale = DOC.replace("line 2\n", "line two\nline 2.5\n", 1).replace("what was ready", "what was")
        write(path, stale)
        status, out = run(root, "--update")
        with open(path, encoding="utf-8") as f:
            rewritten = f.read()
        if status != 0 or rewritten != DOC or "rewrote 2 output block(s)" not in out:
            print(f"FAIL --update: exit status {status}, doc restored: {rewritten == DOC}:\n{out}")
            failures += 1
        else:
            print("ok   --update")
    if failures:
        sys.exit(1)
    print(f"self_test: the clean tree passes and all {len(FAULTS)} faults are caught")


if __name__ == "__main__":
    main()
