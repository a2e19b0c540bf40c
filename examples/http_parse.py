# http_parse.py: a careful reader of one HTTP/1.1 response from a StreamReader, for example 12.
# Python twin of examples/http_parse.hpp: the same checks, caps and messages.
import asyncio

MAX_LINE = 8192  # one status or header line, line end included
MAX_HEADERS = 100  # header lines (and trailer lines)
MAX_HEAD = 65536  # status line and headers together
MAX_BODY = 1 << 20  # the body, however it is framed
MAX_INTERIM = 10  # interim (1xx) responses before the final one
TOKEN = set(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class HttpError(Exception):
    pass


def show(data, most=40):
    """Bytes as a quoted, escaped, shortened string, the same in C++ and Python."""
    out = "'"
    for c in data[:most]:
        if c in b"'\\":
            out += "\\" + chr(c)
        elif c in b"\n\r\t":
            out += {10: "\\n", 13: "\\r", 9: "\\t"}[c]
        elif 0x20 <= c < 0x7F:
            out += chr(c)
        else:
            out += f"\\x{c:02x}"
    return out + ("'..." if len(data) > most else "'")


async def read_line(reader, where, at_eof=""):
    """One line without its line end; EOF before it is an error (at_eof, if given, when the
    connection closed before the line's first byte), never an empty line."""
    too_long = f"{where} too long (more than {MAX_LINE} bytes)"
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as e:
        if not e.partial and at_eof:
            raise HttpError(at_eof)
        raise HttpError(f"connection closed inside the {where}")
    except asyncio.LimitOverrunError:
        raise HttpError(too_long)
    if len(line) > MAX_LINE:
        raise HttpError(too_long)
    return line[:-2] if line.endswith(b"\r\n") else line[:-1]


async def read_fields(reader, where, head_size):
    fields = []
    while line := await read_line(reader, where):
        head_size += len(line) + 2
        if head_size > MAX_HEAD:
            raise HttpError(f"{where}s too large (more than {MAX_HEAD} bytes)")
        if len(fields) == MAX_HEADERS:
            raise HttpError(f"too many {where}s (more than {MAX_HEADERS})")
        name, colon, value = line.partition(b":")
        if not colon or not name or not set(name) <= TOKEN:
            raise HttpError(f"bad {where}: {show(line)}")
        fields.append((name.lower(), value.strip(b" \t")))
    return fields


def parse_number(s, base, digits):
    ok = b"0123456789abcdefABCDEF" if base == 16 else b"0123456789"
    if not s or len(s) > digits or not set(s) <= set(ok):
        return -1
    return int(s, base)


def too_large(n):
    return f"body too large: {n} bytes is over the limit of {MAX_BODY}"


async def read_exactly(reader, n, where):
    try:
        return await reader.readexactly(n)
    except asyncio.IncompleteReadError as e:
        raise HttpError(f"connection closed inside the {where} ({len(e.partial)} of {n} bytes)")


async def read_chunked(reader):
    body = b""
    while True:
        line = await read_line(reader, "chunk size line")
        size_text = line.partition(b";")[0].strip(b" \t")
        size = parse_number(size_text, 16, 8)
        if size < 0:
            raise HttpError(f"bad chunk size: {show(line)}")
        if size == 0:
            break
        if len(body) + size > MAX_BODY:
            raise HttpError(too_large(len(body) + size))
        body += await read_exactly(reader, size, "chunk")
        if await read_line(reader, "chunk"):
            raise HttpError(f"bad chunk: no line end after its {size_text.decode()} bytes")
    await read_fields(reader, "trailer line", 0)
    return body


def parse_status_line(line):
    """(status, reason) of "HTTP/1.x NNN reason", or HttpError."""
    code = line[9:12]
    status = parse_number(code, 10, 3)
    if (len(line) < 12 or not line.startswith(b"HTTP/1.") or not line[7:8].isdigit() or line[8:9] != b" "
            or status < 100 or status > 599 or (len(line) > 12 and line[12:13] != b" ")):
        raise HttpError(f"bad status line: {show(line)}")
    return status, line[13:].decode("latin-1")


async def read_response(reader):
    """(status, reason, headers, body) of one response, or HttpError naming what was wrong."""
    # Interim responses (1xx: 100 Continue, 103 Early Hints, ...) come before the final one: a
    # status line and headers, no body. Skip them; 101 only answers an upgrade we never ask for.
    interim = 0
    while True:
        at_eof = ("empty response: the connection closed before the status line" if not interim else
                  f"connection closed after {interim} interim (1xx) response{'' if interim == 1 else 's'}, "
                  "before the final one")
        line = await read_line(reader, "status line", at_eof)
        status, reason = parse_status_line(line)
        if status >= 200:
            break
        if status == 101:
            raise HttpError("unexpected 101 Switching Protocols: this client asked for no upgrade")
        if interim == MAX_INTERIM:
            raise HttpError(f"too many interim (1xx) responses (more than {MAX_INTERIM})")
        await read_fields(reader, "header line", len(line) + 2)
        interim += 1
    headers = await read_fields(reader, "header line", len(line) + 2)
    length_text, encoding = b"", b""
    for name, value in headers:
        if name == b"content-length":
            if length_text and value != length_text:
                raise HttpError(f"conflicting Content-Length headers: {show(length_text)} and {show(value)}")
            length_text = value
        elif name == b"transfer-encoding":
            encoding = value
    if encoding and length_text:
        raise HttpError("both Transfer-Encoding and Content-Length given")
    body = b""
    if status in (204, 304):
        return status, reason, headers, body
    if encoding:
        if encoding.lower() != b"chunked":
            raise HttpError(f"unsupported Transfer-Encoding: {show(encoding)}")
        body = await read_chunked(reader)
    elif length_text:
        length = parse_number(length_text, 10, 18)
        if length < 0:
            raise HttpError(f"bad Content-Length: {show(length_text)}")
        if length > MAX_BODY:
            raise HttpError(too_large(length))
        body = await read_exactly(reader, length, "body")
    else:  # no framing: the body runs to EOF
        body = await reader.read(MAX_BODY + 1)
        while len(body) <= MAX_BODY and (more := await reader.read(MAX_BODY + 1 - len(body))):
            body += more
        if len(body) > MAX_BODY:
            raise HttpError(f"body too large: more than {MAX_BODY} bytes")
    return status, reason, headers, body


def parse_timeout(text):
    """--timeout's value: seconds written as digits with at most one '.', above 0; else a usage error."""
    digits_only = (text and set(text) <= set("0123456789.") and any(c.isdigit() for c in text)
                   and text.count(".") <= 1 and len(text) <= 20)
    seconds = float(text) if digits_only else 0.0
    if not seconds > 0:
        raise HttpError(f"bad --timeout value: {show(text.encode('utf-8', 'surrogateescape'))} "
                        "(seconds: a number above 0, such as 2.5)")
    return seconds
