"""A raw-socket HTTP server on 127.0.0.1 for fetcher tests.

Routes write bytes straight to the socket, so tests control framing exactly (chunked bodies,
trickled bytes, broken responses) and know byte for byte what the fetcher received.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Route = bytes | Callable[["Hit", socket.socket], None]


@dataclass
class Hit:
    path: str
    at: float  # time.monotonic() when the request head arrived
    head: bytes
    index: int = 0  # how many earlier hits this path had


def response(status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None,
             *, reason: str | None = None, chunks: list[bytes] | None = None) -> bytes:
    reasons = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 429: "Too Many Requests",
               500: "Internal Server Error", 503: "Service Unavailable"}
    lines = [f"HTTP/1.1 {status} {reason or reasons.get(status, 'Status')}"]
    hdrs = list(headers or [])
    if not any(k.lower() == "content-type" for k, _ in hdrs):
        hdrs.append(("Content-Type", "text/html; charset=utf-8"))
    if chunks is not None:
        hdrs.append(("Transfer-Encoding", "chunked"))
        body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    else:
        hdrs.append(("Content-Length", str(len(body))))
    lines += [f"{k}: {v}" for k, v in hdrs]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def http11(hit: Hit) -> bool:
    return hit.head.split(b"\r\n", 1)[0].rstrip().endswith(b"HTTP/1.1")


def chunked(chunks: list[bytes], headers: list[tuple[str, str]] | None = None, *, always: bool = False) -> Route:
    """A route that chunks its body as a compliant server does: only for an HTTP/1.1 request
    (RFC 9112 §6.1); an HTTP/1.0 client gets the body delimited by the connection close.
    ``always=True`` is the misbehaving server that chunks whatever the request says."""
    def route(hit: Hit, sock: socket.socket) -> None:
        if always or http11(hit):
            sock.sendall(response(200, headers=headers, chunks=chunks))
        else:
            hdrs = list(headers or [])
            if not any(k.lower() == "content-type" for k, _ in hdrs):
                hdrs.append(("Content-Type", "text/html; charset=utf-8"))
            head = "HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs) + "Connection: close\r\n\r\n"
            sock.sendall(head.encode("latin-1") + b"".join(chunks))
    return route


def page(text: str) -> bytes:
    return response(200, f"<html><head><title>{text}</title></head><body><p>{text}</p></body></html>".encode())


def gzipped(body: bytes) -> bytes:
    return response(200, gzip.compress(body, mtime=0), [("Content-Encoding", "gzip")])


def redirect(location: str, status: int = 302) -> bytes:
    return response(status, b"", [("Location", location)])


class Server:
    def __init__(self, routes: dict[str, Route] | None = None, *, host: str = "127.0.0.1",
                 tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: list[Hit] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._handle(self.request)

        class TCP(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

        self._srv = TCP((host, 0), Handler)
        self.host, self.port = self._srv.server_address[:2]
        self._thread = threading.Thread(target=self._srv.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}{path}"

    def count(self, path: str) -> int:
        return sum(1 for h in self.hits if h.path == path)

    def times(self, path: str | None = None) -> list[float]:
        return [h.at for h in self.hits if path is None or h.path == path]

    def _handle(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        if self.tls is not None:
            try:
                sock = self.tls.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                return
        head = b""
        try:
            while b"\r\n\r\n" not in head:
                got = sock.recv(4096)
                if not got:
                    return
                head += got
        except OSError:
            return
        path = head.split(b" ", 2)[1].decode("latin-1")
        with self._lock:
            hit = Hit(path, time.monotonic(), head, self.count(path))
            self.hits.append(hit)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            route = self.routes.get(path, response(404, b"not here"))
            if callable(route):
                route(hit, sock)
            else:
                sock.sendall(route)
        except OSError:
            pass
        finally:
            with self._lock:
                self.active -= 1
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._srv.shutdown()
        self._srv.server_close()
