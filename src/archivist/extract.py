"""Extract: WARC shards to Parquet record shards (one WARC in, one Parquet out) + rejects.

``extract_shard`` is a pure function of one WARC file and the settings, so a run over many
files is a map over shards (``--workers`` processes here). After the map, one pass over the
small (id, text hash) columns marks duplicates across all shards.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from . import dedup, executors, revisit_index, schema, sitewide
from .extractor import SETTINGS, ExtractedDoc, NotExtractable, extract_bytes, extractor_id
from .hashing import json_sha256, sha256_hex
from .parquet_io import write_table
from .parquet_stream import RowGroupWriter, stream_rows
from .quality import signals, text_sha256
from .report import StageReport
from .runstate import RunState, all_recorded, input_digest
from .sandbox import Job, Limits, SandboxError, shared_sandbox, start_shared
from .warc_files import ARCHIVE_SUFFIXES as _ARCHIVE_SUFFIXES
from .warc_files import find_warcs
from .warc_reader import ContentTooLarge, ReadError, SourceRecord, iter_records, read_record_at

# Record types that carry a page; metadata/request/warcinfo describe captures, they are not pages.
_CAPTURE_TYPES = ("response", "resource", "revisit")
# Pages sent to the sandbox at once: enough to keep its worker busy between this process's
# wake-ups, few enough that their payloads stay small in memory.
BATCH_PAGES = 16
BATCH_BYTES = 8 << 20


def settings_hash() -> str:
    return json_sha256(SETTINGS)[:16]


def shard_names(warc: Path) -> tuple[str, str]:
    stem = warc.name
    for suf in _ARCHIVE_SUFFIXES:
        if stem.endswith(suf):
            stem = stem[: -len(suf)]
            break
    return f"{stem}.parquet", f"{stem}.rejects.parquet"


def _metadata_fields(rec: SourceRecord) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in rec.payload.decode("utf-8", "replace").splitlines():
        k, sep, v = line.partition(":")
        if sep:
            fields[k.strip()] = v.strip()
    return fields


def _job(rec: SourceRecord, content: bytes) -> Job:
    return Job(content, rec.media_type, rec.declared_content_type, rec.target_uri, rec.date)


def _extract_jobs(jobs: list[Job], limits: Limits | None) -> list[ExtractedDoc | Exception]:
    """Each page's document or the exception standing for it: in the sandbox, or here unguarded."""
    if limits is not None:
        try:
            return list(shared_sandbox(limits).extract_many(jobs))
        except Exception as e:  # a failure of the batch itself (not of a page): each page says so
            err = SandboxError("extractor-error", f"the sandbox failed on this batch: {type(e).__name__}: {e}")
            return [err] * len(jobs)
    out: list[ExtractedDoc | Exception] = []
    for j in jobs:
        try:
            out.append(extract_bytes(j.content, j.media_type, declared_content_type=j.declared_content_type, url=j.url,
                                     captured_at=j.captured_at))
        except Exception as e:  # one bad page never stops the shard
            out.append(e)
    return out


def _row(rec: SourceRecord, content: bytes, meta: dict[str, str], doc: ExtractedDoc, ext_id: str, shash: str) -> dict[str, Any]:
    rid = (rec.record_id or "").strip("<>").removeprefix("urn:uuid:")
    return {
        "id": rid,
        "url": rec.target_uri or "",
        "canonical_url": doc.canonical_url,
        "title": doc.title,
        "text": doc.text,
        "language": doc.language,
        "language_confidence": doc.language_confidence,
        "authors": doc.authors,
        "published": doc.published,
        "published_source": doc.published_source,
        "modified": doc.modified,
        "site_name": doc.site_name,
        "description": doc.description,
        "outlinks": doc.outlinks,
        "source_attribution": doc.source_attribution,
        "license": meta.get("license"),
        "warc_filename": rec.warc_filename,
        "warc_record_id": rec.record_id or "",
        "warc_record_offset": rec.offset,
        "warc_record_length": rec.length,
        "payload_sha1": _payload_sha1(rec, content),
        "payload_sha256": sha256_hex(rec.payload if rec.record_type != "revisit" else content),
        "captured_at": rec.date,
        "http_status": rec.http_status,
        "content_type": rec.media_type or None,
        "charset_declared": meta.get("charset-declared", doc.charset_declared),
        "charset_used": doc.charset_used,
        "extractor": ext_id,
        "settings_hash": shash,
        **signals(doc.text, doc.visible_chars),
        "text_sha256": text_sha256(doc.text),
        "exact_dup_cluster": None,
        "near_dup_cluster": None,
        "is_kept": True,
    }


def _payload_sha1(rec: SourceRecord, content: bytes) -> str:
    from .hashing import sha1_base32

    declared = rec.headers.get("WARC-Payload-Digest", "")
    label, _, value = declared.partition(":")
    if label.lower() == "sha1" and len(value) == 32:
        return value.upper()
    return sha1_base32(rec.payload if rec.record_type != "revisit" else content)


def _skip_reason(rec: SourceRecord) -> str | None:
    """Why a capture is not a page (robots.txt, redirect, error, non-HTTP response), or None."""
    from urllib.parse import urlsplit

    uri = rec.target_uri or ""
    # The path is a substring of the URI once urlsplit has dropped tabs and line breaks from
    # it: most URIs need no parsing.
    try:
        path = urlsplit(uri).path if "/robots.txt" in uri or "\t" in uri or "\r" in uri or "\n" in uri else ""
    except ValueError:
        path = ""
    if path == "/robots.txt":
        return "robots-txt"
    if rec.record_type == "response" and rec.http_status is None and (rec.target_uri or "").startswith(("dns:", "whois:")):
        return "not-a-page"
    if rec.http_status is not None and not 200 <= rec.http_status < 300:
        return f"http-status-{rec.http_status}"
    return None


class _Shard:
    """The state of one shard being extracted: row writer, report, and the revisit index.

    Only offsets of earlier captures are kept (record id -> offset), never their payloads: a
    revisit re-reads its original from disk.
    """

    def __init__(self, warc: Path, report: StageReport, rows: RowGroupWriter, limits: Limits | None,
                 side_files: bool = False) -> None:
        self.warc, self.report, self.rows, self.limits = warc, report, rows, limits
        # What the run-level passes need of each row, taken while its text is in memory.
        self.stats = sitewide.StatsCollector() if side_files else None
        self.sigs = dedup.SignatureCollector() if side_files else None
        self.ext_id, self.shash = extractor_id(), settings_hash()
        self.offsets: dict[str, int] = {}
        self.cross_file: list[int] = []  # offsets of revisits whose original is in another WARC
        # Pages wait here to go to the sandbox together, and rejects wait with them so that both
        # come out in WARC order: ("page", rec, content, meta) or ("reject", args, kwargs).
        self.pending: list[tuple[Any, ...]] = []
        self.pending_pages = 0
        self.pending_bytes = 0

    def reject(self, *args: Any, **kwargs: Any) -> None:
        if self.pending:
            self.pending.append(("reject", args, kwargs))
        else:
            self.report.reject(*args, **kwargs)

    def capture(self, rec: SourceRecord, meta: dict[str, str]) -> None:
        name = self.warc.name
        if rec.record_type != "revisit" and rec.record_id:
            self.offsets[rec.record_id] = rec.offset
        reason = _skip_reason(rec)
        if reason is not None:
            self.report.counts["captures_skipped"] += 1
            self.reject(name, reason, f"{name}@{rec.offset} {rec.target_uri}: not a page ({reason})", stage="extract",
                               warc_record_id=rec.record_id, warc_record_offset=rec.offset, url=rec.target_uri)
            return
        if rec.record_type == "revisit":
            at = self.offsets.get(rec.headers.get("WARC-Refers-To", ""))
            if at is None:
                self.cross_file.append(rec.offset)  # resolved after this file, from the folder's CDXJ
                return
            try:
                orig = read_record_at(self.warc, at)
            except (OSError, ValueError) as e:
                self.reject(name, "revisit-original-unreadable", f"{name}@{rec.offset}: original at {at}: {e}",
                                   warc_record_id=rec.record_id, warc_record_offset=rec.offset, url=rec.target_uri)
                return
            self.revisit(rec, orig, meta)
            return
        self.page(rec, rec, meta)

    def revisit(self, rec: SourceRecord, orig: SourceRecord, meta: dict[str, str]) -> None:
        rec.warc_content_type, rec.http_content_type = orig.warc_content_type, orig.http_content_type
        if rec.http_status is None:
            rec.http_status = orig.http_status
        self.page(rec, orig, meta)

    def page(self, rec: SourceRecord, source: SourceRecord, meta: dict[str, str]) -> None:
        """Queue ``rec`` for extraction from the payload of ``source`` (itself, or a revisit's original)."""
        try:
            content = source.content(strict=True)
        except Exception as e:
            self._failed(rec, e)
            return
        self.pending.append(("page", rec, content, meta))
        self.pending_pages += 1
        self.pending_bytes += len(content)
        if self.pending_pages >= BATCH_PAGES or self.pending_bytes >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Extract the queued pages (one sandbox batch) and emit rows and rejects in WARC order."""
        queue, self.pending, self.pending_pages, self.pending_bytes = self.pending, [], 0, 0
        pages = [e for e in queue if e[0] == "page"]
        docs = iter(_extract_jobs([_job(rec, content) for _, rec, content, _ in pages], self.limits))
        for entry in queue:
            if entry[0] == "reject":
                self.report.reject(*entry[1], **entry[2])
                continue
            _, rec, content, meta = entry
            doc = next(docs)
            try:
                if isinstance(doc, Exception):
                    raise doc
                row = _row(rec, content, meta, doc, self.ext_id, self.shash)
                if self.stats is not None and self.sigs is not None:
                    self.stats.add(row["url"], row["text"])
                    self.sigs.add(row["text_sha256"], row["text"])
                self.rows.add(row)
                self.report.counts["records_extracted"] += 1
            except Exception as e:  # one bad page never stops the shard
                self._failed(rec, e)

    def _failed(self, rec: SourceRecord, e: Exception) -> None:
        name = self.warc.name
        if isinstance(e, NotExtractable | SandboxError | ContentTooLarge):
            self.reject(name, e.reason, f"{name}@{rec.offset} {rec.target_uri}: {e}", stage="extract",
                        warc_record_id=rec.record_id, warc_record_offset=rec.offset, url=rec.target_uri)
        else:
            self.reject(name, "extractor-error", f"{name}@{rec.offset} {rec.target_uri}: {type(e).__name__}: {e}",
                        stage="extract", warc_record_id=rec.record_id, warc_record_offset=rec.offset, url=rec.target_uri)

    def resolve_cross_file(self, meta_of: dict[int, dict[str, str]]) -> None:
        """Revisits whose original is in another WARC of the same folder, found by its CDXJ."""
        name = self.warc.name
        # The revisits were read once already; keep only their digests, re-read each when resolved.
        digests = {}
        for off in self.cross_file:
            d = _digest(read_record_at(self.warc, off))
            if d:
                digests[off] = d
        found = revisit_index.find_originals(self.warc, set(digests.values()))
        for off in self.cross_file:
            rec = read_record_at(self.warc, off)
            hits = found.get(revisit_index._norm(digests.get(off, "")), [])
            want = rec.headers.get("WARC-Refers-To")
            orig = None
            for path, at in hits:
                try:
                    cand = read_record_at(path, at)
                except (OSError, ValueError):
                    continue  # a damaged sibling entry: try the next one
                if orig is None or cand.record_id == want:
                    orig = cand
                if cand.record_id == want:
                    break
            if orig is None:
                self.reject(name, "revisit-original-missing",
                                   f"{name}@{off}: revisit of {rec.headers.get('WARC-Refers-To-Target-URI')} whose original is "
                                   f"neither in this file nor in the CDXJ index of another WARC in {self.warc.parent}",
                                   warc_record_id=rec.record_id, warc_record_offset=off, url=rec.target_uri)
                continue
            self.report.counts["revisits_resolved_cross_file"] += 1
            self.revisit(rec, orig, meta_of.get(off, {}))


def _digest(rec: SourceRecord) -> str | None:
    d = rec.headers.get("WARC-Payload-Digest")
    return d.strip().lower() if d else None


def extract_shard(warc: str | Path, out_dir: str | Path, limits: Limits | None = Limits(), *,
                  side_files: bool = False) -> StageReport:
    """One WARC file to ``<stem>.parquet`` (records) and ``<stem>.rejects.parquet``.

    Streams: each capture is extracted as it is read (after a one-record look-ahead for the
    metadata record that follows it) and rows go to Parquet in fixed-size row groups, in WARC
    order, so memory does not grow with the file. Revisits whose original is in another WARC of
    the same folder come last, in WARC order. Each page runs in the sandbox worker under
    ``limits`` (``None``: in this process, unguarded). With ``side_files``, the run-level passes'
    per-shard files (``sitewide`` line statistics, ``dedup`` signatures) are written too, from
    the rows as they were built: the same bytes as ``sitewide.write_stats`` and
    ``dedup.write_signatures`` give by reading the shard back.
    """
    warc, out_dir = Path(warc), Path(out_dir)
    report = StageReport(stage="extract", inputs=1)
    if not warc.exists():
        report.reject(str(warc), "not-found", f"{warc}: no such file", stage="read")
        return report
    rec_name, rej_name = shard_names(warc)
    with stream_rows(out_dir / rec_name, schema.record_schema()) as rows:
        shard = _Shard(warc, report, rows, limits, side_files)
        held: SourceRecord | None = None  # a capture waiting to see whether its metadata follows
        cross_meta: dict[int, dict[str, str]] = {}
        for item in iter_records(warc):
            if isinstance(item, ReadError):
                shard.reject(warc.name, item.reason, item.detail, stage="read", warc_record_offset=item.offset)
                continue
            report.counts["records_read"] += 1
            if item.record_type == "metadata" and held is not None and item.headers.get("WARC-Refers-To") == held.record_id:
                fields = _metadata_fields(item)
                n = len(shard.cross_file)
                shard.capture(held, fields)
                if len(shard.cross_file) > n:
                    cross_meta[shard.cross_file[-1]] = fields
                held = None
                report.counts["metadata_records"] += 1
                continue
            if held is not None:
                shard.capture(held, {})
                held = None
            if item.record_type in _CAPTURE_TYPES:
                held = item
            else:  # request, warcinfo, metadata, conversion, continuation: not captures, not rejects
                report.counts[f"{item.record_type}_records"] += 1
        if held is not None:
            shard.capture(held, {})
        shard.flush()
        if shard.cross_file:
            shard.resolve_cross_file(cross_meta)
            shard.flush()
    rej = schema.rejects_schema()
    rej_table = rej.table_from_rows([r.row() for r in report.rejects]) if report.rejects else rej.empty_table()
    write_table(rej_table, out_dir / rej_name)
    report.outputs = [str(out_dir / rec_name), str(out_dir / rej_name)]
    if shard.stats is not None and shard.sigs is not None:
        report.outputs.append(str(shard.stats.write(out_dir / rec_name)))
        report.outputs.append(str(shard.sigs.write(out_dir / rec_name)))
    return report


def _shard_task(warc: Path, out_dir: Path, limits: Limits | None = Limits(), digest: str | None = None) -> tuple[Path, str, StageReport]:
    digest = input_digest(warc) if digest is None else digest
    # The per-shard work of the run-level passes comes with the shard, so it runs in parallel.
    rep = extract_shard(warc, out_dir, limits, side_files=True)
    return warc, digest, rep


def extract(
    inputs: list[str | Path],
    out_dir: str | Path,
    *,
    workers: int = 1,
    executor: str = "local",
    address: str | None = None,
    resume: bool = True,
    progress: Callable[[int, int], None] | None = None,
    limits: Limits | None = Limits(),
) -> StageReport:
    """Extract every WARC in ``inputs`` (files or folders) into ``out_dir``, then mark duplicates.

    Every page runs in a sandbox worker process under ``limits`` (timeout, memory cap).

    Shards already finished by an earlier (possibly killed) run with the same input and
    settings are skipped; their recorded reports still count in the totals.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    warcs = find_warcs(inputs)
    state = RunState(out_dir, settings_hash())
    total = StageReport(stage="extract")
    results: dict[Path, StageReport] = {}
    todo: list[Path] = []
    pooled = executor == "local" and workers > 1 and len(warcs) > 1
    if limits is not None and executor == "local" and not pooled and warcs and not (resume and all_recorded(out_dir, warcs)):
        # Shards run in this process: the sandbox worker's start-up (imports, models) overlaps
        # the hashing of the inputs below instead of waiting for the first batch.
        shared_sandbox(limits).start()
    warm = partial(start_shared, limits) if limits is not None else None
    # One pool for the shards and both run-level passes.
    with executors.make(executor, workers, address, warm=warm) as ex:
        # Pool workers (and their sandboxes) start while the inputs are hashed, not after. (All
        # shards may turn out done already: then only the passes use the pool.)
        ex.start(len(warcs))
        # Each input is hashed once per run (resume check, run state, inputs record): a pass
        # over a 1 GB WARC costs about a second.
        digests = {w: input_digest(w) for w in warcs}
        for w in warcs:
            prev = state.done(w, digests[w]) if resume else None
            if prev is not None:
                results[w] = prev
            else:
                todo.append(w)
        done = len(results)
        if progress and done:
            progress(done, len(warcs))
        for warc, digest, rep in ex.map(_shard_task, todo, [out_dir] * len(todo), [limits] * len(todo), [digests[w] for w in todo]):
            results[warc] = rep
            if not any(r.reason == "not-found" for r in rep.rejects):
                state.mark(warc, digest, rep)
            done += 1
            if progress:
                progress(done, len(warcs))
        for w in warcs:  # totals in input order, whatever order the shards finished in
            total.merge(results[w])
        total.counts["shards_resumed"] = len(warcs) - len(todo)
        _record_inputs(out_dir, warcs, digests)
        # Duplicates are marked across the whole records folder, not only this run's shards.
        shards = sorted(p for p in out_dir.glob("*.parquet") if not p.name.endswith(".rejects.parquet"))
        if shards:
            # site-wide cleaning, then duplicate marks: one rewrite of each shard for both
            total.counts.update(sitewide.clean_and_mark(shards, ex.map))
    return total


def _record_inputs(out_dir: Path, warcs: list[Path], digests: dict[Path, str] | None = None) -> None:
    """Remember which WARCs (by name, sha256, size) the records came from, for the release manifest."""
    import json

    from .fsutil import write_json
    from .hashing import file_sha256

    path = out_dir / "_inputs.json"
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for w in warcs:
        if w.is_file():
            known[w.name] = {"sha256": (digests or {}).get(w) or file_sha256(w), "bytes": w.stat().st_size}
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json(path, known)


def records_table(records_dir: str | Path) -> pa.Table:
    """All record shards of a folder as one table (rejects excluded)."""
    from .parquet_io import read_table

    files = sorted(p for p in Path(records_dir).glob("*.parquet") if not p.name.endswith(".rejects.parquet"))
    rs = schema.record_schema()
    if not files:
        return rs.empty_table()
    return pa.concat_tables([read_table(f).cast(rs.arrow()) for f in files])
