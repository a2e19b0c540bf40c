#!/usr/bin/env python3
"""make_seeds.py: writes the hand-made seed inputs of tests/fuzz/corpus/ (re-run after changing
an input format; the regression inputs of findings, crash-*, are kept as libFuzzer wrote them).

usage: make_seeds.py [CORPUS_DIR]   (default: the corpus/ beside this file)
Formats: tests/fuzz/README.md. The HTTP seeds are run_case.py's 25 malformed responses, each
whole and in small chunks, plus a few URLs and timeouts; the stream seeds exercise each read at
the limit. The trace reader's seeds are streams asyncio-trace wrote (tests/fuzz/README.md).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http_client"))
from run_case import CASES  # noqa: E402


def chunk(data):  # opcode 0: a chunk of at most 47 bytes
    out = b""
    for i in range(0, len(data), 47):
        piece = data[i:i + 47]
        out += bytes([0, len(piece)]) + piece
    return out or bytes([0, 0])


READLINE, AT_EOF = bytes([1]), bytes([5])
CRLF = bytes([6])


def until(sep):
    return bytes([2, len(sep) - 1]) + sep


def exactly(n):
    return bytes([3, n])


def read(n):
    return bytes([4, 255 if n < 0 else n])


STREAMS = {
    "lines": bytes([16]) + chunk(b"one\ntwo\nthree") + READLINE * 4 + AT_EOF,
    "line_over_limit": bytes([4]) + chunk(b"abcdefgh\nxy") + READLINE + read(10) + AT_EOF,
    "no_separator": bytes([3]) + chunk(b"abcdefg") + until(b"\n") + read(-1),
    "crlf_split": bytes([20]) + chunk(b"GET / HTTP/1.1\r") + chunk(b"\nHost: x\r\n\r\n") + CRLF * 3,
    "multibyte_sep": bytes([30]) + chunk(b"a--b-") + chunk(b"-c---") + until(b"---") * 3 + until(b"--"),
    "exactly_short": bytes([10]) + chunk(b"abc") + exactly(5) + exactly(0) + AT_EOF,
    "exactly_across": bytes([8]) + chunk(b"0123") + bytes([7, 0]) + chunk(b"4567") + exactly(6) + read(-1),
    "read_all_chunks": bytes([2]) + chunk(b"x" * 40) + chunk(b"y" * 40) + read(-1) + read(5),
    "many_small": bytes([63]) + b"".join(bytes([7, 2]) + b"a\n" for _ in range(30)) + READLINE * 31,
    "empty": bytes([5]) + READLINE + until(b"xy") + exactly(1) + read(3) + AT_EOF,
}

URLS = [b"http://127.0.0.1:8000/hello.txt", b"http://example.org", b"http://host:0/", b"http://:80/",
        b"https://x/", b"http://h:65536/p", b"http://a:99999999999999999999/"]

TIMEOUTS = [b"2.5", b"0", b"abc", b".5", b"1.", b"1e3", b"99999999999999999999", b"0.000000000000000001", b"1..2"]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    written = 0
    for target, seeds in (("streams", STREAMS), ("http_response", http_seeds())):
        os.makedirs(os.path.join(root, target), exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(root, target, f"seed-{name}"), "wb") as f:
                f.write(data)
            written += 1
    print(f"{written} seeds written under {root}")


def http_seeds():
    seeds = {}
    for name, (response, _timeout, _status, _line) in CASES.items():
        if response is None:
            continue
        data = response.encode("latin-1")
        seeds[name] = bytes([255]) + data  # all at once
        if len(data) < 4096:
            seeds[f"{name}-3"] = bytes([2]) + data  # 3-byte chunks: lines split across reads
    for i, url in enumerate(URLS):
        seeds[f"url-{i}"] = bytes([0]) + url
    for i, text in enumerate(TIMEOUTS):
        seeds[f"timeout-{i}"] = bytes([1]) + text
    return seeds


if __name__ == "__main__":
    main()
