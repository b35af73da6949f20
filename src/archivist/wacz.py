"""Packing WARC files into a WACZ 1.1.1 (Web Archive Collection Zipped).

Layout (webrecorder/specs WACZ 1.1.1): ``archive/<warc>`` (STORE: the WARCs are already
gzip-per-record, and replay reads them by byte range), ``indexes/index.cdx`` (sorted CDXJ from
cdxj-indexer, STORE), ``pages/pages.jsonl`` (header line, then one page per captured
response/resource with url, ts RFC 3339 and the HTML title when there is one),
``datapackage.json`` (Frictionless data package: sha256 + bytes of every file) and
``datapackage-digest.json`` (sha256 of datapackage.json).

Deterministic: the same WARCs give the same bytes. Zip entry times and ``created`` come from the
newest capture date in the WARCs, never from the clock; page ids are hashes of url + ts.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from . import __version__, charset
from .hashing import file_sha256, sha256_hex
from .report import StageReport
from .warc_reader import SourceRecord, iter_records

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_NAME_OK = re.compile(r"[^a-z0-9._/-]+")


def _rfc3339(dt: datetime) -> str:
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (f".{dt.microsecond:06d}".rstrip("0") if dt.microsecond else "") + "Z"


def _title(rec: SourceRecord) -> str | None:
    if "html" not in rec.media_type:
        return None
    raw = rec.content()[: 1 << 16]
    m = _TITLE.search(raw)
    if not m:
        return None
    dec = charset.decide(raw, rec.declared_content_type, html=True)
    text = html.unescape(m.group(1).decode(dec.used, "replace"))
    text = " ".join(text.split())
    return text or None


def _pages(warcs: list[Path], report: StageReport) -> tuple[list[dict[str, str]], datetime | None]:
    pages: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    newest: datetime | None = None
    for w in warcs:
        for rec in iter_records(w):
            if not isinstance(rec, SourceRecord):
                report.reject(str(w), rec.reason, rec.detail, warc_record_offset=rec.offset)
                continue
            if rec.date is not None:
                newest = rec.date if newest is None or rec.date > newest else newest
            if rec.record_type not in ("response", "resource") or not rec.target_uri or rec.date is None:
                continue
            if rec.record_type == "response" and not (rec.http_status and 200 <= rec.http_status < 300):
                continue
            ts = _rfc3339(rec.date)
            if (rec.target_uri, ts) in seen:
                continue
            seen.add((rec.target_uri, ts))
            page = {"id": sha256_hex(f"{rec.target_uri} {ts}".encode())[:32], "url": rec.target_uri, "ts": ts}
            title = _title(rec)
            if title:
                page["title"] = title
            pages.append(page)
    return pages, newest


def _zip_time(dt: datetime | None) -> tuple[int, int, int, int, int, int]:
    if dt is None:
        return (1980, 1, 1, 0, 0, 0)
    dt = dt.astimezone(UTC)
    year = min(max(dt.year, 1980), 2107)
    if year != dt.year:
        return (year, 1, 1, 0, 0, 0)
    return (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second // 2 * 2)


def _resource(path: str, data: bytes) -> dict[str, object]:
    name = _NAME_OK.sub("-", path.rsplit("/", 1)[-1].lower())
    return {"name": name, "path": path, "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def pack(
    warcs: list[str | Path],
    out: str | Path,
    *,
    title: str | None = None,
    description: str | None = None,
) -> StageReport:
    """Write ``out`` (a .wacz) holding ``warcs``; the report lists pages and any unreadable record."""
    from cdxj_indexer.main import write_cdx_index

    report = StageReport(stage="pack")
    paths: list[Path] = []
    for w in warcs:
        p = Path(w)
        if p.is_dir():
            paths += sorted(f for f in p.iterdir() if f.name.endswith((".warc", ".warc.gz")))
        elif p.is_file():
            paths.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such WARC file or folder")
    if not paths:
        raise ValueError("no WARC files to pack")
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        raise ValueError(f"two WARC files share a name; a WACZ keeps them side by side in archive/: {names}")
    report.inputs = len(paths)

    pages, newest = _pages(paths, report)
    idx_buf = io.StringIO()
    write_cdx_index(idx_buf, [str(p) for p in paths], {"sort": True})
    index = idx_buf.getvalue().encode("utf-8")
    pages_jsonl = "".join(json.dumps(x, ensure_ascii=False, sort_keys=False) + "\n"
                          for x in [PAGES_HEADER, *pages]).encode("utf-8")

    when = _zip_time(newest)
    resources = []
    for p in paths:
        resources.append({"name": _NAME_OK.sub("-", p.name.lower()), "path": f"archive/{p.name}",
                          "hash": "sha256:" + file_sha256(p), "bytes": p.stat().st_size})
    resources.append(_resource("indexes/index.cdx", index))
    resources.append(_resource("pages/pages.jsonl", pages_jsonl))
    package: dict[str, object] = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title or Path(out).stem,
        "software": f"archivist/{__version__}",
        "resources": resources,
    }
    if description:
        package["description"] = description
    if newest is not None:
        package["created"] = _rfc3339(newest)
    if pages:
        package["mainPageUrl"] = pages[0]["url"]
        package["mainPageDate"] = pages[0]["ts"]
    dp = (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    digest = (json.dumps({"path": "datapackage.json", "hash": "sha256:" + sha256_hex(dp)}, indent=2) + "\n").encode()

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as z:
        for p in paths:
            with open(p, "rb") as src, z.open(_info(f"archive/{p.name}", when, stored=True), "w", force_zip64=True) as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        z.writestr(_info("indexes/index.cdx", when, stored=True), index)
        z.writestr(_info("pages/pages.jsonl", when, stored=False), pages_jsonl)
        z.writestr(_info("datapackage.json", when, stored=False), dp)
        z.writestr(_info("datapackage-digest.json", when, stored=False), digest)
    tmp.replace(out)
    report.outputs = [str(out)]
    report.counts["warcs_packed"] = len(paths)
    report.counts["pages"] = len(pages)
    report.counts["index_lines"] = index.count(b"\n")
    return report


def _info(name: str, when: tuple[int, int, int, int, int, int], *, stored: bool) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=when)
    zi.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    zi.create_system = 3
    zi.external_attr = 0o644 << 16
    return zi
