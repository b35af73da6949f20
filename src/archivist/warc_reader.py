"""Reading WARC/ARC files record by record, with the byte offset and length of each record.

Offsets and lengths are those of the record as stored (its gzip member in a ``.warc.gz``), so
``warc_record_offset``/``warc_record_length`` in a row address exactly one record: read that
byte range and decompress it alone to get the source back.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any


@dataclass
class SourceRecord:
    warc_filename: str
    offset: int
    length: int
    record_type: str
    record_id: str | None
    target_uri: str | None
    date: datetime | None
    warc_content_type: str | None
    http_status: int | None
    http_content_type: str | None
    payload: bytes  # the entity: transfer coding removed, content coding kept (what the payload digest covers)
    content_encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def content(self, strict: bool = False) -> bytes:
        """The payload with its content coding (gzip, deflate, br) undone (see decode_content)."""
        return decode_content(self.payload, self.content_encoding, strict)

    @property
    def media_type(self) -> str:
        ct = self.http_content_type if self.http_status is not None else self.warc_content_type
        return (ct or "").split(";")[0].strip().lower()

    @property
    def declared_content_type(self) -> str | None:
        return self.http_content_type if self.http_status is not None else self.warc_content_type


@dataclass
class ReadError:
    warc_filename: str
    offset: int | None
    reason: str
    detail: str


def parse_warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:  # ARC dates: 14 digits
            dt = datetime.strptime(value.strip()[:14], "%Y%m%d%H%M%S")
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def dechunk(data: bytes) -> bytes:
    """Undo ``Transfer-Encoding: chunked``; a malformed stream raises ValueError."""
    out = bytearray()
    pos = 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            raise ValueError("chunk size line not terminated")
        size_text = data[pos:eol].split(b";")[0].strip()
        size = int(size_text, 16)
        if size == 0:
            return bytes(out)
        start = eol + 2
        if start + size > len(data):
            raise ValueError("chunk runs past the end of the body")
        out += data[start : start + size]
        pos = start + size + 2


def http_entity(body: bytes, transfer_encoding: str | None) -> bytes:
    if transfer_encoding and "chunked" in transfer_encoding.lower():
        try:
            return dechunk(body)
        except ValueError:
            return body  # stored de-chunked already despite the header (common in crawls)
    return body


# A page is never this large once decoded; more is a decompression bomb, not content.
MAX_DECODED = 64 << 20


class ContentTooLarge(ValueError):
    reason = "decompression-bomb"


def decode_content(body: bytes, encoding: str | None, strict: bool = False) -> bytes:
    """Undo a content coding. Output stops at MAX_DECODED; with ``strict`` that raises
    ContentTooLarge instead, so the extract stage rejects the record rather than keep a cut page."""
    enc = (encoding or "").strip().lower()
    if enc in ("gzip", "x-gzip", "deflate"):
        from . import inflate

        for wbits in (47 if enc != "deflate" else 15, -15):  # then raw deflate, as some servers send
            try:
                out, cut = inflate.decompress(body, wbits, MAX_DECODED)
            except zlib.error:
                continue
            if strict and cut:
                raise ContentTooLarge(f"content coding {enc} expands past {MAX_DECODED >> 20} MiB")
            return out
        return body
    if enc == "br":
        try:
            import brotli  # type: ignore[import-not-found]

            return brotli.decompress(body)
        except Exception:
            return body
    return body


def strip_brackets(uri: str | None) -> str | None:
    # WARC/1.0 writers (wget 1.19.4+) wrap the target URI in <>; 1.1 forbids it.
    if uri and uri.startswith("<") and uri.endswith(">"):
        return uri[1:-1]
    return uri


def iter_records(path: str | Path) -> Iterator[SourceRecord | ReadError]:
    """Yield every record of a WARC/ARC file; a record that cannot be parsed yields a ReadError."""
    path = Path(path)
    with open(path, "rb") as fh:
        # Gzip members only: on uncompressed files warcio's lengths leave out the record's
        # trailing CRLFs, which FastWARC's offsets cannot tell apart.
        if path.name.endswith(".warc.gz"):
            resume_at = yield from _iter_fast(fh, path.name)
            if resume_at is None:
                return
            fh.seek(resume_at)
            yield from _iter_stream(fh, path.name, resume_at)
        else:
            yield from _iter_stream(fh, path.name, 0)


def _iter_fast(fh: IO[bytes], name: str) -> Generator[SourceRecord, None, int | None]:
    """Records read with FastWARC (about 2x warcio here: ``benchmarks/decompress.py``); returns None when the whole file was
    read, or the offset from which warcio must take over.

    FastWARC gives no record length and, on a damaged gzip stream, repeats offsets rather than
    failing, so a record is yielded only once the next one starts strictly after it; at the first
    oddity (an exception, an offset that does not advance, a record shorter than its header) the
    rest of the file, from the last record not yet yielded, goes to warcio, which reports damage
    with a reason. ARC files never come here.
    """
    try:
        from fastwarc.warc import ArchiveIterator as FastIterator
    except ImportError:
        return 0
    size = os.fstat(fh.fileno()).st_size
    held: tuple[int, Any, bytes] | None = None
    try:
        for rec in FastIterator(fh, parse_http=True):
            pos = rec.stream_pos
            if held is not None:
                if pos <= held[0]:
                    return held[0]
                yield _fast_record(name, held, pos - held[0])
                held = None
            if not rec.is_http and (rec.headers.get("WARC-Type") or "") in ("response", "request") \
                    and "http" in (rec.headers.get("WARC-Target-URI") or "")[:6]:
                return pos  # an HTTP block FastWARC would not parse: warcio's reading decides
            if rec.is_http and rec.http_headers is not None and "\n" in (rec.http_headers.status_line or ""):
                return pos  # headers ended by bare LFs (ClueWeb): FastWARC runs into the body
            held = (pos, rec, rec.reader.read())
    except Exception:
        return held[0] if held is not None else 0
    if held is None:
        return 0 if size else None
    if held[0] >= size:
        return held[0]
    yield _fast_record(name, held, size - held[0])
    return None


def _fast_record(name: str, held: tuple[int, Any, bytes], length: int) -> SourceRecord:
    offset, rec, entity = held
    h = rec.headers
    rtype = h.get("WARC-Type") or ""
    status = None
    http_ct = None
    encoding = None
    if rec.is_http and rec.http_headers is not None:
        hh = rec.http_headers
        entity = http_entity(entity, hh.get("Transfer-Encoding"))
        encoding = hh.get("Content-Encoding")
        if rtype in ("response", "revisit"):
            code = hh.status_code
            status = int(code) if code else None
            http_ct = hh.get("Content-Type")
    headers = dict(h.items())
    if "WARC-Target-URI" in headers:  # as warcio normalises it
        headers["WARC-Target-URI"] = strip_brackets(headers["WARC-Target-URI"]).replace(" ", "%20")  # type: ignore[union-attr]
    return _source_record(name, offset, length, rtype, headers, status, http_ct, entity, encoding)


def _source_record(name: str, offset: int, length: int, rtype: str, headers: dict[str, str], status: int | None,
                   http_ct: str | None, entity: bytes, encoding: str | None) -> SourceRecord:
    """One SourceRecord from what either reader (FastWARC or warcio) parsed."""
    return SourceRecord(
        warc_filename=name,
        offset=offset,
        length=length,
        record_type=rtype,
        record_id=headers.get("WARC-Record-ID"),
        target_uri=strip_brackets(headers.get("WARC-Target-URI")),
        date=parse_warc_date(headers.get("WARC-Date")),
        warc_content_type=headers.get("Content-Type"),
        http_status=status,
        http_content_type=http_ct,
        payload=entity,
        content_encoding=encoding,
        headers=headers,
    )


def _iter_stream(fh: IO[bytes], name: str, base: int) -> Iterator[SourceRecord | ReadError]:
    """Records from ``fh`` positioned at byte ``base`` of the file ``name``."""
    # Here, not at the top: warcio (and the fsspec it loads) costs ~0.08 s to import, and an
    # intact .warc.gz is read by FastWARC alone.
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    it = ArchiveIterator(fh, arc2warc=True)
    offset: int | None = base
    try:
        for rec in it:
            h = rec.rec_headers
            try:
                # get_record_offset() consumes the record, so read the body first.
                entity = rec.raw_stream.read()
                offset = it.get_record_offset()  # absolute: warcio starts from fh.tell()
                length = it.get_record_length()
                if rec.http_headers is not None:
                    entity = http_entity(entity, rec.http_headers.get_header("Transfer-Encoding"))
            except Exception as e:  # a body that does not decode as its headers say
                yield ReadError(name, offset, "malformed-payload", f"{name}@{offset}: {type(e).__name__}: {e}")
                continue
            status = None
            http_ct = None
            if rec.http_headers is not None and rec.rec_type in ("response", "revisit"):
                code = rec.http_headers.get_statuscode()
                status = int(code) if code and code.isdigit() else None
                http_ct = rec.http_headers.get_header("Content-Type")
            encoding = rec.http_headers.get_header("Content-Encoding") if rec.http_headers else None
            yield _source_record(name, offset, length, rec.rec_type, dict(h.headers), status, http_ct, entity, encoding)
    except ArchiveLoadFailed as e:
        yield ReadError(name, offset, "malformed-record", f"{name}@{offset}: {e}")
    except (OSError, EOFError, ValueError, io.UnsupportedOperation) as e:
        yield ReadError(name, offset, "unreadable-archive", f"{name}@{offset}: {type(e).__name__}: {e}")
    except Exception as e:  # warcio raises AttributeError on mangled headers (found by fuzzing): a bad archive, not a crash
        yield ReadError(name, offset, "malformed-record", f"{name}@{offset}: {type(e).__name__}: {e}")


def read_record_at(path: str | Path, offset: int) -> SourceRecord:
    """Re-read the record stored at ``offset`` (for ``show``, ``verify`` and revisit resolution)."""
    path = Path(path)
    with open(path, "rb") as fh:
        fh.seek(offset)
        for item in _iter_stream(fh, path.name, offset):
            if isinstance(item, ReadError):
                raise ValueError(item.detail)
            return item
    raise ValueError(f"{path.name}@{offset}: no record there")
