"""A minimal HTTP client that keeps the bytes exactly as they crossed the wire.

WARC ``request``/``response`` blocks must hold the HTTP message as sent and received, with
``Transfer-Encoding`` framing intact (notes/archival.md §1, §3). ``http.client``, urllib3 and
httpx all de-chunk before handing the body over, so we speak HTTP ourselves: one request per
connection (``Connection: close``), to an IP address the caller has already vetted (so the
address that was checked is the address that is connected to: no second DNS lookup), with a
connect timeout, a read timeout and an absolute deadline that also cuts off servers that
trickle bytes slowly, and a cap on the entity size.

Requests are HTTP/1.0 (with ``Host``), as Heritrix sends by default: a compliant server must
not answer a 1.0 request with ``Transfer-Encoding: chunked`` (RFC 9112 §6.1) nor with 1xx
interim responses (RFC 9110 §15.2), so the response block holds the entity unframed and every
WARC reader computes the same payload digest (warcio hashes chunk framing, warcio#74). A server
that chunks anyway is still de-chunked for the digest (``WireResponse.chunked`` says so, the
fetcher counts it). Interim 1xx responses a server sends anyway are skipped to the final one;
their bytes are kept apart in ``WireResponse.interim`` so the response block starts with the
status line of the response it records.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from dataclasses import dataclass, field

MAX_HEADER_BYTES = 64 * 1024
_RECV = 64 * 1024


class WireError(Exception):
    """No HTTP response could be had. ``kind`` is a stable error class for reports."""

    def __init__(self, kind: str, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable


@dataclass
class WireResponse:
    request: bytes  # exactly what was sent
    raw: bytes  # exactly what was received (status line, headers, body as framed), maybe cut
    header_len: int  # raw[:header_len] is the status line + headers + blank line
    status: int
    reason: str
    headers: list[tuple[str, str]]
    entity: bytes  # body with the transfer coding removed, content coding kept
    truncated: str | None = None  # WARC-Truncated reason: length | time | disconnect
    elapsed: float = 0.0
    chunked: bool = False  # the body came with Transfer-Encoding: chunked
    interim: bytes = b""  # 1xx interim responses received before this one, verbatim

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None


@dataclass
class _Chunked:
    """Incremental de-chunker: knows when the last chunk and trailers have arrived."""

    entity: bytearray = field(default_factory=bytearray)
    buf: bytearray = field(default_factory=bytearray)
    remaining: int = -1  # bytes of chunk data still to come; -1 = expecting a size line
    state: str = "size"  # size | data | data-crlf | trailer | done
    malformed: bool = False

    def feed(self, data: bytes) -> None:
        self.buf += data
        while self.state != "done" and not self.malformed:
            if self.state == "size":
                eol = self.buf.find(b"\n")
                if eol < 0:
                    if len(self.buf) > 4096:
                        self.malformed = True
                    return
                line = bytes(self.buf[:eol]).strip().split(b";")[0].strip()
                del self.buf[: eol + 1]
                try:
                    size = int(line, 16)
                except ValueError:
                    self.malformed = True
                    return
                if size == 0:
                    self.state = "trailer"
                else:
                    self.remaining = size
                    self.state = "data"
            elif self.state == "data":
                if not self.buf:
                    return
                take = min(self.remaining, len(self.buf))
                self.entity += self.buf[:take]
                del self.buf[:take]
                self.remaining -= take
                if self.remaining == 0:
                    self.state = "data-crlf"
            elif self.state == "data-crlf":
                eol = self.buf.find(b"\n")
                if eol < 0:
                    return
                del self.buf[: eol + 1]
                self.state = "size"
            elif self.state == "trailer":
                eol = self.buf.find(b"\n")
                if eol < 0:
                    if len(self.buf) > MAX_HEADER_BYTES:
                        self.malformed = True
                    return
                line = bytes(self.buf[:eol]).strip()
                del self.buf[: eol + 1]
                if not line:
                    self.state = "done"
            else:  # pragma: no cover
                return

    @property
    def done(self) -> bool:
        return self.state == "done"


def build_request(method: str, target: str, host_header: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"{method} {target} HTTP/1.0", f"Host: {host_header}", *(f"{k}: {v}" for k, v in headers)]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def parse_head(head: bytes) -> tuple[int, str, list[tuple[str, str]]]:
    text = head.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    status_line = lines[0]
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise WireError("bad-response", f"not an HTTP status line: {status_line[:80]!r}", retryable=False)
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        if ":" in line:
            k, v = line.split(":", 1)
            headers.append((k.strip(), v.strip()))
    return int(parts[1]), parts[2].strip() if len(parts) > 2 else "", headers


def _find_head_end(data: bytes | bytearray) -> int:
    """Index just past the blank line ending the headers, or -1."""
    i = data.find(b"\r\n\r\n")
    j = data.find(b"\n\n")
    ends = [x + 4 for x in (i,) if x >= 0] + [x + 2 for x in (j,) if x >= 0]
    return min(ends) if ends else -1


def exchange(
    *,
    ip: str,
    port: int,
    tls_host: str | None,
    request: bytes,
    connect_timeout: float,
    read_timeout: float,
    deadline: float,
    max_bytes: int,
    head_only: bool = False,
    ca_file: str | None = None,
) -> WireResponse:
    """Send ``request`` to ``ip:port`` and read the response as received.

    ``deadline`` is a ``time.monotonic()`` instant: past it the body is cut (``time``);
    a response whose headers have not all arrived by then is a ``timeout`` error.
    """
    start = time.monotonic()
    try:
        sock = socket.create_connection((ip, port), timeout=min(connect_timeout, max(0.01, deadline - start)))
    except TimeoutError as e:
        raise WireError("connect-timeout", f"connecting to {ip}:{port}: timed out") from e
    except OSError as e:
        raise WireError("connect-error", f"connecting to {ip}:{port}: {e.strerror or e}") from e
    try:
        if tls_host is not None:
            ctx = ssl.create_default_context()
            if ca_file:
                ctx.load_verify_locations(cafile=ca_file)
            try:
                sock = ctx.wrap_socket(sock, server_hostname=tls_host)
            except ssl.SSLCertVerificationError as e:
                raise WireError("tls-error", f"{tls_host}: {e.verify_message or e}", retryable=False) from e
            except (ssl.SSLError, OSError) as e:
                raise WireError("tls-error", f"{tls_host}: {e}") from e
        try:
            sock.sendall(request)
        except OSError as e:
            raise WireError("connect-error", f"sending to {ip}:{port}: {e.strerror or e}") from e
        return _read_response(sock, request, start, read_timeout, deadline, max_bytes, head_only)
    finally:
        with contextlib.suppress(OSError):
            sock.close()


def _recv(sock: socket.socket, n: int, read_timeout: float, deadline: float) -> bytes | None:
    """Bytes, b"" at EOF, or None when the read timeout or the deadline ran out."""
    left = deadline - time.monotonic()
    if left <= 0:
        return None
    sock.settimeout(min(read_timeout, left))
    try:
        return sock.recv(n)
    except TimeoutError:
        return None
    except ssl.SSLError as e:  # e.g. an unclean TLS close: treat as end of stream
        if "timed out" in str(e):
            return None
        return b""
    except (ConnectionResetError, BrokenPipeError):
        return b""


def _read_response(
    sock: socket.socket,
    request: bytes,
    start: float,
    read_timeout: float,
    deadline: float,
    max_bytes: int,
    head_only: bool,
) -> WireResponse:
    raw = bytearray()
    interim = bytearray()
    while True:
        end = _find_head_end(raw)
        if end > MAX_HEADER_BYTES:
            raise WireError("bad-response", f"response headers exceed {MAX_HEADER_BYTES} bytes", retryable=False)
        if end < 0:
            end = _read_head(sock, raw, read_timeout, deadline)
        status, reason, headers = parse_head(bytes(raw[:end]))
        # 1xx (but not 101, which switches protocols) precede the real response: skip them.
        if 100 <= status < 200 and status != 101:
            interim += raw[:end]
            del raw[:end]
            if len(interim) > MAX_HEADER_BYTES:
                raise WireError("bad-response", f"interim 1xx responses exceed {MAX_HEADER_BYTES} bytes",
                                retryable=False)
            continue
        break
    return _read_body(sock, request, raw, end, status, reason, headers, bytes(interim), start,
                      read_timeout, deadline, max_bytes, head_only)


def _read_head(sock: socket.socket, raw: bytearray, read_timeout: float, deadline: float) -> int:
    """Receive into ``raw`` until it holds a complete header block; the index just past it."""
    while True:
        got = _recv(sock, _RECV, read_timeout, deadline)
        if got is None:
            what = "deadline" if time.monotonic() >= deadline else "read timeout"
            raise WireError("timeout", f"no complete response headers before the {what} ({len(raw)} bytes received)")
        if not got:
            if not raw:
                raise WireError("empty-response", "connection closed before any response byte")
            raise WireError("bad-response", f"connection closed inside the response headers ({len(raw)} bytes)")
        raw += got
        end = _find_head_end(raw)
        if end >= 0 and end <= MAX_HEADER_BYTES:
            return end
        if len(raw) > MAX_HEADER_BYTES:
            raise WireError("bad-response", f"response headers exceed {MAX_HEADER_BYTES} bytes", retryable=False)


def _read_body(
    sock: socket.socket,
    request: bytes,
    raw: bytearray,
    end: int,
    status: int,
    reason: str,
    headers: list[tuple[str, str]],
    interim: bytes,
    start: float,
    read_timeout: float,
    deadline: float,
    max_bytes: int,
    head_only: bool,
) -> WireResponse:
    resp = WireResponse(request, b"", end, status, reason, headers, b"", interim=interim)
    te = (resp.header("Transfer-Encoding") or "").lower()
    cl_text = resp.header("Content-Length")
    no_body = head_only or status in (204, 304) or 100 <= status < 200
    chunked = _Chunked() if "chunked" in te else None
    length: int | None = None
    if chunked is None and cl_text is not None:
        try:
            length = int(cl_text.strip())
        except ValueError:
            length = None  # unusable: read to the close
        if length is not None and length < 0:
            length = None

    body = bytearray(raw[end:])
    truncated: str | None = None
    if no_body:
        body.clear()
    else:
        if chunked is not None:
            chunked.feed(bytes(body))
        while True:
            if chunked is not None:
                if chunked.done or chunked.malformed:
                    break
                # framing overhead (tiny chunks, endless trailers) must not grow memory either
                if len(chunked.entity) >= max_bytes or len(body) >= 2 * max_bytes + MAX_HEADER_BYTES:
                    truncated = "length"
                    break
            elif length is not None and len(body) >= length:
                del body[length:]
                break
            if chunked is None and len(body) >= max_bytes:
                del body[max_bytes:]
                truncated = "length"
                break
            want = _RECV if chunked is not None else min(_RECV, max_bytes - len(body))
            if length is not None:
                want = min(want, length - len(body))
            got = _recv(sock, max(1, want), read_timeout, deadline)
            if got is None:
                truncated = "time"
                break
            if not got:
                if chunked is not None or length is not None:
                    truncated = "disconnect"
                break
            body += got
            if chunked is not None:
                chunked.feed(got)
    entity = bytes(chunked.entity) if chunked is not None else bytes(body)
    if chunked is not None and chunked.malformed:
        truncated = truncated or "unspecified"
    resp.raw = bytes(raw[:end]) + bytes(body)
    resp.entity = entity
    resp.truncated = truncated
    resp.chunked = chunked is not None
    resp.elapsed = time.monotonic() - start
    return resp
