#!/usr/bin/env python3
"""check_docs.py: keeps the course (README.md, docs/*.md) true to the code and to real runs.

usage: check_docs.py --source ROOT --build BUILD [--update] [DOC.md ...]

Run by the CTest test docs.check. With no DOC arguments it checks ROOT/README.md and
ROOT/docs/*.md and ROOT/docs/answers/*.md (the worked answers). It enforces the docs conventions (docs/README.md, section "Conventions"):

  commands   Every command the docs give is written as a student types it at the root of a built
             checkout: `build/release/tools/asyncio-trace ...`, `build/release/examples/NN_name`.
             The checker runs each one exactly as written, each in a fresh shell (`bash -c CMD`)
             whose working directory is ROOT. When BUILD is not ROOT/build/release (another
             preset), `build/release/` in a command stands for BUILD.
  output     A fenced block directly after `<!-- output: CMD -->` is the whole stdout of CMD;
             after `<!-- output-excerpt: CMD -->` it is a contiguous run of its lines. CMD must
             exit with status 0 (add `; true` if a failing exit is the point).
  sh         A ```sh (or ```bash, ```shell) block without an output mark is a list of commands:
             every line that is not blank or a `#` comment (a line ending in `\` continues on
             the next) is run and must exit with status 0, or with N when the line ends in the
             comment `# exit status N`. In a ```console block the commands are the lines that
             start with `$ `; the lines after one (up to the next `$ `) are its whole stdout.
  not-run    `<!-- not-run: WHY -->` right before a fenced block: its commands are not run
             (interactive --step, a browser, a long benchmark, a real large file, the install).
             WHY must be given. The summary counts run and not-run blocks.
  golden     A fenced block directly after `<!-- golden: PATH -->` is a contiguous run of lines of
             PATH, a golden file that another CTest test regenerates and compares (tests/trace).
  code       A fenced block directly after `<!-- code: PATH -->` (PATH from ROOT) appears in PATH in
             order, line for line; a line `// ...` (or `# ...`) in the block skips any number of
             lines of PATH. A run of lines may sit at a deeper indentation in PATH than in the block
             (the same extra indentation for the whole run). Trailing spaces are ignored.
  traces     A fenced block that starts like a trace (`Pass 1 (t=0.000000)` or `pass 1`) must carry
             an output mark, or `<!-- not-checked: WHY -->` if it cannot be regenerated (a real
             clock measurement); a ```cpp block must carry a code mark (or not-checked).
  links      Relative links `[text](path#anchor)` point at files that exist, and #anchors at headings
             of the Markdown file they name (GitHub's slugs). Backticked repo paths such as
             `runtime/asyncio/tasks.cpp`, `examples/02_superloop_async` (a program: its .cpp counts)
             or `tools/asyncio-trace` (a built program: BUILD counts) exist, and so do the paths on a
             chapter's `Source:` line; `{a,b}` in a path means both.
  examples   Every examples/NN_name.cpp has a two-digit number no other example uses, at most
             MAX_EXAMPLE_LINES lines, a NN_name.expected beside it, an entry in ASYNCIO_EXAMPLES of
             examples/CMakeLists.txt, an entry in `BUILD/tools/asyncio-trace --list`, and runs
             under `BUILD/tools/asyncio-trace --clock virtual` with exit status 0 (if it includes
             the runtime: 01_superloop, plain C++, is only listed).

With --update, a stale output block is rewritten in place with what its command prints now (an
excerpt: the closest run of lines) instead of failing; read the diff before committing it.

Every error names the file and line and what differs, with a unified diff where there is text to
compare. Exit status 1 if anything failed.
"""
import argparse
import difflib
import glob
import os
import re
import subprocess
import sys

MAX_EXAMPLE_LINES = 90
COMMAND_TIMEOUT = 120  # seconds; a virtual-clock trace takes milliseconds, a loaded machine more

MARK = re.compile(r"^<!--\s*(output|output-excerpt|code|golden|not-checked|not-run):\s*(.*?)\s*-->\s*$")
SHELL_LANGS = ("sh", "bash", "shell")
EXIT_STATUS = re.compile(r"#\s*exit status (\d+)\s*$")
DOC_BUILD = "build/release"  # the build directory the docs' commands name
FENCE = re.compile(r"^(\s*)(```+|~~~+)")
TRACE_START = re.compile(r"^(Pass \d+ \(t=|pass \d+$)")
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
REPO_TOP = ("runtime/", "examples/", "docs/", "tests/", "tools/", "benchmarks/", "cmake/", ".ci/")
REPO_PATH = re.compile(r"^(?:runtime|examples|docs|tests|tools|benchmarks|cmake|\.ci)/[\w./{},+-]*$")
PLACEHOLDER = re.compile(r"(^|/)(NN|N)_|\b[A-Z]{3,}\b|\.\.\.")  # NN_name, FILE, PATH, ...
ELISION = re.compile(r"^\s*(//|#)\s*\.\.\.\s*$")


class Checker:
    def __init__(self, source, build):
        self.source = os.path.abspath(source)
        self.build = os.path.abspath(build)
        self.errors = []
        self.outputs = {}
        self.any_lambda_names = False
        self.checked = {"output": 0, "code": 0, "links": 0, "paths": 0, "examples": 0, "commands": 0}
        self.blocks_run = 0      # fenced blocks whose commands ran (output marks, sh and console blocks)
        self.blocks_not_run = 0  # fenced blocks after <!-- not-run: WHY -->
        self.update = False  # --update: rewrite stale output blocks in place instead of failing
        self.updates = []    # (fence line, new body) of the file being checked
        self.updated = 0

    def error(self, path, line, message, diff=None):
        rel = os.path.relpath(path, self.source)
        text = f"{rel}:{line}: {message}"
        if diff:
            text += "\n" + "".join(diff).rstrip("\n")
        self.errors.append(text)

    # ---------------------------------------------------------------- running commands
    def run(self, cmd, cwd=None):
        """Runs cmd in a fresh bash, in cwd (default: the repository root, where a student types
        the docs' commands); returns (status, stdout, stderr). Cached: a command runs once."""
        cwd = cwd or self.source
        key = (cmd, cwd)
        if key not in self.outputs:
            try:
                result = subprocess.run(["bash", "-c", cmd], cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                        timeout=COMMAND_TIMEOUT)
                self.outputs[key] = (result.returncode, result.stdout.decode("utf-8", "replace"),
                                     result.stderr.decode("utf-8", "replace"))
            except subprocess.TimeoutExpired:
                self.outputs[key] = (None, "", f"timed out after {COMMAND_TIMEOUT} s")
        return self.outputs[key]

    def run_doc_command(self, cmd):
        """A command as the docs write it, run from the root; `build/release/` stands for BUILD."""
        if self.build != os.path.join(self.source, DOC_BUILD):
            rel = os.path.relpath(self.build, self.source)
            target = rel if not rel.startswith("..") else self.build
            cmd = re.sub(r"(?<![\w./-])" + re.escape(DOC_BUILD) + r"(?=/|\s|$)", target, cmd)
        return self.run(cmd)

    # ---------------------------------------------------------------- one Markdown file
    def check_doc(self, path):
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        headings = set()
        blocks = []  # (mark kind, mark arg, mark line number, fence line number, block lines)
        i = 0
        pending = None  # (kind, arg, line number) of a mark waiting for its fence
        while i < len(lines):
            line = lines[i]
            mark = MARK.match(line.strip())
            fence = FENCE.match(line)
            if mark:
                if pending:
                    self.error(path, pending[2], f"<!-- {pending[0]}: ... --> is not followed by a fenced block")
                pending = (mark.group(1), mark.group(2), i + 1)
                i += 1
                continue
            if fence:
                indent, ticks = fence.group(1), fence.group(2)
                end = i + 1
                while end < len(lines) and not lines[end].strip().startswith(ticks):
                    end += 1
                body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[i + 1:end]]
                if pending and pending[2] != i:
                    self.error(path, pending[2], f"<!-- {pending[0]}: ... --> must be the line right before the fence")
                    pending = None
                blocks.append((pending, i + 1, body))
                pending = None
                i = end + 1
                continue
            if pending and line.strip():
                self.error(path, pending[2], f"<!-- {pending[0]}: ... --> must be the line right before the fence")
                pending = None
            heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if heading:
                headings.add(slug(heading.group(1)))
            self.check_links(path, i + 1, line)
            if line.startswith("Source:"):
                self.check_source_line(path, i + 1, line)
            i += 1
        if pending:
            self.error(path, pending[2], f"<!-- {pending[0]}: ... --> is not followed by a fenced block")
        self.updates = []
        for mark, fence_line, body in blocks:
            lang = lang_of(lines[fence_line - 1])
            if mark is not None and mark[0] == "not-run":
                self.blocks_not_run += 1
                if not mark[1]:
                    self.error(path, mark[2], "<!-- not-run: WHY --> needs a reason (why a student's command is not run here)")
                continue
            if mark is None and lang in SHELL_LANGS:
                self.check_shell_block(path, fence_line, body)
                continue
            if mark is None and lang == "console":
                self.check_console_block(path, fence_line, body)
                continue
            if mark is None:
                if lang in ("cpp", "c++"):
                    self.error(path, fence_line, "C++ code is quoted without <!-- code: PATH --> (or <!-- not-checked: WHY -->), "
                               "so nothing shows it compiles; put it in a file that is built and quote that")
                elif body and TRACE_START.match(body[0]):
                    self.error(path, fence_line, "a trace is quoted without <!-- output: CMD --> or "
                               "<!-- output-excerpt: CMD --> (or <!-- not-checked: WHY -->), so no test keeps it true")
                continue
            kind, arg, mark_line = mark
            if kind in ("output", "output-excerpt"):
                self.check_output(path, mark_line, kind, arg, body)
            elif kind == "code":
                self.check_code(path, mark_line, arg, body)
            elif kind == "golden":
                self.check_output(path, mark_line, "output-excerpt", f"cat {os.path.join(self.source, arg)}", body)
        if self.update and self.updates:
            # Later blocks first, so the line numbers of earlier ones stay valid.
            for mark_line, new_body in reversed(self.updates):
                fence_line, body = next((f, b) for m, f, b in blocks if m and m[2] == mark_line)
                self.rewrite_block(lines, fence_line, body, new_body)
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
        return headings

    def rewrite_block(self, lines, fence_line, body, new_body):
        """--update: put new_body in place of body, the block opened at fence_line (1-based)."""
        indent = re.match(r"^\s*", lines[fence_line - 1]).group(0)
        lines[fence_line:fence_line + len(body)] = [indent + l if l else l for l in new_body]
        self.updated += 1

    # ---------------------------------------------------------------- (a) outputs
    def check_output(self, path, line, kind, cmd, body):
        self.checked["output"] += 1
        self.blocks_run += 1
        status, out, err = self.run_doc_command(cmd)
        if status != 0:
            self.error(path, line, f"`{cmd}` (run from the repository root) exited with status {status}:\n{err.rstrip()}")
            return
        got = out.split("\n")
        if got and got[-1] == "":
            got.pop()
        want = body
        if self.any_lambda_names:
            want, got = [LAMBDA_NAME.sub("<lambda>", l) for l in want], [LAMBDA_NAME.sub("<lambda>", l) for l in got]
        if kind == "output":
            if want != got and self.update:
                self.updates.append((line, got))
                return
            if want != got:
                diff = difflib.unified_diff([l + "\n" for l in want], [l + "\n" for l in got],
                                            "quoted in the doc", f"printed now by `{cmd}`")
                self.error(path, line, f"the quoted output is not what `{cmd}` prints now", diff)
            return
        if not want:
            self.error(path, line, "an output excerpt is empty")
            return
        n = len(want)
        for start in range(len(got) - n + 1):
            if got[start:start + n] == want:
                return
        # Not found: diff against the run of lines that matches the excerpt best.
        best, best_score = 0, -1
        for start in range(max(1, len(got) - n + 1)):
            window = got[start:start + n]
            score = sum(1 for a, b in zip(want, window) if a == b)
            if score > best_score:
                best, best_score = start, score
        if self.update:
            self.updates.append((line, closest_excerpt(want, got)))
            return
        window = got[best:best + n]
        diff = difflib.unified_diff([l + "\n" for l in want], [l + "\n" for l in window], "quoted in the doc",
                                    f"printed now by `{cmd}` (lines {best + 1}-{best + len(window)}, the closest run)")
        self.error(path, line, f"the quoted excerpt is not a run of lines of what `{cmd}` prints now", diff)

    # ---------------------------------------------------------------- (a2) command blocks
    def check_shell_block(self, path, fence_line, body):
        """```sh: each command line runs from the root and exits as the doc implies."""
        self.blocks_run += 1
        for number, cmd in shell_commands(body):
            expect = EXIT_STATUS.search(cmd)
            self.check_command(path, fence_line + number, cmd, int(expect.group(1)) if expect else 0)

    def check_console_block(self, path, fence_line, body):
        """```console: `$ CMD` lines run from the root; the lines after one are its whole stdout."""
        self.blocks_run += 1
        commands = []  # (line number in block, command, expected stdout lines)
        for number, text in enumerate(body, 1):
            if text.startswith("$ "):
                commands.append((number, text[2:].strip(), []))
            elif commands:
                commands[-1][2].append(text)
        for number, cmd, want in commands:
            expect = EXIT_STATUS.search(cmd)
            out = self.check_command(path, fence_line + number, cmd, int(expect.group(1)) if expect else 0)
            if out is None:
                continue
            got = out.split("\n")
            if got and got[-1] == "":
                got.pop()
            while want and not want[-1].strip():
                want = want[:-1]
            if want != got:
                diff = difflib.unified_diff([l + "\n" for l in want], [l + "\n" for l in got],
                                            "quoted in the doc", f"printed now by `{cmd}`")
                self.error(path, fence_line + number, f"the output quoted after `$ {cmd}` is not what it prints now", diff)

    def check_command(self, path, line, cmd, want_status):
        """Runs one command of a sh or console block; returns its stdout, or None if it failed."""
        self.checked["commands"] += 1
        status, out, err = self.run_doc_command(cmd)
        if status != want_status:
            said = f"exit with status {want_status}" if want_status else "succeed"
            self.error(path, line, f"`{cmd}` (run from the repository root) exited with status {status}; "
                       f"the doc implies it would {said} (end the line with `# exit status N` if N is the point, "
                       f"or mark the block <!-- not-run: WHY -->):\n{err.rstrip()}")
            return None
        return out

    # ---------------------------------------------------------------- (b) code excerpts
    def check_code(self, path, line, target, body):
        self.checked["code"] += 1
        file = os.path.join(self.source, target)
        if not os.path.isfile(file):
            self.error(path, line, f"<!-- code: {target} -->: no such file")
            return
        with open(file, encoding="utf-8") as f:
            source = [l.rstrip() for l in f.read().split("\n")]
        segments, current = [], []
        for l in body:
            if ELISION.match(l):
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(l.rstrip())
        if current:
            segments.append(current)
        pos = 0
        for number, segment in enumerate(segments, 1):
            found = find_segment(source, segment, pos)
            if found is None:
                near = closest_run(source, segment, pos)
                diff = difflib.unified_diff([l + "\n" for l in segment], [l + "\n" for l in source[near:near + len(segment)]],
                                            "quoted in the doc", f"{target} lines {near + 1}-{near + len(segment)} (the closest run)")
                where = f" after line {pos}" if pos else ""
                label = f"part {number} of the excerpt" if len(segments) > 1 else "the excerpt"
                self.error(path, line, f"{label} is not in {target}{where} (lines in order, contiguous except at `// ...`)", diff)
                return
            pos = found + len(segment)

    # ---------------------------------------------------------------- (c) links and paths
    def check_links(self, path, line, text):
        for match in LINK.finditer(strip_code_spans(text)):
            target = match.group(1) or match.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("//"):
                continue  # http:, https:, mailto:, chrome: ...
            self.checked["links"] += 1
            file_part, _, anchor = target.partition("#")
            doc_dir = os.path.dirname(path)
            resolved = os.path.normpath(os.path.join(doc_dir, file_part)) if file_part else path
            if not os.path.exists(resolved):
                self.error(path, line, f"link ({target}): {os.path.relpath(resolved, self.source)} does not exist")
                continue
            if anchor:
                self.anchor_checks.append((path, line, target, resolved, anchor))
        for match in CODE_SPAN.finditer(text):
            word = match.group(2).strip()
            if REPO_PATH.match(word):
                self.check_repo_path(path, line, word)
            elif word.startswith(DOC_BUILD + "/") or word.startswith("tools/asyncio-trace"):
                self.check_inline_command(path, line, word)

    def check_inline_command(self, path, line, word):
        """A backticked command in the prose (an exercise's `build/release/tools/asyncio-trace ...`):
        its program is in the build directory, and with arguments it runs and exits with status 0."""
        program = word.split()[0]
        if not program.startswith(DOC_BUILD + "/"):
            self.error(path, line, f"`{word}`: commands are written as run from the repository root of a built "
                       f"checkout ({DOC_BUILD}/{program}); {program} is not there")
            return
        if PLACEHOLDER.search(word):
            return  # `build/release/examples/NN_name`, `... --replay FILE`: a form, not a command
        if not os.path.exists(os.path.join(self.build, program[len(DOC_BUILD) + 1:])):
            self.error(path, line, f"`{word}`: {program} does not exist in the build directory")
            return
        if " " in word and not word.split()[-1].startswith("-"):
            # A whole command (`... --replay` alone names an option; `./my_program` is the reader's).
            if "./" not in word:
                self.check_command(path, line, word, 0)

    def check_source_line(self, path, line, text):
        for word in re.findall(r"(?<![\w/.])((?:runtime|examples|docs|tests|tools)/[\w./{},+-]*\w/?)", text):
            self.check_repo_path(path, line, word)

    def check_repo_path(self, path, line, word):
        self.checked["paths"] += 1
        for candidate in expand_braces(word):
            if re.search(r"(^|/)(NN|N)_|\b[A-Z]{3,}\b(?!\.md)", candidate) and not os.path.exists(os.path.join(self.source, candidate)):
                continue  # a placeholder: examples/NN_name.cpp, tests/conformance/NAME.py
            options = [os.path.join(self.source, candidate), os.path.join(self.build, candidate)]
            if not os.path.splitext(candidate)[1]:
                options += [os.path.join(self.source, candidate + ext) for ext in (".cpp", ".py", ".sh")]
            if not any(os.path.exists(o) for o in options):
                self.error(path, line, f"`{word}`: {candidate} does not exist (in the source tree or the build directory)")

    # ---------------------------------------------------------------- (d) examples
    def check_examples(self):
        directory = os.path.join(self.source, "examples")
        cmake = os.path.join(directory, "CMakeLists.txt")
        if not os.path.isfile(cmake):
            self.error(cmake, 1, "examples/CMakeLists.txt does not exist")
            return
        with open(cmake, encoding="utf-8") as f:
            cmake_text = f.read()
        listed_match = re.search(r"set\(ASYNCIO_EXAMPLES\b(.*?)\)", cmake_text, re.S)
        listed = re.findall(r"[\w]+", listed_match.group(1)) if listed_match else []
        status, out, err = self.run("tools/asyncio-trace --list", self.build)
        known = set(re.findall(r"\b(\d\d_\w+)", out)) if status == 0 else None
        if known is None:
            self.error(cmake, 1, f"`tools/asyncio-trace --list` (run in {self.build}) exited with status {status}: {err.strip()}")
        numbers = {}
        for file in sorted(glob.glob(os.path.join(directory, "*.cpp"))):
            name = os.path.basename(file)[:-4]
            self.checked["examples"] += 1
            match = re.match(r"^(\d\d)_[a-z0-9_]+$", name)
            if not match:
                self.error(file, 1, f"an example's name must be NN_name (two digits, lower case): {name}.cpp")
                continue
            if match.group(1) in numbers:
                self.error(file, 1, f"number {match.group(1)} is used by {numbers[match.group(1)]}.cpp too")
            numbers[match.group(1)] = name
            with open(file, encoding="utf-8") as f:
                source_text = f.read()
            count = len(source_text.rstrip("\n").split("\n"))
            if count > MAX_EXAMPLE_LINES:
                self.error(file, MAX_EXAMPLE_LINES + 1, f"{name}.cpp has {count} lines; an example has at most {MAX_EXAMPLE_LINES}")
            if not os.path.isfile(os.path.join(directory, name + ".expected")):
                self.error(file, 1, f"{name}.expected does not exist (its expected output, for example.{name})")
            if name not in listed:
                self.error(cmake, 1, f"{name} is not listed in ASYNCIO_EXAMPLES")
            if known is not None and name not in known:
                self.error(file, 1, f"`tools/asyncio-trace --list` does not show {name} (is it built?)")
            elif known is not None and '#include "asyncio/' in source_text:
                # A program not built on the runtime (01_superloop) emits no events; it is listed only.
                cmd = f"tools/asyncio-trace --clock virtual -o /dev/null {name} >/dev/null"
                status, _, err = self.run(cmd, self.build)
                if status != 0:
                    self.error(file, 1, f"{name} does not run under asyncio-trace: `{cmd}` exited with status {status}:\n{err.rstrip()}")
        for name in listed:
            if not os.path.isfile(os.path.join(directory, name + ".cpp")):
                self.error(cmake, 1, f"ASYNCIO_EXAMPLES lists {name}, but examples/{name}.cpp does not exist")

    # ---------------------------------------------------------------- (e) source headers
    def check_course_pointers(self):
        # Every source file's header names the chapter that explains it ("Course: docs/...md");
        # a renamed chapter must not leave readers of the code pointing at nothing.
        for top in ("runtime", "examples", "tools", "tests"):
            for file in sorted(glob.glob(os.path.join(self.source, top, "**", "*.[ch]pp"), recursive=True)):
                with open(file, encoding="utf-8") as f:
                    for number, text in enumerate(f, 1):
                        if "Course:" not in text:
                            continue
                        for target in re.findall(r"(?:docs/[\w.-]+\.md|README\.md)", text):
                            if not os.path.isfile(os.path.join(self.source, target)):
                                self.error(file, number, f"`Course:` names {target}, which does not exist")

    # ---------------------------------------------------------------- all of it
    def check(self, docs):
        self.anchor_checks = []
        headings = {}
        for doc in docs:
            headings[os.path.abspath(doc)] = self.check_doc(os.path.abspath(doc))
        for path, line, target, resolved, anchor in self.anchor_checks:
            if not resolved.endswith(".md"):
                continue
            if resolved not in headings:
                headings[resolved] = markdown_headings(resolved)
            if anchor.lower() not in headings[resolved]:
                choices = ", ".join(sorted(headings[resolved])) or "none"
                self.error(path, line, f"link ({target}): {os.path.relpath(resolved, self.source)} has no heading "
                           f"with the anchor #{anchor} (its anchors: {choices})")
        self.check_examples()
        self.check_course_pointers()


def slug(heading):
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|__|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def shell_commands(body):
    """The commands of a ```sh block: (1-based line in the block, command) for each line that is
    not blank or a comment; a line ending in a backslash continues on the next."""
    result, current, start = [], "", 0
    for number, text in enumerate(body, 1):
        stripped = text.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if not current:
            start = number
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        result.append((start, current + stripped))
        current = ""
    if current:
        result.append((start, current.strip()))
    return result


def lang_of(fence_line):
    return FENCE.sub("", fence_line).strip().lower()


def markdown_headings(path):
    result, in_fence = set(), False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence:
                heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
                if heading:
                    result.add(slug(heading.group(1)))
    return result


def strip_code_spans(text):
    return CODE_SPAN.sub("", text)


def expand_braces(word):
    match = re.search(r"\{([^{}]*)\}", word)
    if not match:
        return [word]
    return [x for part in match.group(1).split(",")
            for x in expand_braces(word[:match.start()] + part + word[match.end():])]


def same_under_indent(source_lines, segment):
    """True when segment equals source_lines with one common extra indentation removed."""
    indent = None
    for have, want in zip(source_lines, segment):
        if not want.strip():
            if have.strip():
                return False
            continue
        if not have.endswith(want) or have[:len(have) - len(want)].strip():
            return False
        extra = have[:len(have) - len(want)]
        if indent is None:
            indent = extra
        elif extra != indent:
            return False
    return True


def closest_excerpt(want, got):
    """--update of an output excerpt: the run of `got` that the stale excerpt `want` most likely
    was (lines may have gained or lost text, a few lines may have come or gone). Starts where the
    excerpt's first lines match best, ends at the best match of its last line within twice its
    length. The result is a proposal: read the diff before committing it."""
    def like(a, b):
        return difflib.SequenceMatcher(None, a, b).ratio()
    n, head = len(want), want[:3]
    starts = range(max(1, len(got) - len(head) + 1))
    start = max(starts, key=lambda s: sum(like(a, b) for a, b in zip(head, got[s:s + len(head)])))
    ends = range(start, min(len(got), start + 2 * n))
    end = max(ends, key=lambda e: (like(want[-1], got[e]), -abs(e - start - n + 1)), default=start)
    return got[start:end + 1]


def find_segment(source, segment, start):
    n = len(segment)
    for i in range(start, len(source) - n + 1):
        if same_under_indent(source[i:i + n], segment):
            return i
    return None


def closest_run(source, segment, start):
    best, best_score = start, -1
    wanted = [s.strip() for s in segment]
    for i in range(start, max(start + 1, len(source) - len(segment) + 1)):
        score = sum(1 for a, b in zip(source[i:i + len(segment)], wanted) if a.strip() == b)
        if score > best_score:
            best, best_score = i, score
    return best


# A lambda's type name is the compiler's: GCC spells it {lambda()#1}, Clang $_0 where no ABI name is needed.
LAMBDA_NAME = re.compile(r"\{lambda\([^)]*\)#\d+\}|\$_\d+")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", required=True, help="the repository root")
    parser.add_argument("--build", required=True,
                        help="the build directory; the docs' commands run from --source, `build/release/` standing for it")
    parser.add_argument("--any-lambda-names", action="store_true",
                        help="compare lambda type names loosely (the quotes are GCC's; for other compilers)")
    parser.add_argument("--update", action="store_true",
                        help="rewrite each stale output block with what its command prints now "
                             "(excerpts: the closest run); review the diff before committing")
    parser.add_argument("docs", nargs="*", help="Markdown files (default: README.md and docs/*.md)")
    args = parser.parse_args()
    docs = args.docs or ([os.path.join(args.source, "README.md")] + sorted(glob.glob(os.path.join(args.source, "docs", "*.md")))
                         + sorted(glob.glob(os.path.join(args.source, "docs", "answers", "*.md"))))
    checker = Checker(args.source, args.build)
    checker.any_lambda_names = args.any_lambda_names
    checker.update = args.update
    checker.check(docs)
    if checker.errors:
        print("\n\n".join(checker.errors))
        print(f"\ncheck_docs: {len(checker.errors)} problem(s) in {len(docs)} files")
        sys.exit(1)
    if checker.updated:
        print(f"check_docs: rewrote {checker.updated} output block(s); review them with git diff")
    c = checker.checked
    print(f"check_docs: {len(docs)} files ok: {c['output']} quoted outputs, {c['commands']} commands (sh and console blocks, prose), "
          f"{c['code']} code excerpts, {c['links']} links, {c['paths']} repo paths, {c['examples']} examples")
    print(f"check_docs: {checker.blocks_run} command blocks run, {checker.blocks_not_run} not run (<!-- not-run: WHY -->)")


if __name__ == "__main__":
    main()
