"""Existing archives (.warc, .warc.gz, .arc, .arc.gz, .wacz) as ingest inputs.

Each record is validated and copied into the corpus WARC with its WARC-Record-ID and header
fields kept, so a row extracted later points back to the capture another tool made. We parse
the files ourselves rather than with warcio because warcio stops at the first bad record, does
not notice a file cut inside its last gzip member (resiliparse ``clipped.warc.gz``) and refuses
whole-file gzip; here a bad record becomes a :class:`~archivist.report.Reject` with its file,
offset and reason, and reading resumes at the next record header or gzip member.

What changes on the way in (and only this):

* the version line becomes ``WARC/1.1``; ``WARC-Target-URI`` loses ``<>`` (WARC/1.0 grammar)
  and has spaces percent-encoded;
* every record gets its own gzip member (whole-file gzip input is recompressed per record);
* a record without ``WARC-Block-Digest`` gets a sha1 one, a non-empty block without
  ``Content-Type`` gets one (``application/http;msgtype=…`` for HTTP messages, else
  ``application/octet-stream``); ``WARC-Date`` with a UTC offset is rewritten in UTC ``Z`` form;
* existing digests (sha1 Base32 or Base16, sha256 hex, ``sha-256:``, Base64) are checked, and
  re-encoded canonically when they verify (``sha1:`` + Base32, else ``<algo>:`` + hex: the same
  hash, in the form fastwarc and CDX consumers read);
* ARC records become WARC records: the ``filedesc://`` header record a ``warcinfo`` (block kept
  verbatim as ``text/plain``), HTTP captures ``response`` records, anything else ``resource``.

Reject reasons: ``truncated`` (file ends inside a record), ``gzip-error`` (corrupt member),
``bad-header``, ``missing-field``, ``bad-content-length``, ``bad-trailer`` (block not followed
by CRLF CRLF: the Content-Length is wrong), ``digest-mismatch``, ``bad-digest`` (unreadable
digest field), ``garbage`` (bytes between records that are no record), ``bad-arc-header``,
``unreadable``, ``bad-wacz``, ``empty-archive``; and ``duplicate-record`` / ``duplicate-record-id``
when a record id was already copied in the same run (see :func:`copy_archive`).
"""

from __future__ import annotations

import mmap
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import digests
from .hashing import sha1_base32, sha256_hex
from .report import Reject, StageReport
from .warc_reader import dechunk
from .warc_writer import WARC_VERSION, WarcFileWriter, record_id, warc_date

STAGE = "ingest"
Buffer = bytes | mmap.mmap
_GZIP_MAGIC = b"\x1f\x8b\x08"
_FEED = 1 << 20
_MAX_HEADER = 1 << 20
_PEEK = 1 << 22
_VERSIONS = {b"WARC/0.17", b"WARC/0.18", b"WARC/1.0", b"WARC/1.1"}
_MANDATORY = ("WARC-Type", "WARC-Record-ID", "WARC-Date")
# The start of a WARC record, or an ARC header line (url ip 14-digit-date ...).
_WARC_START = re.compile(rb"(?:^|\n)(WARC/\d+\.\d+\r?\n)")
_ARC_LINE = re.compile(rb"(?:^|\n)([a-z][a-z0-9+.-]*:[^ \n]* [^ \n]+ \d{14,}[^\n]*\n)", re.IGNORECASE)


@dataclass
class CopiedRecord:
    """One valid record, ready to write: header lines (without version line and Content-Length)."""

    offset: int
    record_type: str
    record_id: str
    date: str
    headers: list[tuple[str, str]]
    block: bytes


@dataclass
class ArchiveStats:
    input: str
    records_in: int = 0
    archived: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Byte source: decompressed data in pieces, with the source offset each piece starts at.


@dataclass
class _Piece:
    src_offset: int  # offset in the file (of the gzip member, or of the bytes when uncompressed)
    data: bytes
    problem: tuple[str, str] | None = None  # (reason, detail) when the piece ends abnormally


def _pieces(data: Buffer) -> Iterator[_Piece]:
    """Decompressed data in pieces of about ``_FEED`` bytes, so memory stays bounded by the
    largest record rather than the file (whole-file gzip included)."""
    n = len(data)
    if data[:3] != _GZIP_MAGIC:
        for at in range(0, n, _FEED):
            yield _Piece(at, bytes(data[at : at + _FEED]))
        return
    view = memoryview(data)  # zero-copy slices: a 1 MiB copy per small member would dominate
    try:
        yield from _members(data, view)
    finally:
        view.release()


def _members(data: Buffer, view: memoryview) -> Iterator[_Piece]:
    n = len(data)
    pos = 0
    while pos < n:
        d = zlib.decompressobj(31)
        at = pos
        feed = 1 << 14  # grow from small: zlib copies what follows a member into unused_data
        try:
            while not d.eof and at < n:
                chunk = d.decompress(view[at : at + feed])
                at += feed
                feed = min(feed * 2, _FEED)
                if chunk:
                    yield _Piece(pos, chunk)
        except zlib.error as e:
            yield _Piece(pos, b"", ("gzip-error", f"corrupt gzip member at {pos}: {e}"))
            nxt = _next_member(data, pos + 1)
            if nxt is None:
                return
            pos = nxt
            continue
        if not d.eof:
            yield _Piece(pos, b"", ("truncated", f"file ends inside the gzip member at {pos} (cut file)"))
            return
        pos = min(at, n) - len(d.unused_data)
        # Some writers pad with zeros after the last member; that is not a record.
        if data[pos : pos + 3] != _GZIP_MAGIC and not bytes(data[pos:]).strip(b"\x00"):
            return


def _next_member(data: Buffer, start: int) -> int | None:
    """The next offset where a gzip member really starts (the magic bytes also occur by chance
    inside compressed data, so a candidate must decompress)."""
    while True:
        nxt = data.find(_GZIP_MAGIC, start)
        if nxt < 0:
            return None
        try:
            zlib.decompressobj(31).decompress(data[nxt : nxt + 8192])
            return nxt
        except zlib.error:
            start = nxt + 1


# ---------------------------------------------------------------------------------------------
# Record parser over the concatenated stream.


class _Parser:
    def __init__(self, name: str, arc: bool, plain: bool) -> None:
        self.name = name
        self.arc = arc
        self.plain = plain  # uncompressed file: source offset = stream position
        self.buf = bytearray()
        self.base = 0  # stream position of buf[0]
        self.members: list[tuple[int, int]] = []  # (stream position, source offset) of each gzip member

    def src(self, pos: int) -> int:
        """The file offset of the gzip member (or byte) holding buffer position ``pos``."""
        stream = self.base + pos
        if self.plain:
            return stream
        best = self.members[0][1] if self.members else 0
        for spos, soff in self.members:
            if spos > stream:
                break
            best = soff
        return best

    def feed(self, piece: _Piece) -> None:
        self.members.append((self.base + len(self.buf), piece.src_offset))
        self.buf += piece.data

    def reject(self, pos: int, reason: str, detail: str, rid: str | None = None) -> Reject:
        off = self.src(pos)
        return Reject(input=self.name, stage=STAGE, reason=reason, detail=f"{self.name}@{off}: {detail}",
                      warc_record_id=rid, warc_record_offset=off)

    def drain(self, final: bool, problem: tuple[str, str] | None = None) -> Iterator[CopiedRecord | Reject]:
        """Parse every complete record in the buffer; with ``final`` the rest is rejected."""
        pos = 0
        last: CopiedRecord | Reject | None = None
        while True:
            while pos < len(self.buf) and self.buf[pos] in b"\r\n\x00 \t":
                pos += 1
            if pos >= len(self.buf):
                break
            step = self._arc_one(pos, final) if self.arc else self._warc_one(pos, final)
            if step is None:  # needs more data
                break
            item, pos = step
            if item is not None:
                last = item
                yield item
        if final and problem is not None and not (isinstance(last, Reject) and last.reason == problem[0]):
            # The cut or corruption fell between records: still say so once.
            yield self.reject(min(pos, len(self.buf)), problem[0], problem[1])
        if final:
            pos = len(self.buf)
        del self.buf[:pos]
        self.base += pos
        # Forget members that ended before the buffer start (keep the one holding it).
        while len(self.members) > 1 and self.members[1][0] <= self.base:
            self.members.pop(0)

    def _garbage(self, pos: int, final: bool) -> tuple[Reject, int] | None:
        """Bytes at ``pos`` that start no record: skip to the next record start as one reject."""
        m = (_ARC_LINE if self.arc else _WARC_START).search(self.buf, pos + 1)
        if m is None and not final:
            return None
        end = m.start(1) if m else len(self.buf)
        return self.reject(pos, "garbage", f"{end - pos} bytes that are no record (skipped to the next record header)"), end

    def _skip(self, pos: int) -> int:
        # After a bad record, resume at the next thing that looks like a record start.
        m = (_ARC_LINE if self.arc else _WARC_START).search(self.buf, pos + 1)
        return m.start(1) if m else len(self.buf)

    # -- WARC ---------------------------------------------------------------------------------

    def _warc_one(self, pos: int, final: bool) -> tuple[CopiedRecord | Reject | None, int] | None:
        buf = self.buf
        if not buf.startswith(b"WARC/", pos):
            if len(buf) - pos < 5 and not final:
                return None
            return self._garbage(pos, final)
        head_end, sep = _header_end(buf, pos)
        if head_end < 0:
            if len(buf) - pos > _MAX_HEADER:
                return self.reject(pos, "bad-header", "no end of header within 1 MiB"), self._skip(pos)
            if not final:
                return None
            return self.reject(pos, "truncated", "file ends inside a record header"), len(buf)
        lines = bytes(buf[pos:head_end]).replace(b"\r\n", b"\n").split(b"\n")
        version = lines[0].strip()
        if version not in _VERSIONS:
            return self.reject(pos, "bad-header", f"unsupported version line {version[:20]!r}"), self._skip(pos)
        try:
            headers = _parse_fields(lines[1:])
        except ValueError as e:
            return self.reject(pos, "bad-header", str(e)), self._skip(pos)
        get = _getter(headers)
        rid = get("WARC-Record-ID")
        length_text = get("Content-Length")
        if length_text is None or not length_text.strip().isdigit():
            return self.reject(pos, "bad-content-length", f"Content-Length {length_text!r}", rid), self._skip(pos)
        start = head_end + len(sep)
        end = start + int(length_text)
        if len(buf) < end + 4 and not final:
            return None
        if len(buf) < end:
            return (self.reject(pos, "truncated", f"block of {length_text} bytes declared, only {len(buf) - start} present", rid),
                    len(buf))
        trailer = bytes(buf[end : end + 4])
        if not (trailer == b"\r\n\r\n" or (trailer[:2] == b"\n\n" and version.startswith(b"WARC/0."))
                or (final and len(buf) - end < 4 and not bytes(buf[end:]).strip())):
            return (self.reject(pos, "bad-trailer",
                                f"block of Content-Length {length_text} is not followed by CRLF CRLF (wrong length?)", rid),
                    self._skip(pos))
        missing = [k for k in _MANDATORY if not get(k)]
        if missing:
            return self.reject(pos, "missing-field", f"no {', '.join(missing)}", rid), end
        rid_ok = rid is not None and re.fullmatch(r"<[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]+>", rid.strip())
        if not rid_ok:
            return self.reject(pos, "bad-record-id", f"WARC-Record-ID {rid!r} is not <URI>", rid), end
        date = normal_date(get("WARC-Date") or "")
        if date is None:
            return self.reject(pos, "bad-date", f"WARC-Date {get('WARC-Date')!r} is not a W3C-DTF date", rid), end
        block = bytes(buf[start:end])
        item = self._check_and_build(pos, headers, block, date)
        return item, end

    def _check_and_build(self, pos: int, headers: list[tuple[str, str]], block: bytes, date: str) -> CopiedRecord | Reject:
        get = _getter(headers)
        rid = get("WARC-Record-ID") or ""
        rtype = (get("WARC-Type") or "").strip()
        block_digest = get("WARC-Block-Digest")
        out: list[tuple[str, str]] = []
        for k, v in headers:
            if k.lower() == "content-length":
                continue
            if k.lower() in ("warc-target-uri", "warc-refers-to-target-uri"):
                v = clean_target_uri(v)
            elif k.lower() == "warc-date":
                v = date
            out.append((k, v))
        try:
            if block_digest is not None and not digests.matches(block_digest, block):
                return self.reject(pos, "digest-mismatch", f"WARC-Block-Digest {block_digest} does not match the block", rid)
            payload_digest = get("WARC-Payload-Digest")
            if payload_digest is not None and rtype in ("response", "request", "resource", "conversion"):
                candidates = _payload_candidates(rtype, get("Content-Type"), block)
                if not digests.matches(payload_digest, *candidates):
                    return self.reject(pos, "digest-mismatch",
                                       f"WARC-Payload-Digest {payload_digest} matches neither the entity nor the de-chunked entity", rid)
            # Verified digests are re-encoded canonically (same hash, readable by every tool).
            out = [(k, digests.canonical(v)) if k.lower() in ("warc-block-digest", "warc-payload-digest") else (k, v)
                   for k, v in out]
        except digests.BadDigest as e:
            return self.reject(pos, "bad-digest", str(e), rid)
        if block_digest is None:
            out.append(("WARC-Block-Digest", "sha1:" + sha1_base32(block)))
        if block and get("Content-Type") is None:
            out.append(("Content-Type", _guess_block_type(rtype, block)))
        return CopiedRecord(self.src(pos), rtype, rid, date, out, block)

    # -- ARC ----------------------------------------------------------------------------------

    def _arc_one(self, pos: int, final: bool) -> tuple[CopiedRecord | Reject | None, int] | None:
        buf = self.buf
        eol = buf.find(b"\n", pos)
        if eol < 0:
            if not final:
                return None
            return self.reject(pos, "truncated", "file ends inside an ARC header line"), len(buf)
        line = bytes(buf[pos:eol]).decode("latin-1").strip()
        parts = line.split(" ")
        if len(parts) not in (5, 10) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S*", parts[0]):
            return self._garbage(pos, final)
        url, ip, date = parts[0], parts[1], parts[2]
        ctype = parts[3]
        length = parts[-1]
        if not length.isdigit():
            return self.reject(pos, "bad-content-length", f"ARC length {length!r} in {line[:120]!r}"), self._skip(pos)
        if not re.fullmatch(r"\d{14}", date):
            return self.reject(pos, "bad-arc-header", f"ARC date {date!r} is not 14 digits"), self._skip(pos)
        start = eol + 1
        end = start + int(length)
        if len(buf) < end + 1 and not final:
            return None
        if len(buf) < end:
            return self.reject(pos, "truncated", f"ARC block of {length} bytes declared, {len(buf) - start} present"), len(buf)
        if end < len(buf) and buf[end : end + 1] != b"\n":
            return self.reject(pos, "bad-trailer", f"ARC block of length {length} is not followed by a newline"), self._skip(pos)
        block = bytes(buf[start:end])
        return self._arc_record(pos, url, ip, date, ctype, block), end + 1

    def _arc_record(self, pos: int, url: str, ip: str, date14: str, ctype: str, block: bytes) -> CopiedRecord:
        dt = warc_date(datetime.strptime(date14, "%Y%m%d%H%M%S").replace(tzinfo=UTC))
        rid = record_id("arc", url, dt, sha256_hex(block))
        headers: list[tuple[str, str]]
        if url.startswith("filedesc:"):
            rtype = "warcinfo"
            headers = [("WARC-Type", rtype), ("WARC-Record-ID", rid), ("WARC-Date", dt),
                       ("WARC-Filename", url.removeprefix("filedesc://")), ("Content-Type", "text/plain")]
        else:
            is_http = block.startswith(b"HTTP/")
            rtype = "response" if is_http else "resource"
            headers = [("WARC-Type", rtype), ("WARC-Record-ID", rid), ("WARC-Date", dt),
                       ("WARC-Target-URI", clean_target_uri(url))]
            if ip and ip not in ("-", "0.0.0.0"):
                headers.append(("WARC-IP-Address", ip))
            headers.append(("Content-Type", "application/http;msgtype=response" if is_http
                            else (ctype if "/" in ctype else "application/octet-stream")))
            payload = _payload_candidates(rtype, headers[-1][1], block)[-1]
            headers.append(("WARC-Payload-Digest", "sha1:" + sha1_base32(payload)))
        headers.append(("WARC-Block-Digest", "sha1:" + sha1_base32(block)))
        return CopiedRecord(self.src(pos), rtype, rid, dt, headers, block)


def _guess_block_type(rtype: str, block: bytes) -> str:
    # Added (never replaced) so every non-empty block says what it is, as 1.1 asks.
    if rtype in ("response", "revisit") and block.startswith(b"HTTP/"):
        return "application/http;msgtype=response"
    if rtype == "request" and re.match(rb"[A-Z]+ \S+ HTTP/", block):
        return "application/http;msgtype=request"
    if rtype in ("warcinfo", "metadata") and re.match(rb"[\w-]+: ", block):
        return "application/warc-fields"
    return "application/octet-stream"


def _header_end(buf: bytearray, pos: int) -> tuple[int, bytes]:
    crlf = buf.find(b"\r\n\r\n", pos)
    # LF-only headers (WARC/0.x, ClueWeb): only look before the CRLF end, or this is quadratic.
    lf = buf.find(b"\n\n", pos, crlf if crlf >= 0 else len(buf))
    if lf >= 0 and (crlf < 0 or lf < crlf):
        return lf, b"\n\n"
    return crlf, b"\r\n\r\n"


def _parse_fields(lines: list[bytes]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for raw in lines:
        if not raw.strip():
            continue
        line = raw.decode("utf-8", "replace")
        if line[:1] in (" ", "\t") and out:  # folded continuation (forbidden in 1.1, seen in 0.x)
            k, v = out[-1]
            out[-1] = (k, f"{v} {line.strip()}")
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or " " in name.strip():
            raise ValueError(f"header line is not 'Name: value': {line[:120]!r}")
        out.append((name.strip(), value.strip()))
    return out


def _getter(headers: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    low = {}
    for k, v in headers:
        low.setdefault(k.lower(), v)
    return lambda name: low.get(name.lower())


_W3C_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z")


def normal_date(value: str) -> str | None:
    """A WARC-Date as W3C-DTF in UTC (``Z``); an offset form is converted; None if it is no date."""
    value = value.strip()
    if _W3C_UTC.fullmatch(value):
        return value
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return warc_date(dt)


def clean_target_uri(uri: str) -> str:
    uri = uri.strip()
    if uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1]
    return uri.replace(" ", "%20")


def _payload_candidates(rtype: str, content_type: str | None, block: bytes) -> list[bytes]:
    """What a payload digest may cover: the entity as stored, and de-chunked if it is chunked."""
    if rtype in ("resource", "conversion") or "application/http" not in (content_type or "").lower():
        return [block]
    head_end, sep = _header_end(bytearray(block), 0)
    if head_end < 0:
        return [block, b""]
    head = block[:head_end].lower()
    entity = block[head_end + len(sep) :]
    if b"transfer-encoding" in head and b"chunked" in head:
        try:
            return [entity, dechunk(entity)]
        except (ValueError, IndexError):
            return [entity]
    return [entity]


# ---------------------------------------------------------------------------------------------
# Public entry points.


def iter_archive_bytes(name: str, data: Buffer) -> Iterator[CopiedRecord | Reject]:
    """Every record of one WARC/ARC file's bytes, or a Reject for each part that is no valid record."""
    plain_head = bytes(data[:64])
    is_gzip = data[:3] == _GZIP_MAGIC
    if is_gzip:
        try:
            plain_head = zlib.decompressobj(31).decompress(data[:4096], 64)
        except zlib.error:
            plain_head = b""
    arc = plain_head.lstrip().startswith(b"filedesc:") or (name.lower().endswith((".arc", ".arc.gz"))
                                                            and not plain_head.startswith(b"WARC/"))
    parser = _Parser(name, arc, plain=not is_gzip)
    pieces = _pieces(data)
    try:
        for piece in pieces:
            parser.feed(piece)
            if piece.problem is not None:
                yield from parser.drain(final=True, problem=piece.problem)
            else:
                yield from parser.drain(final=False)
    finally:
        pieces.close()  # releases its view of the mmap before the caller closes it
    yield from parser.drain(final=True)


def iter_archive(path: Path) -> Iterator[tuple[str, CopiedRecord | Reject]]:
    """(input label, record or reject) for a WARC/ARC file, or for each WARC inside a WACZ."""
    if not path.name.lower().endswith(".wacz"):
        try:
            with open(path, "rb") as fh:
                if os.fstat(fh.fileno()).st_size == 0:
                    return
                # mmap: the file is paged in as parsing goes, never read whole into memory
                with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    items = iter_archive_bytes(str(path), data)
                    try:
                        for item in items:
                            yield str(path), item
                    finally:
                        items.close()
        except (OSError, ValueError) as e:
            yield str(path), Reject(str(path), STAGE, "unreadable", f"{path}: {getattr(e, 'strerror', None) or e}")
        return
    try:
        with zipfile.ZipFile(path) as z:
            names = sorted(n for n in z.namelist() if n.startswith("archive/") and not n.endswith("/"))
            if not names:
                yield str(path), Reject(str(path), STAGE, "bad-wacz", f"{path}: no archive/ entries in the WACZ")
            for n in names:
                label = f"{path}#{n}"
                try:
                    inner = z.read(n)
                except (zipfile.BadZipFile, OSError, zlib.error) as e:
                    yield label, Reject(label, STAGE, "bad-wacz", f"{label}: cannot read from the zip: {e}")
                    continue
                for item in iter_archive_bytes(label, inner):
                    yield label, item
    except (zipfile.BadZipFile, OSError) as e:
        yield str(path), Reject(str(path), STAGE, "bad-wacz", f"{path}: not a readable zip: {e}")


def first_date(path: Path) -> datetime | None:
    """The WARC-Date of the first valid record (for naming the corpus WARC without the clock)."""
    from .warc_reader import parse_warc_date

    if path.name.lower().endswith(".wacz"):
        items = (item for _label, item in iter_archive(path))
    else:
        try:
            with open(path, "rb") as fh:
                head = fh.read(_PEEK)  # the first record is near the start; do not read 1 GB twice
        except OSError:
            return None
        items = iter_archive_bytes(str(path), head)
    for item in items:
        if isinstance(item, CopiedRecord):
            return parse_warc_date(item.date)
    return None


def copy_archive(path: Path, writer: WarcFileWriter, report: StageReport,
                 seen: dict[str, str] | None = None) -> list[ArchiveStats]:
    """Copy every valid record of ``path`` into ``writer``; every other part becomes a reject.

    ``seen`` (record id -> sha256 of the record as copied), shared across the archives of one
    run, keeps record ids unique in the output: the same capture met twice (a file and its
    compressed twin) is copied once and the repeat rejected as ``duplicate-record``; a different
    record reusing an id is rejected as ``duplicate-record-id``.
    """
    seen = {} if seen is None else seen
    stats: dict[str, ArchiveStats] = {}
    for label, item in iter_archive(path):
        st = stats.setdefault(label, ArchiveStats(label))
        st.records_in += 1
        if isinstance(item, CopiedRecord):
            digest = sha256_hex(repr(item.headers).encode("utf-8") + item.block)
            prior = seen.get(item.record_id)
            if prior is None:
                seen[item.record_id] = digest
            else:
                same = prior == digest
                item = Reject(label, STAGE, "duplicate-record" if same else "duplicate-record-id",
                              f"{label}@{item.offset}: {item.record_id} was already archived in this run"
                              + ("" if same else " with different content"),
                              warc_record_id=item.record_id, warc_record_offset=item.offset)
        if isinstance(item, Reject):
            st.rejected += 1
            st.reasons[item.reason] = st.reasons.get(item.reason, 0) + 1
            report.rejects.append(item)
            continue
        writer.write_copied(item.headers, item.block)
        st.archived += 1
        report.counts["archive_records_copied"] += 1
        report.counts[f"archive_{item.record_type or 'untyped'}_records"] += 1
    if not stats:
        label = str(path)
        stats[label] = ArchiveStats(label, records_in=1, rejected=1, reasons={"empty-archive": 1})
        report.rejects.append(Reject(label, STAGE, "empty-archive", f"{label}: no records in the file"))
    for st in stats.values():
        report.counts["archive_records_in"] += st.records_in
    return list(stats.values())


__all__ = ["WARC_VERSION", "ArchiveStats", "CopiedRecord", "clean_target_uri", "copy_archive", "first_date",
           "iter_archive", "iter_archive_bytes"]
