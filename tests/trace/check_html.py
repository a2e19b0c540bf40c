#!/usr/bin/env python3
"""Opens asyncio-trace's HTML timeline in headless Chromium and checks that it works offline:
no script error on the console, every pass drawn (the page's script marks <body> with the count),
and a screenshot that really shows the drawing (pixels of the "awaited" blue, #48c).

usage: check_html.py CHROMIUM FILE.html PASSES [TEXT...]
Each TEXT (a task name from the program, say) must show on the page as text, escaped, never as markup.
"""
import html
import os
import struct
import subprocess
import sys
import tempfile
import zlib

chromium, page, passes = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3])
texts = sys.argv[4:]
common = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--no-first-run", "--enable-logging=stderr", "--v=0", "--window-size=1400,700"]

dom = subprocess.run(common + ["--dump-dom", "file://" + page], capture_output=True, text=True, timeout=120)
errors = [l for l in dom.stderr.splitlines() if "Uncaught" in l or ("CONSOLE" in l and "rror" in l)]
assert not errors, "script errors:\n" + "\n".join(errors)
assert f'data-drawn-passes="{passes}"' in dom.stdout, "the page did not draw its passes:\n" + dom.stdout[-2000:]
assert dom.stdout.count('class="pass"') == passes, "one column per pass"
for text in texts:
    assert html.escape(text, quote=False) in dom.stdout, f"{text!r} is not on the page as text"


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


with tempfile.TemporaryDirectory() as tmp:
    shot = os.path.join(tmp, "shot.png")
    subprocess.run(common + ["--screenshot=" + shot, "file://" + page], capture_output=True, timeout=120)
    rows = pixels(open(shot, "rb").read())
blue = sum(1 for row in rows for px in row if px == (0x44, 0x88, 0xCC))
assert blue > 200, f"the screenshot shows almost no 'awaited' slices ({blue} pixels)"
print(f"check_html: ok ({passes} passes drawn, {blue} blue pixels)")
