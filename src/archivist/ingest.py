"""Ingest: raw inputs to WARC/1.1 files.

Local pages become ``resource`` records (original bytes, the real media type and the charset
used), each followed by a ``metadata`` record that says where the page came from and how its
charset was decided. A payload already archived in this run becomes a ``revisit`` record
(identical-payload-digest profile) pointing at the first capture.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import charset
from .hashing import sha1_base32, sha256_hex
from .report import StageReport
from .sources import LocalPage, discover
from .warc_writer import (
    DEFAULT_MAX_BYTES,
    REVISIT_IDENTICAL,
    WarcFileWriter,
    record_id,
    warc_date,
    warc_fields,
)

_TEXT_TYPES = ("text/", "application/xhtml+xml", "application/xml", "application/json")


@dataclass
class _Original:
    record_id: str
    uri: str
    date: str


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "corpus"


def _content_type(page: LocalPage, decision: charset.CharsetDecision | None) -> str:
    media = page.media_type
    if decision is not None and media.startswith(_TEXT_TYPES):
        return f"{media}; charset={decision.used}"
    return media


def ingest(
    sources: list[str],
    out_dir: str | Path,
    *,
    sidecar: str | Path | None = None,
    urls: str | Path | None = None,
    corpus_name: str = "corpus",
    operator: str | None = None,
    license: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> StageReport:
    """Archive local pages (files, folders, globs) into WARC/1.1 files in ``out_dir``."""
    report = StageReport(stage="ingest")
    pages, archives = discover(sources, report, Path(sidecar) if sidecar else None, license)
    report.inputs = len(pages) + len(archives) + len(report.rejects)
    for a in archives:
        report.reject(str(a), "archive-input-unsupported", "existing WARC/ARC/WACZ inputs are not handled by this build")
    if urls:
        report.reject(str(urls), "url-fetch-unsupported", "fetching URL lists is not handled by this build")
    if not pages:
        return report

    info = [("isPartOf", corpus_name)]
    if operator:
        info.append(("operator", operator))
    writer = WarcFileWriter(
        out_dir=Path(out_dir),
        prefix=slug(corpus_name),
        timestamp=min(p.captured_at for p in pages),
        info=info,
        max_bytes=max_bytes,
    )
    originals: dict[str, _Original] = {}
    try:
        for i, page in enumerate(pages, 1):
            _archive_page(page, writer, originals, report)
            if progress:
                progress(i, len(pages))
    finally:
        writer.close()
    report.outputs = [str(p) for p in writer.files]
    return report


def _archive_page(page: LocalPage, writer: WarcFileWriter, originals: dict[str, _Original], report: StageReport) -> None:
    try:
        raw = page.path.read_bytes()
    except OSError as e:
        report.reject(str(page.path), "unreadable", f"{page.path}: {e.strerror or e}")
        return
    if not raw:
        report.reject(str(page.path), "empty-file", f"{page.path}: file is empty", url=page.uri)
        return

    is_text = page.media_type.startswith(_TEXT_TYPES)
    decision = charset.decide(raw, page.content_type, html="html" in page.media_type) if is_text else None
    date = warc_date(page.captured_at)
    sha1 = sha1_base32(raw)
    digest = f"sha1:{sha1}"
    rid = record_id("capture", page.uri, date, sha256_hex(raw))

    if digest in originals:
        orig = originals[digest]
        writer.write(
            [
                ("WARC-Type", "revisit"),
                ("WARC-Record-ID", rid),
                ("WARC-Date", date),
                ("WARC-Target-URI", page.uri),
                ("WARC-Profile", REVISIT_IDENTICAL),
                ("WARC-Refers-To", orig.record_id),
                ("WARC-Refers-To-Target-URI", orig.uri),
                ("WARC-Refers-To-Date", orig.date),
                ("WARC-Payload-Digest", digest),
                ("WARC-Truncated", "length"),
            ],
            b"",
        )
        report.counts["revisit_records"] += 1
    else:
        originals[digest] = _Original(rid, page.uri, date)
        writer.write(
            [
                ("WARC-Type", "resource"),
                ("WARC-Record-ID", rid),
                ("WARC-Date", date),
                ("WARC-Target-URI", page.uri),
                ("Content-Type", _content_type(page, decision)),
                ("WARC-Payload-Digest", digest),
            ],
            raw,
        )
        report.counts["resource_records"] += 1

    meta = [("source-file", page.path.name), ("uri-source", page.uri_source), ("date-source", page.date_source)]
    if decision is not None:
        meta += [("charset-used", decision.used), ("charset-method", decision.method)]
        if decision.declared:
            meta.append(("charset-declared", decision.declared))
    if page.license:
        meta.append(("license", page.license))
    writer.write(
        [
            ("WARC-Type", "metadata"),
            ("WARC-Record-ID", record_id("metadata", rid)),
            ("WARC-Date", date),
            ("WARC-Target-URI", page.uri),
            ("WARC-Refers-To", rid),
            ("Content-Type", "application/warc-fields"),
        ],
        warc_fields(meta),
    )
    report.counts["pages_archived"] += 1
