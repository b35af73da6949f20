"""Local inputs: files, folders and globs, with an optional sidecar giving each page its URL.

A sidecar is CSV (header row) or JSONL with at least ``path``; optional ``url``,
``captured_at`` (ISO 8601), ``license``, ``content_type`` (as an HTTP header would give it,
e.g. ``text/html; charset=windows-1251``). ``path`` is relative to the sidecar's folder.

A file the sidecar does not describe gets the URI ``file:///<name of the argument>/<path
inside it>`` (stable across machines: no absolute path leaks in) and its mtime as capture date.
"""

from __future__ import annotations

import csv
import glob
import json
import mimetypes
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from .report import StageReport

# Sidecars and our own outputs are never pages.
_SKIP_NAMES = {"pages.csv", "pages.jsonl", "sidecar.csv", "sidecar.jsonl", ".DS_Store"}
_ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz", ".wacz")
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}


@dataclass(frozen=True)
class LocalPage:
    path: Path
    uri: str
    captured_at: datetime
    license: str | None = None
    content_type: str | None = None  # declared by the sidecar, as an HTTP header
    uri_source: str = "sidecar"  # sidecar | path
    date_source: str = "sidecar"  # sidecar | mtime

    @property
    def media_type(self) -> str:
        if self.content_type:
            return self.content_type.split(";")[0].strip().lower()
        return guess_media_type(self.path)


def guess_media_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _HTML_SUFFIXES:
        return "text/html"
    if suffix in {".txt", ".text", ""}:
        return "text/plain"
    media, encoding = mimetypes.guess_type(path.name)
    if encoding:  # page.html.gz is gzip bytes, not HTML: archived as what it is, never parsed as text
        return {"gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz",
                "br": "application/x-brotli", "compress": "application/x-compress"}.get(encoding, "application/octet-stream")
    return media or "application/octet-stream"


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(_ARCHIVE_SUFFIXES) or _looks_like_warc(path)


def _looks_like_warc(path: Path) -> bool:
    # Archives renamed by hand (warcio's example-bad.warc.gz.bad) are still archives, not pages.
    import zlib

    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    if head.startswith(b"\x1f\x8b\x08"):
        try:
            head = zlib.decompressobj(31).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith((b"WARC/", b"filedesc://"))


def parse_date(value: str) -> datetime:
    """ISO 8601 (``Z`` allowed); a naive value is taken as UTC."""
    dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class SidecarEntry:
    url: str | None
    captured_at: datetime | None
    license: str | None
    content_type: str | None


def read_sidecar(path: Path) -> dict[Path, SidecarEntry]:
    """Map resolved file paths to their sidecar entries.

    Any problem (not UTF-8, bad JSON, a row that is no object, a bad date, no ``path``) is a
    ValueError naming the sidecar, the line or row, and the cause.
    """
    base = path.parent
    rows: list[tuple[int, object]] = []
    try:
        if path.suffix.lower() == ".jsonl":
            with path.open(encoding="utf-8") as fh:
                for n, line in enumerate(fh, start=1):
                    if line.strip():
                        try:
                            rows.append((n, json.loads(line)))
                        except ValueError as e:
                            raise ValueError(f"{path}: line {n}: not valid JSON ({e})") from None
        else:
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                rows = [(reader.line_num, row) for row in reader]
                if reader.fieldnames is None or "path" not in reader.fieldnames:
                    raise ValueError(f"{path}: the header row has no 'path' column "
                                     f"(found: {', '.join(reader.fieldnames or []) or 'nothing'})")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 text (byte {e.start}: {e.reason})") from None
    except csv.Error as e:
        raise ValueError(f"{path}: unreadable CSV: {e}") from None
    out: dict[Path, SidecarEntry] = {}
    for n, row in rows:
        where = f"{path}: line {n}"
        if not isinstance(row, dict):
            raise ValueError(f"{where}: expected an object with 'path', got {type(row).__name__}")
        vals = {k: row.get(k) for k in ("path", "url", "captured_at", "license", "content_type")}
        for k, v in vals.items():
            if v is not None and not isinstance(v, str):
                raise ValueError(f"{where}: '{k}' must be a string, got {type(v).__name__}")
        if not vals["path"]:
            raise ValueError(f"{where}: no 'path'")
        date = vals["captured_at"] or None
        try:
            captured = parse_date(date) if date else None
        except (ValueError, OverflowError) as e:
            raise ValueError(f"{where}: captured_at {date!r} is not an ISO 8601 date ({e})") from None
        try:
            key = (base / vals["path"]).resolve()
        except (OSError, ValueError) as e:
            raise ValueError(f"{where}: path {vals['path']!r} is not usable ({e})") from None
        out[key] = SidecarEntry(
            url=vals["url"] or None,
            captured_at=captured,
            license=vals["license"] or None,
            content_type=vals["content_type"] or None,
        )
    return out


def _expand(arg: str) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for one argument: a file, a folder (recursive) or a glob."""
    p = Path(arg)
    if p.is_dir():
        for f in sorted(p.rglob("*")):
            if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                yield f, p
    elif p.exists():
        yield p, p.parent
    else:
        matches = sorted(glob.glob(arg, recursive=True))
        for m in matches:
            mp = Path(m)
            if mp.is_file():
                yield mp, mp.parent
        if not matches:
            raise FileNotFoundError(arg)


def file_uri(path: Path, root: Path) -> str:
    rel = PurePosixPath(root.resolve().name or "root", *path.resolve().relative_to(root.resolve()).parts)
    return "file:///" + quote(str(rel), safe="/")


def discover(
    args: Iterable[str],
    report: StageReport,
    sidecar: Path | None = None,
    default_license: str | None = None,
) -> tuple[list[LocalPage], list[Path]]:
    """Resolve arguments to pages and existing archives; a missing argument is a reject."""
    entries = read_sidecar(sidecar) if sidecar else {}
    skip = {sidecar.resolve()} if sidecar else set()
    pages: list[LocalPage] = []
    archives: list[Path] = []
    seen: set[Path] = set()
    for arg in args:
        try:
            found = list(_expand(arg))
        except FileNotFoundError:
            report.reject(arg, "not-found", f"{arg}: no such file, folder or glob match")
            continue
        for f, root in found:
            rf = f.resolve()
            if rf in seen or rf in skip or f.name in _SKIP_NAMES:
                continue
            seen.add(rf)
            if is_archive(f):
                archives.append(f)
                continue
            e = entries.get(rf)
            mtime = datetime.fromtimestamp(int(f.stat().st_mtime), tz=UTC)
            pages.append(
                LocalPage(
                    path=f,
                    uri=(e.url if e and e.url else file_uri(f, root)),
                    captured_at=(e.captured_at if e and e.captured_at else mtime),
                    license=(e.license if e and e.license else default_license),
                    content_type=e.content_type if e else None,
                    uri_source="sidecar" if e and e.url else "path",
                    date_source="sidecar" if e and e.captured_at else "mtime",
                )
            )
    return pages, archives
