"""The URL fetcher against real HTTP servers started on 127.0.0.1 (never anything else)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archivist import conformance
from archivist.fetch import DEFAULT_USER_AGENT, FetchOptions
from archivist.ingest import ingest
from archivist.netguard import blocked_reason
from archivist.report import StageReport
from tests.httpserver import Hit, Server, chunked, gzipped, page, redirect, response

BIN = Path(sys.executable).parent


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def opts(**kw) -> FetchOptions:
    base = {"allow_private": True, "delay": 0.0, "backoff": 0.05, "timeout": 5.0, "deadline": 10.0,
            "retries": 0, "ignore_robots": True}
    base.update(kw)
    return FetchOptions(**base)


class Run:
    def __init__(self, report: StageReport, files: list[Path]) -> None:
        self.report = report
        self.files = files
        self.records: list[dict] = []
        for f in files:
            with open(f, "rb") as fh:
                for rec in ArchiveIterator(fh, no_record_parse=True):
                    h = dict(rec.rec_headers.headers)
                    self.records.append({"type": rec.rec_type, "h": h, "block": rec.content_stream().read(),
                                         "file": f.name})

    def of(self, rtype: str, uri: str | None = None) -> list[dict]:
        return [r for r in self.records if r["type"] == rtype and (uri is None or r["h"].get("WARC-Target-URI") == uri)]

    def fields(self, rec: dict) -> dict[str, str]:
        out = {}
        for line in rec["block"].decode().splitlines():
            k, _, v = line.partition(": ")
            out[k] = v
        return out

    def meta(self, key: str) -> list[dict]:
        """metadata records whose fields include ``key`` (error-class, decision, fetchTimeMs)."""
        return [m for m in self.of("metadata") if key in self.fields(m)]

    def capture_meta(self, resp: dict) -> dict[str, str]:
        (m,) = [m for m in self.of("metadata") if m["h"].get("WARC-Concurrent-To") == resp["h"]["WARC-Record-ID"]]
        return self.fields(m)

    def reasons(self) -> dict[str, int]:
        return dict(self.report.reasons())


def fetch(tmp_path: Path, urls: list[str], options: FetchOptions, *, chunked_ok: bool = False) -> Run:
    tmp_path.mkdir(parents=True, exist_ok=True)
    lst = tmp_path / "urls.txt"
    lst.write_text("\n".join(urls) + "\n")
    report = ingest([], tmp_path / "out", urls=lst, corpus_name="fetch-test", fetch_options=options)
    files = sorted((tmp_path / "out").glob("*.warc.gz")) if (tmp_path / "out").exists() else []
    assert [str(f) for f in files] == sorted(report.outputs)
    run = Run(report, files)
    for f in files:
        validate(f, run, chunked_ok=chunked_ok)
    # every listed URL ends archived or rejected
    assert report.counts["urls_archived"] + len(report.rejects) == report.inputs
    return run


def validate(path: Path, run: Run, *, chunked_ok: bool) -> None:
    """gzip -t + fastwarc check + warcio check + our field-by-field check, and pairing."""
    assert subprocess.run(["gzip", "-t", str(path)]).returncode == 0
    fw = subprocess.run([str(BIN / "fastwarc"), "check", str(path)], capture_output=True, text=True)
    assert fw.returncode == 0, fw.stdout + fw.stderr
    wc = subprocess.run([str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True)
    if not chunked_ok:
        assert wc.returncode == 0, wc.stdout
    else:
        # warcio#74: warcio hashes the chunked framing; the standard (and we) hash the de-chunked
        # entity. The only complaints allowed are payload digests of chunked responses.
        problems = [ln.strip() for ln in wc.stdout.splitlines() if "failed" in ln]
        assert all(p.startswith("payload digest failed") for p in problems), wc.stdout
        chunked_digests = {r["h"]["WARC-Payload-Digest"] for r in run.of("response")
                           if b"transfer-encoding: chunked" in r["block"].split(b"\r\n\r\n")[0].lower()}
        assert {p.split()[-1] for p in problems} <= chunked_digests, wc.stdout
        assert "block digest failed" not in wc.stdout
    assert conformance.errors(conformance.check_file(path)) == []
    by_id = {r["h"]["WARC-Record-ID"]: r for r in run.records}
    assert run.records[0]["type"] == "warcinfo"
    for r in run.records:
        h = r["h"]
        assert h.get("WARC-Date") and h.get("WARC-Record-ID")
        if r["type"] in ("request", "response", "revisit"):
            assert "<" not in h["WARC-Target-URI"]
            assert h.get("WARC-IP-Address")
            other = by_id[h["WARC-Concurrent-To"]]
            assert other["h"]["WARC-Concurrent-To"] == h["WARC-Record-ID"]
            assert other["h"]["WARC-Date"] == h["WARC-Date"]
            assert other["h"]["WARC-Target-URI"] == h["WARC-Target-URI"]
            assert {r["type"], other["type"]} in ({"request", "response"}, {"request", "revisit"})
            assert other["file"] == r["file"]  # a capture never straddles a rotation
        if r["type"] in ("metadata", "warcinfo"):
            assert "WARC-Payload-Digest" not in h
            assert h["Content-Type"] == "application/warc-fields"
        if r["type"] == "response":
            assert h["Content-Type"] == "application/http;msgtype=response"
            assert h["WARC-Payload-Digest"].startswith("sha1:")


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def test_normal_page_block_is_exactly_what_the_server_sent(tmp_path: Path, server: Server) -> None:
    raw = page("hello")
    server.routes["/"] = raw
    run = fetch(tmp_path, [server.url("/")], opts())
    (resp,) = run.of("response", server.url("/"))
    assert resp["block"] == raw
    body = raw.split(b"\r\n\r\n", 1)[1]
    assert resp["h"]["WARC-Payload-Digest"] == sha1_b32(body)
    assert resp["h"]["WARC-IP-Address"] == "127.0.0.1"
    (req,) = run.of("request", server.url("/"))
    assert req["block"] == server.hits[0].head  # the request as the server received it
    assert req["block"].startswith(b"GET / HTTP/1.0\r\nHost: ")  # Heritrix's default: no chunking
    assert f"User-Agent: {DEFAULT_USER_AGENT}".encode() in req["block"]
    assert DEFAULT_USER_AGENT == "archivist/0.1.0 (research corpus builder)"
    meta = run.capture_meta(resp)  # a seed: no via, no hops
    assert set(meta) == {"fetchTimeMs"} and 0 <= int(meta["fetchTimeMs"]) < 5000
    assert run.report.counts["urls_archived"] == 1 and not run.report.rejects
    # WARC-Date of a live fetch is the capture instant: close to now, with sub-second precision
    assert resp["h"]["WARC-Date"].startswith(time.strftime("%Y-%m-%d", time.gmtime()))


def test_compliant_server_does_not_chunk_for_http10(tmp_path: Path, server: Server) -> None:
    chunks = [b"<html><body>", b"chunk one " * 50, b"and two", b"</body></html>"]
    server.routes["/c"] = chunked(chunks)  # chunks for HTTP/1.1 clients only, as RFC 9112 says
    run = fetch(tmp_path, [server.url("/c")], opts())  # strict: warcio check clean
    (resp,) = run.of("response")
    head, body = resp["block"].split(b"\r\n\r\n", 1)
    assert b"transfer-encoding" not in head.lower() and body == b"".join(chunks)
    assert resp["h"]["WARC-Payload-Digest"] == sha1_b32(body)
    assert run.report.counts["chunked_despite_http10"] == 0


def _dechunk(body: bytes) -> bytes:
    entity, pos = b"", 0
    while True:
        eol = body.index(b"\r\n", pos)
        n = int(body[pos:eol], 16)
        if n == 0:
            return entity
        entity += body[eol + 2: eol + 2 + n]
        pos = eol + 2 + n + 2


def test_server_chunking_an_http10_response_keeps_the_standard_digest(tmp_path: Path, server: Server) -> None:
    """A misbehaving server chunks anyway: block verbatim, payload digest over the de-chunked
    entity (WARC 1.1 §6.3.2), the violation counted and noted; warcio check disagrees (#74)."""
    chunks = [b"<html><body>", b"chunk one " * 50, b"and two", b"</body></html>"]
    raw = response(200, chunks=chunks)
    server.routes["/c"] = chunked(chunks, always=True)
    run = fetch(tmp_path, [server.url("/c")], opts(), chunked_ok=True)
    (resp,) = run.of("response")
    assert resp["block"] == raw  # Transfer-Encoding framing kept verbatim
    body = resp["block"].split(b"\r\n\r\n", 1)[1]
    entity = _dechunk(body)  # independent de-chunking of the stored block
    assert entity == b"".join(chunks)
    assert resp["h"]["WARC-Payload-Digest"] == sha1_b32(entity)
    assert resp["h"]["WARC-Payload-Digest"] != sha1_b32(body)
    assert "WARC-Truncated" not in resp["h"]
    assert run.report.counts["chunked_despite_http10"] == 1
    assert "chunked despite an HTTP/1.0 request" in run.capture_meta(resp)["transferEncoding"]
    # warcio hashes the framing: exactly this record's payload digest is disputed, nothing else
    wc = subprocess.run([str(BIN / "warcio"), "check", "-v", str(run.files[0])], capture_output=True, text=True)
    assert wc.returncode == 1
    assert [ln.strip() for ln in wc.stdout.splitlines() if "failed" in ln] == [
        f"payload digest failed {resp['h']['WARC-Payload-Digest']}"]

    # Chunk framing abuse from such servers: capped, cut, never a crash (checked the same way).
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    server.routes.update({
        "/badchunk": head + b"5\r\nhello\r\nZZ\r\nmore\r\n",
        "/tiny-chunks": _endless(head, b"1\r\na\r\n"),
        "/endless-trailer": _endless(head + b"0\r\n", b"X-T: y\r\n"),
    })
    paths = ("/badchunk", "/tiny-chunks", "/endless-trailer")
    t0 = time.monotonic()
    run = fetch(tmp_path / "abuse", [server.url(p) for p in paths], opts(max_bytes=5000), chunked_ok=True)
    assert time.monotonic() - t0 < 10
    bad = run.of("response", server.url("/badchunk"))[0]
    assert bad["h"]["WARC-Truncated"] == "unspecified"
    assert bad["h"]["WARC-Payload-Digest"] == sha1_b32(b"hello")
    for p in paths[1:]:
        (resp,) = run.of("response", server.url(p))
        assert resp["h"].get("WARC-Truncated") in ("length", "unspecified"), p
        assert len(resp["block"]) < 5000 * 2 + 64 * 1024 + 70_000, p
    assert run.report.counts["chunked_despite_http10"] == 3 and not run.report.rejects


def test_gzip_content_encoding_kept_and_digested_as_sent(tmp_path: Path, server: Server) -> None:
    html = b"<html><body><p>compressed page</p></body></html>" * 20
    server.routes["/z"] = gzipped(html)
    run = fetch(tmp_path, [server.url("/z")], opts())
    (resp,) = run.of("response")
    body = resp["block"].split(b"\r\n\r\n", 1)[1]
    assert gzip.decompress(body) == html
    assert resp["h"]["WARC-Payload-Digest"] == sha1_b32(body)  # content coding is part of the entity
    assert b"Accept-Encoding: gzip" in server.hits[0].head
    from archivist.warc_reader import SourceRecord, iter_records

    recs = [r for r in iter_records(run.files[0]) if isinstance(r, SourceRecord) and r.record_type == "response"]
    assert recs[0].content() == html


def test_redirect_chain_archives_every_hop(tmp_path: Path, server: Server) -> None:
    server.routes.update({"/a": redirect("/b", 301), "/b": redirect(server.url("/c")), "/c": page("end")})
    run = fetch(tmp_path, [server.url("/a")], opts())
    uris = [r["h"]["WARC-Target-URI"] for r in run.of("response")]
    assert uris == [server.url("/a"), server.url("/b"), server.url("/c")]
    assert len(run.of("request")) == 3
    assert run.report.counts["redirects_followed"] == 2
    assert run.report.counts["urls_archived"] == 1


def test_redirect_loop_and_too_many_hops_are_rejected_fast(tmp_path: Path, server: Server) -> None:
    server.routes.update({"/x": redirect("/y"), "/y": redirect("/x"), "/ftp": redirect("ftp://files.invalid/a")})
    for i in range(20):
        server.routes[f"/r{i}"] = redirect(f"/r{i + 1}")
    t0 = time.monotonic()
    run = fetch(tmp_path, [server.url("/x"), server.url("/r0"), server.url("/ftp")], opts(max_redirects=3))
    assert time.monotonic() - t0 < 5
    assert run.reasons() == {"redirect-loop": 1, "too-many-redirects": 1, "bad-redirect": 1}
    assert server.count("/x") == 1 and server.count("/y") == 1
    assert [server.count(f"/r{i}") for i in range(6)] == [1, 1, 1, 1, 0, 0]
    errs = {run.fields(m)["error-class"]: m for m in run.meta("error-class")}
    assert set(errs) == {"redirect-loop", "too-many-redirects", "bad-redirect"}
    assert all(r.warc_record_id for r in run.report.rejects)


def _flaky(statuses: list[int], retry_after: str | None = None):
    def route(hit: Hit, sock: socket.socket) -> None:
        status = statuses[min(hit.index, len(statuses) - 1)]
        hdrs = [("Retry-After", retry_after)] if retry_after and status in (429, 503) else []
        sock.sendall(response(status, f"attempt {hit.index}".encode(), hdrs) if status != 200 else page("ok"))
    return route


def test_404_not_retried_500_retried_with_backoff(tmp_path: Path, server: Server) -> None:
    server.routes.update({"/missing": response(404, b"nope"), "/broken": response(500, b"err"),
                          "/flaky": _flaky([503, 502, 200])})
    run = fetch(tmp_path, [server.url(p) for p in ("/missing", "/broken", "/flaky")],
                opts(retries=2, backoff=0.2))
    assert server.count("/missing") == 1
    assert server.count("/broken") == 3
    t = server.times("/broken")
    assert t[1] - t[0] >= 0.19 and t[2] - t[1] >= 0.39  # 0.2 s, then doubled
    assert server.count("/flaky") == 3
    assert run.reasons() == {"http-error": 2}
    assert run.report.counts["urls_archived"] == 1
    # every attempt archived; identical error pages after the first are revisits
    assert len(run.of("response", server.url("/broken"))) == 1
    assert len(run.of("revisit", server.url("/broken"))) == 2
    assert run.report.counts["retried_exchanges"] == 4
    details = {r.url: r.detail for r in run.report.rejects}
    assert "HTTP 500" in details[server.url("/broken")] and "3 attempt" in details[server.url("/broken")]


def test_429_retry_after_is_honoured(tmp_path: Path, server: Server) -> None:
    server.routes["/limited"] = _flaky([429, 200], retry_after="1")
    run = fetch(tmp_path, [server.url("/limited")], opts(retries=1, backoff=0.01))
    t = server.times("/limited")
    assert len(t) == 2 and t[1] - t[0] >= 0.95
    assert run.report.counts["urls_archived"] == 1


def test_connect_error_is_retried_then_rejected_with_metadata(tmp_path: Path) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    url = f"http://127.0.0.1:{port}/"
    run = fetch(tmp_path, [url], opts(retries=1))
    assert run.reasons() == {"connect-error": 1}
    (meta,) = run.of("metadata")
    f = run.fields(meta)
    assert f["url"] == url and f["error-class"] == "connect-error" and "2 attempt" in f["message"]


# Our own group wins over "*" (RFC 9309 §2.2.1); the longest match decides inside it.
ROBOTS = b"User-agent: *\nDisallow: /\n\nUser-agent: archivist\nDisallow: /private\nAllow: /private/open\n"


def test_robots_disallow_is_obeyed_recorded_and_fetched_once(tmp_path: Path, server: Server) -> None:
    server.routes.update({"/robots.txt": response(200, ROBOTS, [("Content-Type", "text/plain")]),
                          "/public": page("pub"), "/private/x": page("secret"), "/private/open": page("o"),
                          "/public2": page("pub2")})
    urls = [server.url(p) for p in ("/public", "/private/x", "/private/open", "/public2")]
    run = fetch(tmp_path, urls, opts(ignore_robots=False, workers=4))
    assert server.count("/robots.txt") == 1
    assert server.count("/private/x") == 0 and server.count("/private/open") == 1
    assert run.reasons() == {"robots-disallowed": 1}
    assert run.report.counts["urls_archived"] == 3
    # a user agent the file does not name falls under "*": everything disallowed
    run2 = fetch(tmp_path / "other", [server.url("/public")], opts(ignore_robots=False, user_agent="otherbot/2"))
    assert run2.reasons() == {"robots-disallowed": 1}
    # the robots.txt exchange itself is archived, as a request/response pair
    (robots_resp,) = run.of("response", server.url("/robots.txt"))
    assert len(run.of("request", server.url("/robots.txt"))) == 1
    decisions = {run.fields(m)["url"]: m for m in run.meta("decision")}
    assert run.fields(decisions[server.url("/private/x")])["decision"] == "disallowed"
    assert run.fields(decisions[server.url("/public")])["decision"] == "allowed"
    assert run.fields(decisions[server.url("/private/x")])["robots-record-id"] == robots_resp["h"]["WARC-Record-ID"]
    assert run.report.rejects[0].warc_record_id == decisions[server.url("/private/x")]["h"]["WARC-Record-ID"]
    info = run.fields(run.records[0])
    assert info["robots"] == "obey"


def test_ignore_robots(tmp_path: Path, server: Server) -> None:
    server.routes.update({"/robots.txt": response(200, b"User-agent: *\nDisallow: /\n"), "/p": page("p")})
    run = fetch(tmp_path, [server.url("/p")], opts(ignore_robots=True))
    assert server.count("/robots.txt") == 0 and server.count("/p") == 1
    assert run.report.counts["urls_archived"] == 1
    assert run.fields(run.records[0])["robots"] == "ignore"


def test_robots_5xx_means_disallow_all_and_404_allow_all(tmp_path: Path) -> None:
    down, none = Server({"/robots.txt": response(503, b"down"), "/p": page("p")}), Server({"/p": page("p")})
    try:
        run = fetch(tmp_path, [down.url("/p"), none.url("/p")], opts(ignore_robots=False))
        assert down.count("/p") == 0 and none.count("/p") == 1
        assert [r.url for r in run.report.rejects] == [down.url("/p")]
        assert run.report.rejects[0].reason == "robots-disallowed"
    finally:
        down.close()
        none.close()


def test_body_over_the_cap_is_truncated_length(tmp_path: Path, server: Server) -> None:
    big = b"x" * 200_000
    server.routes["/big"] = response(200, big, [("Content-Type", "text/plain")])
    server.routes["/bigchunked"] = chunked([b"y" * 50_000] * 4)
    run = fetch(tmp_path, [server.url("/big"), server.url("/bigchunked")], opts(max_bytes=10_000))
    (resp,) = run.of("response", server.url("/big"))
    assert resp["h"]["WARC-Truncated"] == "length"
    body = resp["block"].split(b"\r\n\r\n", 1)[1]
    assert body == big[:10_000]
    assert resp["h"]["WARC-Payload-Digest"] == sha1_b32(body)
    (resp2,) = run.of("response", server.url("/bigchunked"))
    assert resp2["h"]["WARC-Truncated"] == "length"
    assert len(resp2["block"]) < 150_000
    assert run.report.counts["truncated_length"] == 2


def _trickle(hit: Hit, sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000000\r\n\r\n")
    for _ in range(200):  # one byte every 0.1 s: would take 100 000 s to finish
        sock.sendall(b"a")
        time.sleep(0.1)


def _slow_headers(hit: Hit, sock: socket.socket) -> None:
    for b in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"s" * 100:
        sock.sendall(bytes([b]))
        time.sleep(0.1)


def test_trickling_server_is_cut_off_at_the_deadline(tmp_path: Path, server: Server) -> None:
    server.routes.update({"/trickle": _trickle, "/slowhead": _slow_headers})
    t0 = time.monotonic()
    run = fetch(tmp_path, [server.url("/trickle"), server.url("/slowhead")],
                opts(deadline=1.5, timeout=1.0, retries=0))
    elapsed = time.monotonic() - t0
    assert elapsed < 5, elapsed
    (resp,) = run.of("response", server.url("/trickle"))
    assert resp["h"]["WARC-Truncated"] == "time"
    body = resp["block"].split(b"\r\n\r\n", 1)[1]
    assert 5 <= len(body) <= 20 and set(body) == {ord("a")}
    assert run.reasons() == {"timeout": 1}
    assert run.report.rejects[0].url == server.url("/slowhead")
    assert run.report.counts["truncated_time"] == 1


def test_guard_classifies_addresses() -> None:
    refused = ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
               "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::",
               "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1",
               "2002:7f00:1::"]
    allowed = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
    for ip in refused:
        assert blocked_reason(ip), ip
    for ip in allowed:
        assert blocked_reason(ip) is None, ip


def test_private_targets_refused_without_allow_private(tmp_path: Path, server: Server) -> None:
    server.routes["/"] = page("internal")
    urls = [server.url("/"), f"http://localhost:{server.port}/", f"http://[::1]:{server.port}/",
            f"http://2130706433:{server.port}/"]  # 127.0.0.1 as one decimal number
    run = fetch(tmp_path, urls, opts(allow_private=False))
    assert run.reasons() == {"private-address": 4}
    assert server.hits == []  # nothing was sent
    assert {run.fields(m)["error-class"] for m in run.of("metadata")} == {"private-address"}  # no capture


def test_redirect_cannot_reach_a_private_address(tmp_path: Path, server: Server) -> None:
    inner = Server({"/admin": page("internal admin")})
    try:
        server.routes["/go"] = redirect(inner.url("/admin"))
        # the first server stands in for a public host: trusted by ip:port, the other is not
        o = opts(allow_private=False, exempt_addresses=frozenset({f"127.0.0.1:{server.port}"}))
        run = fetch(tmp_path, [server.url("/go")], o)
        assert server.count("/go") == 1 and inner.hits == []
        assert run.reasons() == {"private-address": 1}
        assert [r["h"]["WARC-Target-URI"] for r in run.of("response")] == [server.url("/go")]
        (meta,) = run.meta("error-class")
        f = run.fields(meta)
        assert f["url"] == inner.url("/admin") and f["seed-url"] == server.url("/go")
        # and with --allow-private the same chain is followed
        run2 = fetch(tmp_path / "again", [server.url("/go")], opts(allow_private=True))
        assert inner.count("/admin") == 1 and run2.report.counts["urls_archived"] == 1
    finally:
        inner.close()


def test_per_host_delay_and_connection_cap(tmp_path: Path, server: Server) -> None:
    for i in range(4):
        server.routes[f"/d{i}"] = page(f"d{i}")
    run = fetch(tmp_path, [server.url(f"/d{i}") for i in range(4)], opts(delay=0.3, workers=4))
    t = sorted(server.times())
    gaps = [b - a for a, b in itertools.pairwise(t)]
    assert len(t) == 4 and min(gaps) >= 0.25, gaps  # spacing is of request starts; arrival jitters
    assert run.report.counts["urls_archived"] == 4

    lock, active, peak = threading.Lock(), [0], [0]

    def slow(hit: Hit, sock: socket.socket) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.3)
        with lock:  # before the response leaves, so the client cannot have started another yet
            active[0] -= 1
        sock.sendall(page(hit.path))

    s2 = Server({f"/s{i}": slow for i in range(6)})
    try:
        fetch(tmp_path / "cap", [s2.url(f"/s{i}") for i in range(6)], opts(max_per_host=2, workers=6))
        assert peak[0] == 2
    finally:
        s2.close()


def test_duplicate_payload_becomes_a_revisit(tmp_path: Path, server: Server) -> None:
    server.routes.update({"/one": page("same"), "/two": page("same"), "/three": page("other")})
    run = fetch(tmp_path, [server.url(p) for p in ("/one", "/two", "/three")], opts(workers=3))
    (orig,) = run.of("response", server.url("/one"))
    (rev,) = run.of("revisit", server.url("/two"))
    h = rev["h"]
    assert h["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert h["WARC-Refers-To"] == orig["h"]["WARC-Record-ID"]
    assert h["WARC-Refers-To-Target-URI"] == server.url("/one")
    assert h["WARC-Refers-To-Date"] == orig["h"]["WARC-Date"]
    assert h["WARC-Payload-Digest"] == orig["h"]["WARC-Payload-Digest"]
    assert rev["block"].startswith(b"HTTP/1.1 200 OK") and rev["block"].endswith(b"\r\n\r\n")
    assert len(run.of("response")) == 2 and run.report.counts["revisit_records"] == 1
    # written in list order whatever order the fetches completed in
    order = [r["h"]["WARC-Target-URI"] for r in run.records if r["type"] in ("response", "revisit")]
    assert order == [server.url(p) for p in ("/one", "/two", "/three")]
    # cdxj-indexer finds every capture, the revisit as one
    cdx = subprocess.run([str(BIN / "cdxj-indexer"), str(run.files[0])], capture_output=True, text=True, check=True)
    lines = [json.loads(ln.split(" ", 2)[2]) for ln in cdx.stdout.splitlines()]
    assert sorted(x["url"] for x in lines) == sorted(server.url(p) for p in ("/one", "/two", "/three"))
    assert {x["url"]: x["mime"] for x in lines}[server.url("/two")] == "warc/revisit"


def test_url_list_lines_are_accounted(tmp_path: Path, server: Server) -> None:
    server.routes["/ok"] = page("ok")
    lines = ["# a comment", "", server.url("/ok"), "ftp://example.invalid/x", "not a url",
             server.url("/ok") + "#frag", "http://:80/"]
    run = fetch(tmp_path, lines, opts())
    assert run.report.inputs == 5
    assert run.reasons() == {"invalid-url": 3, "duplicate-url": 1}
    assert run.report.counts["urls_archived"] == 1


def test_cli_ingest_urls_json(tmp_path: Path, server: Server) -> None:
    server.routes.update({"/robots.txt": response(404, b""), "/ok": page("ok"), "/gone": response(404, b"x")})
    lst = tmp_path / "urls.txt"
    lst.write_text(f"{server.url('/ok')}\n{server.url('/gone')}\n")
    cmd = [str(BIN / "archivist"), "ingest", "--urls", str(lst), "-o", str(tmp_path / "o"), "--json",
           "--allow-private", "--delay", "0", "--retries", "0", "--timeout", "5", "--user-agent", "test-agent/1"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=tmp_path)  # no workspace around
    assert p.returncode == 1, p.stderr  # one URL rejected
    out = json.loads(p.stdout)
    assert out["inputs"] == 2 and out["counts"]["urls_archived"] == 1
    assert out["reject_reasons"] == {"http-error": 1}
    assert b"User-Agent: test-agent/1" in server.hits[-1].head
    assert "Traceback" not in p.stderr
    # the default refuses 127.0.0.1
    cmd2 = [str(BIN / "archivist"), "ingest", "--urls", str(lst), "-o", str(tmp_path / "o2"), "--json"]
    p2 = subprocess.run(cmd2, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert p2.returncode == 1 and json.loads(p2.stdout)["reject_reasons"] == {"private-address": 2}


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("tls")
    key, cert = d / "key.pem", d / "cert.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                        "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       check=True, capture_output=True, timeout=60)
    except (FileNotFoundError, subprocess.CalledProcessError) as e:
        pytest.skip(f"openssl cannot make a test certificate: {e}")
    return key, cert


def test_https_verified_and_unverified(tmp_path: Path, tls_cert: tuple[Path, Path]) -> None:
    key, cert = tls_cert
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    raw = page("over tls")
    s = Server({"/": raw}, tls=ctx)
    try:
        run = fetch(tmp_path / "trusted", [s.url("/")], opts(ca_file=str(cert)))
        (resp,) = run.of("response", s.url("/"))
        assert resp["block"] == raw  # the decrypted HTTP message, as received
        assert resp["h"]["WARC-Target-URI"].startswith("https://127.0.0.1:")
        # a certificate nobody vouches for: refused, not retried, recorded
        run2 = fetch(tmp_path / "untrusted", [s.url("/")], opts(retries=3))
        assert run2.reasons() == {"tls-error": 1}
        assert s.count("/") == 1
        assert "1 attempt" in run2.report.rejects[0].detail
        assert run2.fields(run2.of("metadata")[0])["error-class"] == "tls-error"
    finally:
        s.close()


def _close_now(hit: Hit, sock: socket.socket) -> None:
    sock.close()


def test_broken_responses_are_archived_or_rejected_never_crash(tmp_path: Path, server: Server) -> None:
    server.routes.update({
        "/garbage": b"HELLO WORLD\r\n\r\nnot http at all",
        "/empty": _close_now,
        "/short": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nonly ten b",
        "/hugehead": b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"p" * 100_000 + b"\r\n\r\nbody",
        "/noframe": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nread until the server closes",
    })
    urls = [server.url(p) for p in ("/garbage", "/empty", "/short", "/hugehead", "/noframe")]
    t0 = time.monotonic()
    run = fetch(tmp_path, urls, opts(retries=1))
    assert time.monotonic() - t0 < 10
    assert run.reasons() == {"bad-response": 2, "empty-response": 1}
    assert server.count("/garbage") == 1 and server.count("/empty") == 2  # only the latter is retried
    short = run.of("response", server.url("/short"))[0]
    assert short["h"]["WARC-Truncated"] == "disconnect" and short["block"].endswith(b"only ten b")
    nf = run.of("response", server.url("/noframe"))[0]
    assert "WARC-Truncated" not in nf["h"] and nf["block"].endswith(b"until the server closes")
    assert run.report.counts["urls_archived"] == 2


def test_chunked_decoder_byte_by_byte_with_trailers() -> None:
    from archivist.httpwire import _Chunked

    wire = b"4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\n\r\n"
    d = _Chunked()
    for i in range(len(wire)):
        assert not d.done
        d.feed(wire[i:i + 1])
    assert d.done and bytes(d.entity) == b"Wikipedia in\r\n\r\nchunks."


def test_retry_after_forms() -> None:
    from email.utils import format_datetime

    from archivist.fetch import _retry_after

    assert _retry_after("3") == 3.0
    assert _retry_after(None) is None and _retry_after("soon") is None
    from datetime import UTC, datetime, timedelta

    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (_retry_after(later) or 0) <= 31


def _endless(prefix: bytes, unit: bytes):
    def route(hit: Hit, sock: socket.socket) -> None:
        sock.sendall(prefix)
        for _ in range(200_000):  # ~ MBs: far past any cap; stops when the client hangs up
            sock.sendall(unit * 64)
    return route


def test_endless_streams_are_capped(tmp_path: Path, server: Server) -> None:
    server.routes.update({
        "/unframed": _endless(b"HTTP/1.1 200 OK\r\n\r\n", b"z"),
        "/endless-head": _endless(b"HTTP/1.1 200 OK\r\n", b"X-H: h\r\n"),
    })
    paths = ("/unframed", "/endless-head")
    t0 = time.monotonic()
    run = fetch(tmp_path, [server.url(p) for p in paths], opts(max_bytes=5000))
    assert time.monotonic() - t0 < 10
    for p in paths[:1]:
        (resp,) = run.of("response", server.url(p))
        assert resp["h"].get("WARC-Truncated") in ("length", "unspecified"), p
        assert len(resp["block"]) < 5000 * 2 + 64 * 1024 + 70_000, p
    assert run.reasons() == {"bad-response": 1}


def test_unreadable_url_list_and_bad_options(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    report = ingest([], tmp_path / "out", urls=missing, fetch_options=opts())
    assert [(r.reason, r.input) for r in report.rejects] == [("unreadable", str(missing))]
    assert "nope.txt" in (report.rejects[0].detail or "") and report.exit_code == 1
    for bad in ({"retries": -1}, {"timeout": 0}, {"max_bytes": 0}, {"user_agent": "a\r\nX-Injected: 1"}):
        with pytest.raises(ValueError):
            opts(**bad)


def test_pages_and_urls_in_one_ingest_keep_both(tmp_path: Path, server: Server) -> None:
    server.routes["/u"] = page("fetched")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "local.html").write_text("<html><body><p>local page</p></body></html>")
    lst = tmp_path / "urls.txt"
    lst.write_text(server.url("/u") + "\n")
    report = ingest([str(pages)], tmp_path / "out", urls=lst, corpus_name="both", fetch_options=opts())
    assert len(report.outputs) == 2 and all(Path(p).exists() for p in report.outputs)
    assert report.counts["pages_archived"] == 2 and not report.rejects
    names = sorted(Path(p).name for p in report.outputs)
    assert names[0].startswith("both-") and names[1].startswith("both-fetch-")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_pywb_replays_fetched_pages_and_revisit(tmp_path: Path, server: Server) -> None:
    import urllib.request

    if not (BIN / "wayback").exists():
        pytest.skip("pywb is not installed")
    server.routes.update({"/c": chunked([b"<html><body>chunked ", b"body</body></html>"]),
                          "/one": page("same"), "/two": page("same")})
    run = fetch(tmp_path / "f", [server.url(p) for p in ("/c", "/one", "/two")], opts())
    ts = run.of("response")[0]["h"]["WARC-Date"][:19].replace("-", "").replace(":", "").replace("T", "")
    root = tmp_path / "pywb"
    root.mkdir()
    subprocess.run([str(BIN / "wb-manager"), "init", "c"], cwd=root, check=True, capture_output=True)
    subprocess.run([str(BIN / "wb-manager"), "add", "c", str(run.files[0])], cwd=root, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([str(BIN / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy

    def get(path: str) -> bytes:
        with opener.open(f"http://127.0.0.1:{port}/c/{ts}id_/{server.url(path)}", timeout=10) as r:
            return r.read()

    try:
        for _ in range(100):
            try:
                opener.open(f"http://127.0.0.1:{port}/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        assert get("/c") == b"<html><body>chunked body</body></html>"
        same = b"<html><head><title>same</title></head><body><p>same</p></body></html>"
        assert get("/one") == same
        assert get("/two") == same  # the revisit resolves to its original
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_robots_crawl_delay_raises_the_host_delay(tmp_path: Path, server: Server) -> None:
    server.routes["/robots.txt"] = response(200, b"User-agent: *\nCrawl-delay: 0.4\n", [("Content-Type", "text/plain")])
    for i in range(3):
        server.routes[f"/k{i}"] = page(f"k{i}")
    run = fetch(tmp_path, [server.url(f"/k{i}") for i in range(3)], opts(ignore_robots=False, workers=3))
    t = [h.at for h in server.hits if h.path.startswith("/k")]
    assert len(t) == 3 and all(b - a >= 0.35 for a, b in itertools.pairwise(sorted(t))), t
    assert run.report.counts["urls_archived"] == 3


def test_redirect_and_robots_hops_carry_heritrix_provenance(tmp_path: Path, server: Server) -> None:
    server.routes.update({"/robots.txt": redirect("/real-robots.txt"),
                          "/real-robots.txt": response(200, b"User-agent: *\nAllow: /\n", [("Content-Type", "text/plain")]),
                          "/a": redirect("/b", 301), "/b": redirect("/c"), "/c": page("end")})
    run = fetch(tmp_path, [server.url("/a")], opts(ignore_robots=False))
    meta = {r["h"]["WARC-Target-URI"]: run.capture_meta(r) for r in run.of("response")}
    assert meta[server.url("/a")].keys() == {"fetchTimeMs"}  # the seed itself
    assert meta[server.url("/b")]["via"] == server.url("/a") and meta[server.url("/b")]["hopsFromSeed"] == "R"
    assert meta[server.url("/c")]["via"] == server.url("/b") and meta[server.url("/c")]["hopsFromSeed"] == "RR"
    # robots.txt is a prerequisite (P) of the page that needed it, and its own redirect adds an R
    assert meta[server.url("/robots.txt")]["via"] == server.url("/a")
    assert meta[server.url("/robots.txt")]["hopsFromSeed"] == "P"
    assert meta[server.url("/real-robots.txt")]["via"] == server.url("/robots.txt")
    assert meta[server.url("/real-robots.txt")]["hopsFromSeed"] == "PR"
    assert all(int(m["fetchTimeMs"]) >= 0 for m in meta.values())
    assert run.report.counts["capture_metadata_records"] == 5
    # each capture's metadata follows its response, in the same file, naming it
    for i, r in enumerate(run.records):
        if r["type"] == "response":
            nxt = run.records[i + 1]
            assert nxt["type"] == "metadata" and nxt["h"]["WARC-Concurrent-To"] == r["h"]["WARC-Record-ID"]
            assert nxt["h"]["WARC-Date"] == r["h"]["WARC-Date"]


def _interim_then(final: bytes, interim: bytes):
    def route(hit: Hit, sock: socket.socket) -> None:
        sock.sendall(interim)
        time.sleep(0.05)  # a separate segment, as a server that hints before the page is ready
        sock.sendall(final)
    return route


def test_1xx_interim_responses_are_skipped_and_kept(tmp_path: Path, server: Server) -> None:
    interim = (b"HTTP/1.1 100 Continue\r\n\r\n"
               b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n")
    final = page("after hints")
    server.routes.update({"/hints": _interim_then(final, interim),
                          "/hint-redirect": _interim_then(redirect("/hints"), b"HTTP/1.1 102 Processing\r\n\r\n")})
    run = fetch(tmp_path, [server.url("/hint-redirect")], opts())  # strict validators
    assert run.report.counts["urls_archived"] == 1 and run.report.counts["redirects_followed"] == 1
    (resp,) = run.of("response", server.url("/hints"))
    assert resp["block"] == final  # starts at the response it records: every reader sees the 200
    assert resp["h"]["WARC-Payload-Digest"] == sha1_b32(final.split(b"\r\n\r\n", 1)[1])
    m = run.capture_meta(resp)
    assert base64.b64decode(m["interimResponses"]) == interim  # the bytes as received
    assert m["interimResponseStatus"] == "HTTP/1.1 100 Continue | HTTP/1.1 103 Early Hints"
    (first,) = run.of("response", server.url("/hint-redirect"))
    assert first["block"].startswith(b"HTTP/1.1 302 ")
    assert run.report.counts["interim_responses_skipped"] == 3
    cdx = subprocess.run([str(BIN / "cdxj-indexer"), str(run.files[0])], capture_output=True, text=True, check=True)
    assert sorted(json.loads(ln.split(" ", 2)[2])["status"] for ln in cdx.stdout.splitlines()) == ["200", "302"]


def test_rotation_never_splits_a_capture(tmp_path: Path, server: Server) -> None:
    for i in range(4):
        server.routes[f"/p{i}"] = page(f"page {i} " * 50)
    lst = tmp_path / "urls.txt"
    lst.write_text("".join(server.url(f"/p{i}") + "\n" for i in range(4)))
    # a limit smaller than any record: the file rotates before each capture, never inside one
    report = ingest([], tmp_path / "out", urls=lst, corpus_name="rot", fetch_options=opts(), max_bytes=1)
    files = sorted((tmp_path / "out").glob("*.warc.gz"))
    assert len(files) == 4 and [str(f) for f in files] == sorted(report.outputs)
    run = Run(report, files)
    for f in files:
        validate(f, run, chunked_ok=False)  # includes: request and response share a file
        types = [r["type"] for r in run.records if r["file"] == f.name]
        assert types == ["warcinfo", "request", "response", "metadata"], (f.name, types)


def test_default_user_agent_names_the_operator(tmp_path: Path, server: Server) -> None:
    from archivist.fetch import default_user_agent

    server.routes["/"] = page("ua")
    lst = tmp_path / "urls.txt"
    lst.write_text(server.url("/") + "\n")
    ingest([], tmp_path / "out", urls=lst, corpus_name="ua", operator="Jane Roe (Corpus Lab), jane@lab.example",
           fetch_options=opts())
    want = "archivist/0.1.0 (research corpus builder; operator: Jane Roe Corpus Lab , jane@lab.example)"
    assert default_user_agent("Jane Roe (Corpus Lab), jane@lab.example") == want
    assert f"User-Agent: {want}\r\n".encode() in server.hits[-1].head
    assert default_user_agent(None) == default_user_agent("  ") == DEFAULT_USER_AGENT
    # an explicit --user-agent wins
    ingest([], tmp_path / "o2", urls=lst, operator="Jane", fetch_options=opts(user_agent="mybot/2"))
    assert b"User-Agent: mybot/2\r\n" in server.hits[-1].head


def test_one_workspace_of_pages_archive_and_fetches_is_clean_everywhere(
        tmp_path: Path, server: Server, shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist import api

    bench = shared / "bench" / "warc" / "warcio__example.warc.gz"
    if not bench.exists():
        pytest.skip(f"{bench} absent")
    server.routes.update({"/robots.txt": response(200, b"User-agent: *\nDisallow: /private\n", [("Content-Type", "text/plain")]),
                          "/a": redirect("/b"), "/b": page("fetched b"), "/same": page("fetched b"),
                          "/c": chunked([b"<html><body>", b"chunked for 1.1 only", b"</body></html>"]),
                          "/gz": gzipped(b"<html><body><p>zipped</p></body></html>"),
                          "/private/x": page("no"), "/missing": response(404, b"gone")})
    w = api.init(tmp_path / "ws", "mixed")
    monkeypatch.chdir(w.root)
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "one.html").write_text("<html><head><meta charset='utf-8'></head><body><p>local one</p></body></html>")
    (pages / "two.txt").write_bytes("plain text page, caf\u00e9".encode("cp1252"))
    lst = tmp_path / "urls.txt"
    lst.write_text("".join(server.url(p) + "\n" for p in ("/a", "/same", "/c", "/gz", "/private/x", "/missing")))
    report = api.ingest([str(pages), str(bench)], urls=lst, fetch_options=opts(ignore_robots=False))
    assert report.reasons() == {"robots-disallowed": 1, "http-error": 1}, report.rejects
    assert report.counts["urls_archived"] == 4 and report.counts["chunked_despite_http10"] == 0
    warcs = sorted(w.archives.glob("*.warc.gz"))
    assert len(warcs) == 2 and any("-fetch-" in f.name for f in warcs)
    for f in warcs:
        assert subprocess.run(["gzip", "-t", str(f)]).returncode == 0, f
        wc = subprocess.run([str(BIN / "warcio"), "check", "-v", str(f)], capture_output=True, text=True)
        assert wc.returncode == 0 and "failed" not in wc.stdout, wc.stdout
        fw = subprocess.run([str(BIN / "fastwarc"), "check", str(f)], capture_output=True, text=True)
        assert fw.returncode == 0, fw.stdout + fw.stderr
        assert conformance.errors(conformance.check_file(f)) == [], f
        cdx = subprocess.run([str(BIN / "cdxj-indexer"), str(f)], capture_output=True, text=True, check=True)
        with open(f, "rb") as fh:
            captures = [r for r in ArchiveIterator(fh) if r.rec_type in ("response", "revisit", "resource")]
        assert len(cdx.stdout.splitlines()) == len(captures) > 0, f
        ours = f.with_name(f.name + ".cdxj")
        # our index holds the indexer's lines, sorted (CDXJ is ordered by key)
        assert ours.exists() and sorted(ours.read_text().splitlines()) == sorted(cdx.stdout.splitlines())
