"""Writing WARC/1.1 files: one gzip member per record, a warcinfo record first in every file.

We serialise records ourselves rather than through warcio's builder because the standard
asks for things its defaults do not do (see ``shared/notes/archival.md`` §2): no payload
digest on warcinfo/metadata, payload digests over the de-chunked entity, revisit records
that name their original three ways. Everything that goes into a record is given by the
caller, so the same inputs give the same bytes: ids and dates come from the inputs, and
gzip members carry no timestamp.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from . import __version__
from .hashing import sha1_base32

WARC_VERSION = "WARC/1.1"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
REVISIT_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
DEFAULT_MAX_BYTES = 1_000_000_000

# A fixed namespace so record ids are a pure function of what they identify.
_NAMESPACE = uuid.UUID("6f6d1c52-8a47-4f53-9d3f-3b1a2e0c7a10")


def record_id(*parts: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(_NAMESPACE, chr(31).join(parts))}>"


def warc_date(dt: datetime) -> str:
    dt = dt.astimezone(UTC)
    if dt.microsecond:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def warc_fields(items: list[tuple[str, str]]) -> bytes:
    """An ``application/warc-fields`` block."""
    return b"".join(f"{k}: {_one_line(v)}\r\n".encode() for k, v in items)


def _one_line(value: str) -> str:
    # Folded or multi-line values are forbidden in WARC/1.1 headers.
    return " ".join(str(value).split())


def serialise(headers: list[tuple[str, str]], block: bytes) -> bytes:
    head = [WARC_VERSION]
    head += [f"{k}: {_one_line(v)}" for k, v in headers]
    head.append(f"Content-Length: {len(block)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def gzip_member(data: bytes, level: int = 6) -> bytes:
    # wbits 31 = gzip container; zlib writes mtime 0, so members are reproducible.
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


@dataclass
class WrittenRecord:
    filename: str
    offset: int
    length: int
    record_id: str


@dataclass
class WarcFileWriter:
    """Appends records to ``<prefix>-<timestamp14>-<serial>.warc.gz`` files, rotating at ``max_bytes``.

    File names follow the standard's Annex C (prefix, timestamp, serial); the timestamp is the
    run's first capture date, not the clock, so reruns name files the same.
    """

    out_dir: Path
    prefix: str
    timestamp: datetime
    info: list[tuple[str, str]]
    max_bytes: int = DEFAULT_MAX_BYTES
    compress: bool = True
    cdxj: bool = True  # write <warc>.cdxj beside each file when it is closed
    serial: int = 0
    files: list[Path] = field(default_factory=list)
    _fh: BinaryIO | None = None
    _size: int = 0
    _warcinfo_id: str = ""
    _held: bool = False  # inside together(): no rotation between records

    @property
    def current_name(self) -> str:
        ext = ".warc.gz" if self.compress else ".warc"
        return f"{self.prefix}-{self.timestamp.astimezone(UTC):%Y%m%d%H%M%S}-{self.serial:05d}{ext}"

    def _open(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / self.current_name
        self._fh = open(path, "wb")  # noqa: SIM115 - kept open across write() calls, closed in close()
        self._size = 0
        self.files.append(path)
        fields = [
            ("software", f"archivist/{__version__}"),
            ("format", "WARC File Format 1.1"),
            ("conformsTo", CONFORMS_TO),
            *self.info,
        ]
        self._warcinfo_id = record_id("warcinfo", path.name, *(f"{k}={v}" for k, v in fields))
        headers = [
            ("WARC-Type", "warcinfo"),
            ("WARC-Record-ID", self._warcinfo_id),
            ("WARC-Date", warc_date(self.timestamp)),
            ("WARC-Filename", path.name),
            ("Content-Type", "application/warc-fields"),
        ]
        self._append(headers, warc_fields(fields))

    def _append(self, headers: list[tuple[str, str]], block: bytes) -> WrittenRecord:
        return self._emit([*headers, ("WARC-Block-Digest", "sha1:" + sha1_base32(block))], block)

    def _emit(self, headers: list[tuple[str, str]], block: bytes) -> WrittenRecord:
        """Serialise one record (a gzip member of its own) at the end of the current file."""
        assert self._fh is not None
        data = serialise(headers, block)
        if self.compress:
            data = gzip_member(data)
        offset = self._size
        self._fh.write(data)
        self._size += len(data)
        return WrittenRecord(self.files[-1].name, offset, len(data), dict(headers).get("WARC-Record-ID", ""))

    @contextmanager
    def together(self) -> Iterator[None]:
        """Records written inside go to one file (e.g. a capture's request and response):
        the size limit is checked once, before the first of them."""
        self._ready()
        self._held = True
        try:
            yield
        finally:
            self._held = False

    def _ready(self) -> None:
        if self._held:
            return
        if self._fh is not None and self._size >= self.max_bytes:
            self.close()
            self.serial += 1
        if self._fh is None:
            self._open()

    def write(self, headers: list[tuple[str, str]], block: bytes) -> WrittenRecord:
        """Write one record; ``headers`` must hold WARC-Type, WARC-Record-ID and WARC-Date."""
        self._ready()
        rtype = dict(headers).get("WARC-Type")
        if rtype != "warcinfo":
            headers = [*headers, ("WARC-Warcinfo-ID", self._warcinfo_id)]
        return self._append(headers, block)

    def write_copied(self, headers: list[tuple[str, str]], block: bytes) -> WrittenRecord:
        """Write a record copied from another archive: its fields as given (order kept, a correct
        WARC-Block-Digest among them), no WARC-Warcinfo-ID of ours added."""
        self._ready()
        return self._emit(headers, block)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            if self.cdxj:
                from .cdxj import write_cdxj

                write_cdxj(self.files[-1])
