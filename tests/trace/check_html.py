#!/usr/bin/env python3
"""Opens asyncio-trace's HTML view in headless Chromium, drives it through the DevTools protocol
over --remote-debugging-pipe (Python's standard library only) and checks that it works offline:

- no script error and no console error while the page loads and while it is used;
- every pass drawn (one .pass group each), one lane per task plus the loop's, arrows from causes,
  and a legend entry for every colour the timeline uses;
- the keys move the selection: Right/Left one step, Shift+Right/Left one pass, Home/End; T
  switches the axis to time and back; the panel names the selected pass and lists every task;
- with --slow: a callback is marked slow, drawn in the slow colour and wider than every other
  callback on the axis by pass, and on the time axis it is the widest callback drawn;
- each TEXT (a hostile task name) is on the page as text, never as markup;
- at 1280x720 the page is one screen: at the first step the panel (its title, explanation, ready
  queue, timer heap, task table, output) is in sight, none of it below the fold or scrolled away;
- the lane names stay put while the time axis scrolls (and nothing is drawn over them);
- with causes (format version 2): the panel lists the timer heap's head as recorded ("due at ...");
- screenshots at 1280x720 (kept in --shots DIR) really show the drawing (pixels of the
  "running" blue, #2a7de1).
Nothing here is timed: waits end when Chromium answers; the timeout is only a safety net.

- with --arrows KIND,KIND: an arrow of each kind (timer, fd, set_result, call_soon, thread) is drawn,
  each from where its cause happened to the callback it woke;

usage: check_html.py CHROMIUM FILE.html PASSES [--slow] [--arrows KINDS] [--shots DIR] [--text TEXT...]
"""
import argparse
import base64
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

parser = argparse.ArgumentParser()
parser.add_argument("chromium")
parser.add_argument("page")
parser.add_argument("passes", type=int, help="passes the trace holds (0: as many as its data says)")
parser.add_argument("--slow", action="store_true")
parser.add_argument("--arrows", default="")
parser.add_argument("--shots", default=None)
parser.add_argument("--text", dest="texts", action="append", default=[])
args = parser.parse_args()
page = os.path.abspath(args.page)
shots = args.shots or os.path.dirname(page)
stem = os.path.splitext(os.path.basename(page))[0]
SAFETY = 180  # seconds without any answer from Chromium: give up (a hang, not a slow machine)


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="check_html.")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():  # Chromium reads fd 3 and writes fd 4 (dup2 onto itself would keep O_CLOEXEC)
            reads, writes = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(reads, 3)
            os.dup2(writes, 4)

        self.proc = subprocess.Popen(
            [args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + self.profile,
             "--window-size=1280,720", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read_message(self):
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.from_chrome], [], [], SAFETY)
            if not ready:
                raise SystemExit("check_html: Chromium did not answer (safety timeout)")
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise SystemExit("check_html: Chromium closed the pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, session=True, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise SystemExit(f"check_html: {method} failed: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method):
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == method:
                    return self.events.pop(i)
            self.events.append(self._read_message())

    def eval(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise SystemExit(f"check_html: evaluating {expression!r} threw {result['exceptionDetails']}")
        return result["result"].get("value")

    def errors(self):
        found = []
        for e in self.events:
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.exceptionThrown":
                found.append(json.dumps(p["exceptionDetails"])[:400])
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                found.append("console." + p["type"] + ": " + json.dumps(p.get("args"))[:400])
            elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
                found.append("log: " + p["entry"].get("text", ""))
        return found

    def key(self, key, code, shift=False):
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code, windowsVirtualKeyCode=code_of(code),
                      modifiers=8 if shift else 0)

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except (SystemExit, OSError):
            pass
        try:
            self.proc.wait(timeout=SAFETY)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def code_of(code):
    return {"ArrowRight": 39, "ArrowLeft": 37, "Home": 36, "End": 35, "KeyT": 84}[code]


def pixels(png):
    """Decodes an 8-bit RGB or RGBA, non-interlaced PNG into rows of (r, g, b) tuples."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", data)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw, stride, prev, out = zlib.decompress(idat), width * bpp, bytearray(width * bpp), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append([tuple(line[i:i + 3]) for i in range(0, stride, bpp)])
        prev = line
    return out


def screenshot(b, name):
    png = base64.b64decode(b.call("Page.captureScreenshot", format="png")["data"])
    os.makedirs(shots, exist_ok=True)
    path = os.path.join(shots, name)
    with open(path, "wb") as f:
        f.write(png)
    return pixels(png), path


b = Browser()
try:
    target = next(t for t in b.call("Target.getTargets", session=False)["targetInfos"] if t["type"] == "page")
    b.session = b.call("Target.attachToTarget", session=False, targetId=target["targetId"], flatten=True)["sessionId"]
    for domain in ("Runtime", "Log", "Page"):
        b.call(domain + ".enable")
    b.call("Emulation.setDeviceMetricsOverride", width=1280, height=720, deviceScaleFactor=1, mobile=False)
    b.call("Page.navigate", url="file://" + page)
    b.wait_event("Page.loadEventFired")

    if args.passes == 0:
        args.passes = b.eval("JSON.parse(document.getElementById('trace-data').textContent).passes.length")
    attr = lambda name: b.eval(f"document.body.getAttribute({json.dumps(name)})")
    state = lambda: (int(attr("data-stop")), int(attr("data-selected-pass")), int(attr("data-selected-step")))
    assert not b.errors(), "script errors while loading:\n" + "\n".join(b.errors())
    assert attr("data-drawn-passes") == str(args.passes), f"the page did not draw its {args.passes} passes"
    assert b.eval("document.querySelectorAll('#timeline g.pass').length") == args.passes, "one .pass group per pass"
    tasks = b.eval("JSON.parse(document.getElementById('trace-data').textContent).tasks.map(t => t.id)")
    lanes = b.eval("[...document.querySelectorAll('#timeline g.lane')].map(g => g.getAttribute('data-lane'))")
    assert lanes == ["loop", "plain"] + [f"t{t}" for t in tasks], f"one lane per task after the loop's: {lanes}"
    names = b.eval("[...document.querySelectorAll('#timeline text.lane-name')].map(e => e.textContent)")
    assert len(names) == len(set(names)), f"two lanes carry the same name (tasks of one name need their ids): {names}"
    used = set(b.eval("[...document.querySelectorAll('#timeline [data-key]')].map(e => e.getAttribute('data-key'))"))
    legend = set(b.eval("[...document.querySelectorAll('#legend .legend-item')].map(e => e.getAttribute('data-key'))"))
    assert used and used <= legend, f"colours without a legend entry: {used - legend}"
    arrows = b.eval("[...document.querySelectorAll('#timeline path.arrow')].map(e => e.getAttribute('data-kind'))")
    assert arrows, "no cause arrows drawn"
    wanted = set(filter(None, args.arrows.split(",")))
    assert wanted <= set(arrows), f"arrows missing: {wanted - set(arrows)} (drawn: {sorted(set(arrows))})"
    assert {"step1", "step2", "step3", "step4"} & used, "the loop's lane shows no step"
    assert "step4" in used and "ready" in used, f"no step-4 or ready span drawn: {used}"

    # One screen at 1280x720: the page does not scroll, and each part of the panel shows its first
    # line inside the viewport and inside every box that scrolls around it.
    assert b.eval("document.documentElement.scrollHeight <= innerHeight"), "the page is taller than the window"
    in_sight = """(sel) => { const e = document.querySelector(sel); if (!e) return sel + ': missing';
        const r = e.getBoundingClientRect(), top = r.top, line = top + Math.min(r.height, 14);
        if (top < 0 || line > innerHeight) return sel + ': outside the window (' + top + '..' + line + ')';
        for (let a = e.parentElement; a; a = a.parentElement) {
          const o = getComputedStyle(a).overflowY;
          if (o !== 'auto' && o !== 'scroll' && o !== 'hidden') continue;
          const q = a.getBoundingClientRect();
          if (top < q.top - 1 || line > q.bottom + 1) return sel + ': scrolled out of ' + (a.id || a.tagName);
        }
        return ''; }"""
    for part in ("#step-title", "#step-explain", "#ready li", "#heap li", "#tasks tbody tr", "#output"):
        problem = b.eval(f"({in_sight})({json.dumps(part)})")
        assert not problem, f"at the first step, {problem}"
    panel = b.eval("(() => { const r = document.getElementById('panel').getBoundingClientRect(); return [r.top, r.bottom]; })()")
    assert panel[1] <= 720 and panel[1] - panel[0] >= 150, f"the panel does not fit in 720 px: {panel}"
    # Lane names are sticky: scroll the time axis, they stay where they were, on top of the drawing.
    where_names = "[...document.querySelectorAll('#timeline text.lane-name')].map(e => Math.round(e.getBoundingClientRect().x))"
    before = b.eval(where_names)
    scrolled = b.eval("(() => { const box = document.getElementById('timeline-box'); box.scrollLeft = 600; return box.scrollLeft; })()")
    assert scrolled > 0, "the time axis does not scroll (too few passes for this check?)"
    assert b.eval(where_names) == before, f"lane names moved with the time axis: {before} -> {b.eval(where_names)}"
    on_top = b.eval("(() => { const r = document.querySelectorAll('#timeline text.lane-name')[1].getBoundingClientRect();"
                    " const e = document.elementFromPoint(r.x + 4, r.y + r.height / 2);"
                    " return !!(e && e.closest('#lane-names')); })()")
    assert on_top, "the drawing covers the lane names once scrolled"
    b.eval("document.getElementById('timeline-box').scrollLeft = 0")
    causes = b.eval("JSON.parse(document.getElementById('trace-data').textContent).causes")
    if args.slow:
        # On the axis by pass too, the slow callback stands out: the slow colour, wider than the rest.
        slow = b.eval("[...document.querySelectorAll('#timeline rect[data-slow]')].map(r => [+r.getAttribute('width'), r.getAttribute('data-key')])")
        others = b.eval("[...document.querySelectorAll('#timeline g.callback rect:not([data-slow])')].map(r => +r.getAttribute('width'))")
        assert slow and all(k == "slow" for _, k in slow), f"the slow callback is not drawn in the slow colour: {slow}"
        assert min(w for w, _ in slow) > max(others, default=0), f"the slow callback is not the widest by pass: {slow} vs {max(others)}"

    stops = int(attr("data-stops"))
    passes_drawn = b.eval("[...document.querySelectorAll('#timeline g.pass')].map(g => +g.getAttribute('data-pass'))")
    assert state()[0] == 0 and stops >= args.passes, (state(), stops)
    b.key("ArrowRight", "ArrowRight")
    assert state()[0] == 1, f"Right moves one step: {state()}"
    b.key("ArrowLeft", "ArrowLeft")
    assert state()[0] == 0, f"Left moves back: {state()}"
    b.key("ArrowLeft", "ArrowLeft")
    assert state()[0] == 0, "Left at the first step stays there"
    b.key("ArrowRight", "ArrowRight", shift=True)
    assert state()[1] == passes_drawn[1], f"Shift+Right goes to the next pass: {state()}"
    b.key("End", "End")
    assert state()[0] == stops - 1 and state()[1] == passes_drawn[-1], f"End: {state()}"
    b.key("ArrowLeft", "ArrowLeft", shift=True)
    assert state()[1] == passes_drawn[-2], f"Shift+Left goes to the pass before: {state()}"
    title = b.eval("document.getElementById('step-title').textContent")
    assert title.startswith(f"Pass {passes_drawn[-2]} "), title
    rows = b.eval("document.querySelectorAll('#tasks tbody tr').length")
    assert rows == len(tasks), f"the task table lists every task: {rows} rows for {len(tasks)} tasks"
    b.key("Home", "Home")
    assert state()[0] == 0, f"Home: {state()}"
    assert b.eval("document.querySelectorAll('#timeline .sel-band').length") == 1, "the selected step is highlighted"
    rows, shot = screenshot(b, stem + ".pass-axis.png")
    blue = sum(1 for row in rows for px in row if px == (0x2A, 0x7D, 0xE1))
    assert blue > 200, f"the screenshot {shot} shows almost no running slices ({blue} pixels)"

    if causes:
        # The timer heap's head as the stream recorded it, at the first step that has a timer.
        heap = []
        for _ in range(min(stops, 80)):
            heap = b.eval("[...document.querySelectorAll('#heap li:not(.empty)')].map(li => li.textContent)")
            if heap:
                break
            b.key("ArrowRight", "ArrowRight")
        assert heap and heap[0].startswith("due at "), f"no step shows the timer heap's head: {heap}"
        heading = b.eval("document.getElementById('heap').previousElementSibling.textContent")
        assert heading.startswith("Timer heap: ") and "timer" in heading[11:], heading
        b.key("Home", "Home")

    b.key("t", "KeyT")
    assert attr("data-axis") == "time", "T switches the axis to time"
    assert b.eval("document.querySelectorAll('#timeline g.pass').length") == args.passes, "redrawn on the time axis"
    if args.slow:
        slow = b.eval("[...document.querySelectorAll('#timeline rect[data-slow]')].map(r => +r.getAttribute('width'))")
        widths = b.eval("[...document.querySelectorAll('#timeline g.callback rect')].map(r => +r.getAttribute('width'))")
        assert slow, "no callback marked slow"
        assert max(slow) == max(widths), f"the slow callback is not the widest on the time axis: {slow} vs {max(widths)}"
        b.eval("(() => { const r = document.querySelector('#timeline rect[data-slow]'); r.dispatchEvent(new MouseEvent('click')); })()")
        facts = b.eval("document.getElementById('step-facts').textContent")
        assert "blocked the loop" in facts, f"the panel does not name the slow callback: {facts}"
        screenshot(b, stem + ".slow-time-axis.png")
    else:
        screenshot(b, stem + ".time-axis.png")
    b.key("t", "KeyT")
    assert attr("data-axis") == "pass", "T switches back"

    for text in args.texts:
        names = b.eval("[...document.querySelectorAll('#tasks td')].map(td => td.textContent)")
        assert text in names, f"{text!r} is not in the task table as text"
        titles = b.eval("[...document.querySelectorAll('#timeline title')].map(t => t.textContent).join('\\n')")
        assert text in titles, f"{text!r} is not in the timeline's tooltips as text"
    assert b.eval("document.querySelectorAll('img, b, script:not([id=trace-data])').length") == 1, \
        "a task name became markup"
    assert not b.errors(), "script errors:\n" + "\n".join(b.errors())
finally:
    b.close()
print(f"check_html: ok ({args.passes} passes, {len(tasks)} task lanes, {len(arrows)} arrows, {stops} steps; "
      f"screenshots in {shots})")
