"""Fetching a URL list into WARC/1.1: ``archivist ingest --urls FILE``.

Every HTTP exchange (each retry, each redirect hop, each robots.txt fetch) is archived as a
``request`` + ``response`` pair that point at each other with ``WARC-Concurrent-To`` and share
one ``WARC-Date``. Blocks are the HTTP messages exactly as sent and received (chunked framing
included, see :mod:`archivist.httpwire`); ``WARC-Payload-Digest`` covers the de-chunked entity
with its content coding kept (notes/archival.md §1-3). A payload already archived in this run
becomes a ``revisit`` (identical-payload-digest profile). Robots decisions and fetch errors
are ``metadata`` records.

Requests are HTTP/1.0, as Heritrix sends by default, so that compliant servers neither chunk
nor send 1xx interim responses (see :mod:`archivist.httpwire`); the stored response then gets
the same payload digest from every reader. A server that chunks anyway is counted
(``chunked_despite_http10``) and its payload digest is still over the de-chunked entity, as
the standard says, which ``warcio check`` disputes (warcio#74).

Each capture (request + response/revisit) is followed by a ``metadata`` record
(``WARC-Concurrent-To`` the response) with Heritrix's per-hop provenance: ``via`` (the URL
that led here: the redirecting URL, or the page a robots.txt was fetched for),
``hopsFromSeed`` (Heritrix letters: ``R`` per redirect, ``P`` for the robots.txt
prerequisite; absent on the seed itself) and ``fetchTimeMs``. Interim 1xx responses a server
sent before the final one are kept there too, base64 of the bytes as received
(``interimResponses``), so the response block itself starts at the response it records
(what every replay tool reads). The three records of a capture never straddle a file
rotation.

Live fetches are the one place where WARC-Date is "now": the date is the instant the request
was sent, because that is when the capture happened. Everything else stays deterministic for
the bytes received: records are written in the order of the URL list (not completion order),
and record ids are derived from URL, date, hop, attempt and content.

Politeness: at most ``max_per_host`` connections per host, ``delay`` seconds between request
starts on one host (raised to the robots.txt Crawl-delay, capped at 30 s), robots.txt fetched
once per origin and obeyed (RFC 9309: 4xx = allow all, 5xx or unreachable = disallow all).
"""

from __future__ import annotations

import base64
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from . import __version__
from .hashing import sha1_base32, sha256_hex
from .httpwire import WireError, WireResponse, build_request, exchange
from .netguard import GuardError, pick_address
from .report import StageReport
from .warc_writer import (
    DEFAULT_MAX_BYTES,
    REVISIT_IDENTICAL,
    WarcFileWriter,
    record_id,
    warc_date,
    warc_fields,
)

# No invented homepage: the agent says what it is; the operator (corpus.toml) is who runs it.
DEFAULT_USER_AGENT = f"archivist/{__version__} (research corpus builder)"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 §2.5: parse at least 500 KiB
ROBOTS_MAX_HOPS = 5  # RFC 9309 §2.3.1.2
MAX_CRAWL_DELAY = 30.0
MAX_RETRY_AFTER = 120.0


@dataclass(frozen=True)
class FetchOptions:
    allow_private: bool = False
    ignore_robots: bool = False
    user_agent: str | None = None  # None: default_user_agent(operator)
    delay: float = 1.0  # seconds between request starts on one host
    max_per_host: int = 2
    workers: int = 8
    timeout: float = 30.0  # connect timeout and read (idle) timeout
    deadline: float = 120.0  # whole exchange, so a trickling server is cut off
    max_bytes: int = 10_000_000  # entity cap per response -> WARC-Truncated: length
    retries: int = 2  # extra attempts on connect errors, timeouts, 5xx and 429
    backoff: float = 1.0  # first retry wait; doubles each attempt
    max_redirects: int = 10
    # "ip:port" endpoints trusted despite the private-address rule (e.g. an internal mirror).
    exempt_addresses: frozenset[str] = frozenset()
    ca_file: str | None = None  # extra CA bundle for https (default: the system's)

    def __post_init__(self) -> None:
        for name in ("delay", "backoff", "retries", "max_redirects"):
            if getattr(self, name) < 0:
                raise ValueError(f"fetch option {name} must be >= 0, not {getattr(self, name)}")
        for name in ("timeout", "deadline", "max_bytes", "max_per_host", "workers"):
            if getattr(self, name) <= 0:
                raise ValueError(f"fetch option {name} must be > 0, not {getattr(self, name)}")
        ua = self.user_agent
        if ua is not None and (not ua.strip() or any(c in ua for c in "\r\n")):
            raise ValueError("the user agent must be one non-empty line")

    @property
    def agent(self) -> str:
        return self.user_agent or DEFAULT_USER_AGENT


def default_user_agent(operator: str | None = None) -> str:
    """``archivist/<version> (research corpus builder)``, naming the operator when there is one."""
    op = " ".join((operator or "").replace("(", " ").replace(")", " ").split())
    if not op:
        return DEFAULT_USER_AGENT
    return f"archivist/{__version__} (research corpus builder; operator: {op})"


@dataclass
class Exchange:
    """One capture event: a request sent and the response received for it."""

    url: str
    date: datetime
    ip: str
    resp: WireResponse
    hop: int
    attempt: int
    purpose: str = "page"  # page | robots
    via: str | None = None  # the URL that led here (redirect source, or page needing robots.txt)
    hops: str = ""  # Heritrix hopsFromSeed letters

    def ids(self) -> tuple[str, str]:
        d = warc_date(self.date)
        key = (self.purpose, self.url, d, str(self.hop), str(self.attempt), sha256_hex(self.resp.raw))
        return record_id("fetch-request", *key), record_id("fetch-response", *key)


@dataclass
class Chain:
    """A URL followed through its redirects: every exchange, the final one, or why it stopped."""

    exchanges: list[Exchange] = field(default_factory=list)
    final: Exchange | None = None
    error: tuple[str, str, str] | None = None  # (kind, message, url where it happened)
    error_date: datetime | None = None
    robots: list[RobotsCheck] = field(default_factory=list)
    ip: str | None = None


@dataclass
class RobotsEntry:
    origin: str
    robots_url: str
    chain: Chain
    verdict: str  # rules | allow-all | disallow-all
    detail: str
    rules: object | None = None  # protego.Protego

    def allows(self, url: str, user_agent: str) -> bool:
        if self.verdict == "rules" and self.rules is not None:
            return bool(self.rules.can_fetch(url, user_agent))  # type: ignore[attr-defined]
        return self.verdict == "allow-all"


@dataclass
class RobotsCheck:
    url: str
    entry: RobotsEntry
    allowed: bool
    date: datetime
    hop: int = 0


@dataclass
class UrlResult:
    line: int
    url: str
    chain: Chain


def _now() -> datetime:
    return datetime.now(UTC)


class HostGate:
    """Per-host politeness: a connection cap and a minimum spacing between request starts."""

    def __init__(self, delay: float, max_per_host: int) -> None:
        self._delay = delay
        self._max = max(1, max_per_host)
        self._lock = threading.Lock()
        self._hosts: dict[str, list] = {}  # host -> [semaphore, lock, next_start, delay]

    def _get(self, host: str) -> list:
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = [threading.Semaphore(self._max), threading.Lock(), 0.0, self._delay]
            return self._hosts[host]

    def raise_delay(self, host: str, delay: float) -> None:
        h = self._get(host)
        with h[1]:
            h[3] = max(h[3], min(delay, MAX_CRAWL_DELAY))

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        h = self._get(host)
        h[0].acquire()
        try:
            with h[1]:
                now = time.monotonic()
                start = max(now, h[2])
                h[2] = start + h[3]
            if start > now:
                time.sleep(start - now)
            yield
        finally:
            h[0].release()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - _now()).total_seconds())


def _robots_text(entity: bytes, encoding: str | None) -> str:
    """robots.txt as text, decompressed to at most ROBOTS_MAX_BYTES (no gzip bomb gets further)."""
    enc = (encoding or "").strip().lower()
    data = entity
    if enc in ("gzip", "x-gzip", "deflate"):
        for wbits in ((47,) if enc != "deflate" else (15, -15)):
            try:
                data = zlib.decompressobj(wbits).decompress(entity, ROBOTS_MAX_BYTES)
                break
            except zlib.error:
                continue
    return data[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")


def normalise_url(text: str) -> str:
    """The URL as it will be requested and recorded; ValueError says why it cannot be."""
    parts = urlsplit(text.strip())
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"unsupported scheme {parts.scheme!r} (only http and https are fetched)")
    if not parts.hostname:
        raise ValueError("no host in URL")
    try:
        _ = parts.port
    except ValueError as e:
        raise ValueError(f"bad port: {e}") from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, query, ""))


class Fetcher:
    def __init__(self, options: FetchOptions) -> None:
        self.o = options
        self.gate = HostGate(options.delay, options.max_per_host)
        self._robots: dict[str, RobotsEntry] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    # -- one URL -------------------------------------------------------------------------

    def fetch_url(self, line: int, url: str) -> UrlResult:
        try:
            chain = self.follow(url, max_hops=self.o.max_redirects, check_robots=not self.o.ignore_robots)
        except Exception as e:  # a bug for one URL must not stop the run
            chain = Chain(error=("internal-error", f"{type(e).__name__}: {e}", url), error_date=_now())
        return UrlResult(line, url, chain)

    def follow(self, url: str, *, max_hops: int, check_robots: bool, purpose: str = "page",
               via: str | None = None, hops: str = "") -> Chain:
        chain = Chain()
        seen: set[str] = set()
        cur = prev = url
        for hop in range(max_hops + 1):
            if hop:
                via, hops = prev, hops + "R"
            if cur in seen:
                chain.error = ("redirect-loop", f"redirect loop: {cur} was already visited in this chain", cur)
                break
            seen.add(cur)
            parts = urlsplit(cur)
            host = (parts.hostname or "").lower()
            try:
                port = parts.port or (443 if parts.scheme == "https" else 80)
                ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
                ip = pick_address(ascii_host, port, allow_private=self.o.allow_private,
                                  exempt=self.o.exempt_addresses, timeout=self.o.timeout)
            except GuardError as e:
                chain.error = (e.kind, str(e), cur)
                break
            except (ValueError, UnicodeError) as e:
                chain.error = ("invalid-url", f"{cur}: {e}", cur)
                break
            chain.ip = ip
            if check_robots:
                check = self.robots_check(cur, parts.scheme, ascii_host, port, hops)
                check.hop = hop
                chain.robots.append(check)
                if not check.allowed:
                    chain.error = ("robots-disallowed",
                                   f"{cur} is disallowed by {check.entry.robots_url} ({check.entry.detail})", cur)
                    break
            exchanges, error = self._fetch_with_retries(cur, parts, ascii_host, port, ip, hop, purpose)
            for ex in exchanges:
                ex.via, ex.hops = via, hops
            prev = cur
            chain.exchanges += exchanges
            if error is not None:
                chain.error = (error[0], error[1], cur)
                break
            last = exchanges[-1]
            location = last.resp.header("Location")
            if last.resp.status in REDIRECT_STATUSES and location:
                try:
                    nxt = normalise_url(urljoin(cur, location.strip()))
                except ValueError as e:
                    chain.final = last  # a redirect we cannot follow: the 3xx is the result
                    chain.error = ("bad-redirect", f"{cur} redirects to {location!r}: {e}", cur)
                    break
                if hop == max_hops:
                    chain.error = ("too-many-redirects", f"more than {max_hops} redirects from {url}", cur)
                    break
                cur = nxt
                continue
            chain.final = last
            break
        if chain.error is not None:
            chain.error_date = _now()
        return chain

    def _fetch_with_retries(
        self, url: str, parts, host: str, port: int, ip: str, hop: int, purpose: str
    ) -> tuple[list[Exchange], tuple[str, str] | None]:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        default_port = 443 if parts.scheme == "https" else 80
        host_header = host if port == default_port else f"{host}:{port}"
        if ":" in host and not host.startswith("["):  # IPv6 literal
            host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
        request = build_request("GET", target, host_header, [
            ("User-Agent", self.o.agent),
            ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            ("Accept-Encoding", "gzip, deflate"),
        ])
        max_bytes = ROBOTS_MAX_BYTES if purpose == "robots" else self.o.max_bytes
        out: list[Exchange] = []
        for attempt in range(self.o.retries + 1):
            wait = self.o.backoff * (2 ** attempt)
            with self.gate.slot(host):
                date = _now()
                try:
                    resp = exchange(
                        ip=ip, port=port, tls_host=host if parts.scheme == "https" else None,
                        request=request, connect_timeout=self.o.timeout, read_timeout=self.o.timeout,
                        ca_file=self.o.ca_file,
                        deadline=time.monotonic() + self.o.deadline, max_bytes=max_bytes,
                    )
                except WireError as e:
                    if not e.retryable or attempt == self.o.retries:
                        return out, (e.kind, f"{e} (after {attempt + 1} attempt(s))")
                    resp = None
            if resp is not None:
                out.append(Exchange(url, date, ip, resp, hop, attempt, purpose))
                if not (resp.status == 429 or 500 <= resp.status < 600) or attempt == self.o.retries:
                    return out, None
                ra = _retry_after(resp.header("Retry-After"))
                if ra is not None:
                    wait = max(wait, min(ra, MAX_RETRY_AFTER))
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- robots.txt ---------------------------------------------------------------------

    def robots_check(self, url: str, scheme: str, host: str, port: int, hops: str = "") -> RobotsCheck:
        default_port = 443 if scheme == "https" else 80
        netloc = host if port == default_port else f"{host}:{port}"
        origin = f"{scheme}://{netloc}"
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch per origin, however many workers ask at once
            entry = self._robots.get(origin)
            if entry is None:
                entry = self._fetch_robots(origin, host, url, hops)
                self._robots[origin] = entry
        return RobotsCheck(url, entry, entry.allows(url, self.o.agent), _now())

    def _fetch_robots(self, origin: str, host: str, for_url: str, hops: str) -> RobotsEntry:
        robots_url = origin + "/robots.txt"
        # a prerequisite of the first URL that needed it (Heritrix: via that URL, hop letter P)
        chain = self.follow(robots_url, max_hops=ROBOTS_MAX_HOPS, check_robots=False, purpose="robots",
                            via=for_url, hops=hops + "P")
        final = chain.final
        if chain.error is not None and chain.error[0] in ("redirect-loop", "too-many-redirects", "bad-redirect"):
            return RobotsEntry(origin, robots_url, chain, "allow-all", f"robots.txt redirects unresolved ({chain.error[0]}): allow all")
        if chain.error is not None or final is None:
            kind = chain.error[0] if chain.error else "no-response"
            return RobotsEntry(origin, robots_url, chain, "disallow-all", f"robots.txt unreachable ({kind}): disallow all")
        status = final.resp.status
        if 200 <= status < 300:
            from protego import Protego

            text = _robots_text(final.resp.entity, final.resp.header("Content-Encoding"))
            rules = Protego.parse(text)
            delay = rules.crawl_delay(self.o.agent)
            if delay:
                self.gate.raise_delay(host, float(delay))
            return RobotsEntry(origin, robots_url, chain, "rules", f"robots.txt HTTP {status}", rules)
        if 400 <= status < 500:
            return RobotsEntry(origin, robots_url, chain, "allow-all", f"robots.txt HTTP {status}: allow all")
        if 500 <= status < 600:
            return RobotsEntry(origin, robots_url, chain, "disallow-all", f"robots.txt HTTP {status}: disallow all")
        return RobotsEntry(origin, robots_url, chain, "allow-all", f"robots.txt HTTP {status}: allow all")


# -- writing ------------------------------------------------------------------------------


@dataclass
class _Original:
    record_id: str
    uri: str
    date: str


class _RecordWriter:
    def __init__(self, writer: WarcFileWriter, report: StageReport, options: FetchOptions) -> None:
        self.w = writer
        self.report = report
        self.o = options
        self.originals: dict[str, _Original] = {}
        self.robots_written: set[str] = set()

    def exchange(self, ex: Exchange) -> str:
        """Write one capture: request, response (or revisit) and its provenance metadata, all
        in one file; returns the response record id."""
        with self.w.together():
            resp_id = self._pair(ex)
            self._capture_metadata(ex, resp_id)
        return resp_id

    def _capture_metadata(self, ex: Exchange, resp_id: str) -> None:
        r = ex.resp
        fields: list[tuple[str, str]] = []
        if ex.via:
            fields.append(("via", ex.via))
        if ex.hops:
            fields.append(("hopsFromSeed", ex.hops))
        fields.append(("fetchTimeMs", str(round(r.elapsed * 1000))))
        if ex.attempt:
            fields.append(("attempt", str(ex.attempt + 1)))
        if r.interim:
            heads = [h.split(b"\r\n", 1)[0].split(b"\n", 1)[0].decode("latin-1") for h in _split_heads(r.interim)]
            fields.append(("interimResponseStatus", " | ".join(heads)))
            fields.append(("interimResponses", base64.b64encode(r.interim).decode("ascii")))
            self.report.counts["interim_responses_skipped"] += len(heads)
        if r.chunked:
            # RFC 9112 §6.1: no chunking to an HTTP/1.0 request. Digest stays the standard's.
            fields.append(("transferEncoding", "chunked despite an HTTP/1.0 request; "
                           "WARC-Payload-Digest is over the de-chunked entity"))
            self.report.counts["chunked_despite_http10"] += 1
        d = warc_date(ex.date)
        rid = record_id("fetch-capture-metadata", resp_id, *(f"{k}={v}" for k, v in fields))
        self.w.write([("WARC-Type", "metadata"), ("WARC-Record-ID", rid), ("WARC-Date", d),
                      ("WARC-Target-URI", ex.url), ("WARC-Concurrent-To", resp_id),
                      ("Content-Type", "application/warc-fields")], warc_fields(fields))
        self.report.counts["capture_metadata_records"] += 1

    def _pair(self, ex: Exchange) -> str:
        c = self.report.counts
        req_id, resp_id = ex.ids()
        date = warc_date(ex.date)
        r = ex.resp
        self.w.write([
            ("WARC-Type", "request"),
            ("WARC-Record-ID", req_id),
            ("WARC-Date", date),
            ("WARC-Target-URI", ex.url),
            ("WARC-Concurrent-To", resp_id),
            ("WARC-IP-Address", ex.ip),
            ("Content-Type", "application/http;msgtype=request"),
        ], r.request)
        c["request_records"] += 1
        c["http_exchanges"] += 1
        if ex.attempt:
            c["retried_exchanges"] += 1
        digest = "sha1:" + sha1_base32(r.entity)
        common = [
            ("WARC-Record-ID", resp_id),
            ("WARC-Date", date),
            ("WARC-Target-URI", ex.url),
            ("WARC-Concurrent-To", req_id),
            ("WARC-IP-Address", ex.ip),
            ("Content-Type", "application/http;msgtype=response"),
        ]
        orig = self.originals.get(digest) if r.entity and not r.truncated else None
        if orig is not None:
            self.w.write([
                ("WARC-Type", "revisit"),
                *common,
                ("WARC-Profile", REVISIT_IDENTICAL),
                ("WARC-Refers-To", orig.record_id),
                ("WARC-Refers-To-Target-URI", orig.uri),
                ("WARC-Refers-To-Date", orig.date),
                ("WARC-Payload-Digest", digest),
                ("WARC-Truncated", "length"),  # the block keeps only the HTTP headers
            ], r.raw[: r.header_len])
            c["revisit_records"] += 1
            return resp_id
        headers = [("WARC-Type", "response"), *common, ("WARC-Payload-Digest", digest)]
        if r.truncated:
            headers.append(("WARC-Truncated", r.truncated))
            c[f"truncated_{r.truncated}"] += 1
        self.w.write(headers, r.raw)
        c["response_records"] += 1
        if r.entity and not r.truncated:
            self.originals[digest] = _Original(resp_id, ex.url, date)
        return resp_id

    def metadata(self, url: str, date: datetime, fields: list[tuple[str, str]], kind: str) -> str:
        # No WARC-Refers-To: these records describe a URL (a decision, a failure), not another
        # record; readers such as our extractor take Refers-To as "more about that record".
        d = warc_date(date)
        rid = record_id("fetch-metadata", kind, url, d, *(f"{k}={v}" for k, v in fields))
        headers = [("WARC-Type", "metadata"), ("WARC-Record-ID", rid), ("WARC-Date", d), ("WARC-Target-URI", url),
                   ("Content-Type", "application/warc-fields")]
        self.w.write(headers, warc_fields(fields))
        self.report.counts["metadata_records"] += 1
        return rid

    def robots_entry(self, entry: RobotsEntry) -> None:
        if entry.origin in self.robots_written:
            return
        self.robots_written.add(entry.origin)
        self.report.counts["robots_fetches"] += 1
        for ex in entry.chain.exchanges:
            self.exchange(ex)
        if entry.chain.error is not None:
            kind, msg, where = entry.chain.error
            self.metadata(where, entry.chain.error_date or _now(),
                          [("url", where), ("error-class", kind), ("message", msg), ("purpose", "robots")],
                          "fetch-error")

    def robots_decision(self, check: RobotsCheck) -> str:
        self.robots_entry(check.entry)
        final = check.entry.chain.final
        fields = [
            ("url", check.url),
            ("robots-url", check.entry.robots_url),
            ("robots-verdict", check.entry.verdict),
            ("robots-detail", check.entry.detail),
            ("user-agent", self.o.agent),
            ("decision", "allowed" if check.allowed else "disallowed"),
        ]
        if final is not None:
            fields.append(("robots-record-id", final.ids()[1]))
        return self.metadata(check.url, check.date, fields, "robots")

    def result(self, res: UrlResult) -> None:
        chain = res.chain
        report = self.report
        robots_meta = None
        checks = {c.hop: c for c in chain.robots}
        resp_ids: list[str] = []
        # Records follow the chain: each hop's robots decision, then that hop's exchanges.
        for hop in sorted({*checks, *(ex.hop for ex in chain.exchanges)}):
            if hop in checks:
                robots_meta = self.robots_decision(checks[hop])
            resp_ids += [self.exchange(ex) for ex in chain.exchanges if ex.hop == hop]
        redirects = sum(1 for ex in chain.exchanges if ex.resp.status in REDIRECT_STATUSES)
        report.counts["redirects_followed"] += redirects
        if chain.error is not None:
            kind, msg, where = chain.error
            if kind == "robots-disallowed":
                report.reject(res.url, kind, msg, url=res.url, warc_record_id=robots_meta)
                return
            fields = [("url", where), ("error-class", kind), ("message", msg)]
            if where != res.url:
                fields.insert(0, ("seed-url", res.url))
            if chain.ip:
                fields.append(("ip", chain.ip))
            if resp_ids:
                fields.append(("last-response-record-id", resp_ids[-1]))
            rid = self.metadata(where, chain.error_date or _now(), fields, "fetch-error")
            report.reject(res.url, kind, msg, url=res.url, warc_record_id=rid)
            return
        assert chain.final is not None
        status = chain.final.resp.status
        if 200 <= status < 300:
            report.counts["urls_archived"] += 1
            report.counts["pages_archived"] += 1
        else:
            n = chain.final.attempt + 1
            report.reject(res.url, "http-error",
                          f"{chain.final.url}: HTTP {status} {chain.final.resp.reason}".rstrip()
                          + f" (after {n} attempt(s))",
                          url=res.url, warc_record_id=resp_ids[-1])


def _split_heads(data: bytes) -> list[bytes]:
    """Consecutive header blocks (each ending in a blank line) of interim responses."""
    out: list[bytes] = []
    while data:
        i, j = data.find(b"\r\n\r\n"), data.find(b"\n\n")
        ends = [x + 4 for x in (i,) if x >= 0] + [x + 2 for x in (j,) if x >= 0]
        end = min(ends) if ends else len(data)
        out.append(data[:end])
        data = data[end:]
    return out


def read_url_list(path: Path, report: StageReport) -> list[tuple[int, str]]:
    """(line number, URL) for every fetchable line; the others become rejects."""
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as e:
        report.inputs += 1
        report.reject(str(path), "unreadable", f"{path}: {e.strerror or e}")
        return []
    out: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        report.inputs += 1
        try:
            url = normalise_url(s)
        except ValueError as e:
            report.reject(s, "invalid-url", f"{path}:{n}: {e}", url=s)
            continue
        if url in first_line:
            report.reject(s, "duplicate-url", f"{path}:{n}: same URL as line {first_line[url]}", url=url)
            continue
        first_line[url] = n
        out.append((n, url))
    return out


def fetch_urls(
    urls_file: str | Path,
    out_dir: str | Path,
    report: StageReport,
    *,
    prefix: str,
    corpus_name: str,
    operator: str | None = None,
    options: FetchOptions | None = None,
    max_file_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Fetch every URL of ``urls_file`` into new WARC files in ``out_dir``; returns the files."""
    o = options or FetchOptions()
    items = read_url_list(Path(urls_file), report)
    report.counts["urls_listed"] += len(items)
    if not items:
        return []
    if o.user_agent is None:
        o = replace(o, user_agent=default_user_agent(operator))
    info = [("isPartOf", corpus_name), ("robots", "ignore" if o.ignore_robots else "obey"),
            ("http-header-user-agent", o.agent)]
    if operator:
        info.append(("operator", operator))
    # The file name carries the run's start: a live crawl has no earlier date to use.
    writer = WarcFileWriter(out_dir=Path(out_dir), prefix=prefix, timestamp=_now().replace(microsecond=0),
                            info=info, max_bytes=max_file_bytes)
    records = _RecordWriter(writer, report, o)
    fetcher = Fetcher(o)
    # Results wait here to be written in list order; memory stays under ~window x 2 x max_bytes.
    window = max(2, 2 * o.workers)
    try:
        with ThreadPoolExecutor(max_workers=max(1, o.workers), thread_name_prefix="fetch") as pool:
            pending: deque[Future[UrlResult]] = deque()
            done = 0

            def write_next() -> None:
                nonlocal done
                records.result(pending.popleft().result())
                done += 1
                if progress:
                    progress(done, len(items))

            for line, url in items:
                pending.append(pool.submit(fetcher.fetch_url, line, url))
                while len(pending) > window:
                    write_next()
            while pending:
                write_next()
    finally:
        writer.close()
    return list(writer.files)
