"""run_case.py: serve one malformed (or odd) HTTP response and check what example 12 says about it.

Usage: run_case.py CASE CLIENT... (CLIENT: the C++ binary, or python3 examples/12_http_client.py)
       run_case.py --show CASE... -- CLIENT...   (what the client says to each, for docs/11)
The server is a plain socket thread; the client must exit with the expected status and print the
expected line, on stdout for a good response and on stderr for a bad one (exit 1) or a usage
error (exit 2). The same table serves
the C++ example and its Python twin, so their messages are identical by construction.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading

OK = "HTTP/1.1 200 OK\r\n"
CASES = {  # name: (raw response or None for "never answer", --timeout, exit status, expected line)
    "early_close": (OK + "Content-Length: 5\r\n", None, 1, "connection closed inside the header line"),
    "empty": ("", None, 1, "empty response: the connection closed before the status line"),
    "lf_only": ("HTTP/1.1 200 OK\nContent-Length: 5\n\nhello", None, 0, "200 OK, 5 bytes: 'hello'"),
    "garbage": ("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\x00\n\xff", None, 1,
                "bad status line: '\\x16\\x03\\x01\\x00\\xa5\\x01\\x00\\x00\\xa1\\x03\\x03\\x00'"),
    "garbage_no_line_end": ("\x00\xffnot http", None, 1, "connection closed inside the status line"),
    "bad_status": ("HTTP/1.1 2x0 OK\r\n\r\n", None, 1, "bad status line: 'HTTP/1.1 2x0 OK'"),
    "huge_length": (OK + "Content-Length: 1000000000000\r\n\r\n", None, 1,
                    "body too large: 1000000000000 bytes is over the limit of 1048576"),
    "bad_length": (OK + "Content-Length: abc\r\n\r\nhello", None, 1, "bad Content-Length: 'abc'"),
    "duplicate_length": (OK + "Content-Length: 5\r\nContent-Length: 7\r\n\r\nhello", None, 1,
                         "conflicting Content-Length headers: '5' and '7'"),
    "same_length_twice": (OK + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", None, 0, "200 OK, 5 bytes: 'hello'"),
    "short_body": (OK + "Content-Length: 10\r\n\r\nabc", None, 1, "connection closed inside the body (3 of 10 bytes)"),
    "chunked": (OK + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n",
                None, 0, "200 OK, 12 bytes: 'hello, world'"),
    "chunked_bad_size": (OK + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", None, 1, "bad chunk size: 'zz'"),
    "chunked_huge_size": (OK + "Transfer-Encoding: chunked\r\n\r\nffffffffffff\r\n", None, 1, "bad chunk size: 'ffffffffffff'"),
    "chunked_over_limit": (OK + "Transfer-Encoding: chunked\r\n\r\nfffffff\r\n", None, 1,
                           "body too large: 268435455 bytes is over the limit of 1048576"),
    "chunked_no_line_end": (OK + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n", None, 1,
                            "bad chunk: no line end after its 5 bytes"),
    "chunked_early_close": (OK + "Transfer-Encoding: chunked\r\n\r\n5\r\nhel", None, 1,
                            "connection closed inside the chunk (3 of 5 bytes)"),
    "chunked_gzip": (OK + "Transfer-Encoding: gzip\r\n\r\n", None, 1, "unsupported Transfer-Encoding: 'gzip'"),
    "length_and_chunked": (OK + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", None, 1,
                           "both Transfer-Encoding and Content-Length given"),
    "no_colon": (OK + "this is not a header\r\n\r\n", None, 1, "bad header line: 'this is not a header'"),
    "too_many_headers": (OK + "".join(f"X-{i}: {i}\r\n" for i in range(101)) + "\r\n", None, 1,
                         "too many header lines (more than 100)"),
    "long_header": (OK + "X-Long: " + "a" * 9000 + "\r\n\r\n", None, 1, "header line too long (more than 8192 bytes)"),
    "huge_header": (OK + "X-Long: " + "a" * 100000 + "\r\n\r\n", None, 1, "header line too long (more than 8192 bytes)"),
    "headers_too_large": (OK + "".join(f"X-{i}: {'a' * 8000}\r\n" for i in range(9)) + "\r\n", None, 1,
                          "header lines too large (more than 65536 bytes)"),
    "never_answers": (None, "0.5", 1, "no complete response within 0.5 s"),
    "interim_continue": ("HTTP/1.1 100 Continue\r\n\r\n" + OK + "Content-Length: 5\r\n\r\nhello", None, 0,
                         "200 OK, 5 bytes: 'hello'"),
    "interim_early_hints": ("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                            "HTTP/1.1 102 Processing\r\n\r\n" + OK + "Content-Length: 2\r\n\r\nok", None, 0,
                            "200 OK, 2 bytes: 'ok'"),
    "interim_only": ("HTTP/1.1 100 Continue\r\n\r\n", None, 1,
                     "connection closed after 1 interim (1xx) response, before the final one"),
    "interim_switching": ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", None, 1,
                          "unexpected 101 Switching Protocols: this client asked for no upgrade"),
    "interim_too_many": ("HTTP/1.1 100 Continue\r\n\r\n" * 11 + OK + "Content-Length: 0\r\n\r\n", None, 1,
                         "too many interim (1xx) responses (more than 10)"),
    # A bad --timeout is a usage error (exit 2, no GET in the message): the client never connects.
    "timeout_not_a_number": (OK + "Content-Length: 0\r\n\r\n", "abc", 2,
                             "bad --timeout value: 'abc' (seconds: a number above 0, such as 2.5)"),
    "timeout_zero": (OK + "Content-Length: 0\r\n\r\n", "0", 2,
                     "bad --timeout value: '0' (seconds: a number above 0, such as 2.5)"),
    "timeout_negative": (OK + "Content-Length: 0\r\n\r\n", "-1", 2,
                         "bad --timeout value: '-1' (seconds: a number above 0, such as 2.5)"),
}


def serve(listener, response):
    conn, _ = listener.accept()
    with conn:
        conn.recv(65536)  # the request
        if response is None:
            conn.recv(1)  # until the client gives up
            return
        try:
            conn.sendall(response.encode("latin-1"))
        except OSError:  # the client may stop reading an oversized response
            pass


def main():
    name, client = sys.argv[1], sys.argv[2:]
    if name == "--list":  # for CMake: one test per case
        print(";".join(list(CASES) + ["http_server"]))
        return 0
    if name == "http_server":
        return http_server(client)
    if name == "--show":
        return show(client[:client.index("--")], client[client.index("--") + 1:])
    response, timeout, want_status, want_line = CASES[name]
    url, got = run_client(name, client)
    out = got.stdout.decode() if want_status == 0 else got.stderr.decode()
    want = (f"GET {url} -> {want_line}\nall pages fetched\n" if want_status == 0
            else f"error: {want_line}\n" if want_status == 2 else f"error: GET {url}: {want_line}\n")
    if got.returncode != want_status or out != want:
        print(f"{name}: want exit {want_status} and\n{want}got exit {got.returncode}, stdout\n{got.stdout.decode()}"
              f"stderr\n{got.stderr.decode()}")
        return 1
    print(f"{name}: ok")
    return 0


def run_client(name, client):
    """Serve case `name` once and run the client against it: (url, CompletedProcess)."""
    response, timeout, _, _ = CASES[name]
    listener = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=serve, args=(listener, response), daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/{name}"
    args = client + (["--timeout", timeout] if timeout else []) + [url]
    return url, subprocess.run(args, capture_output=True, timeout=60)


def show(names, client):
    """Each case's response, then what the client printed (URL shortened to its path) and its exit status."""
    for name in names:
        response, timeout, _, _ = CASES[name]
        url, got = run_client(name, client)
        said = (got.stdout + got.stderr).decode().replace(url, "/" + name).splitlines()
        sent = "(no answer)" if response is None else repr(response.encode("latin-1"))[1:]
        if len(sent) > 72:
            sent = sent[:69] + "..."
        print(f"{name}{' --timeout ' + timeout if timeout else ''}: {sent}")
        for line in said:
            print(f"  {line}")
        print(f"  exit status {got.returncode}")
    return 0


def http_server(client):
    """A real server: python3 -m http.server serving one file, then a missing one (404)."""
    with tempfile.TemporaryDirectory() as root:
        with open(os.path.join(root, "hello.txt"), "w") as f:
            f.write("hello from http.server\n")
        server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1", "0"],
                                  cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = server.stdout.readline().split(" port ")[1].split()[0]
            url = f"http://127.0.0.1:{port}/hello.txt"
            got = subprocess.run(client + [url], capture_output=True, text=True, timeout=60)
        finally:
            server.kill()
            server.wait()
    want = f"GET {url} -> 200 OK, 23 bytes: 'hello from http.server\\n'\nall pages fetched\n"
    if got.returncode != 0 or got.stdout != want:
        print(f"http_server: want\n{want}got exit {got.returncode}\n{got.stdout}{got.stderr}")
        return 1
    print("http_server: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
