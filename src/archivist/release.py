"""Publish: a records folder to an immutable, versioned release folder.

Layout of ``<out>/<version>/``::

    data/train-00000-of-0000N.parquet   records sorted by id, <= 500 MB per shard
    rejects/rejects-00000-of-00001.parquet
    index/records-00000-of-00001.parquet  id, content sha256, shard, row, source WARC + record id, licence
    manifest.json    versions, parameters, inputs (WARCs + sha256), files (bytes, sha256, rows),
                     tree hash, logical digest, splits, licences per source, parent version
    images/*.svg     plots of the corpus (languages, sites, timeline, lengths, duplicates, rejects)
    README.md        Hugging Face dataset card (YAML front matter + datasheet prose + the plots)
    croissant.json   Croissant 1.0 with RAI fields and a sha256 per file
    provenance.json  W3C PROV-JSON: WARCs -> extract activity -> shards; release <- parent
    CHANGES.md, diff.json  against the parent release

The release is built in a temporary folder and renamed into place, so a reader never sees a
half-built one; a version that exists already is never overwritten (republishing the same
records is a no-op, different records are an error).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import __version__, card, croissant, provenance, schema
from .diff import changes_markdown, diff_releases
from .extract import records_table, settings_hash
from .extractor import SETTINGS
from .fsutil import write_json, write_text
from .hashing import canonical_json, file_sha256, json_sha256, sha256_hex
from .parquet_io import read_table, write_table
from .report import StageReport

MAX_SHARD_BYTES = 500_000_000
MAX_ROW_GROUP_BYTES = 100_000_000
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
META_FILES = ("manifest.json", "README.md", "croissant.json", "provenance.json", "CHANGES.md", "diff.json")
INDEX_PATH = "index/records-00000-of-00001.parquet"
REJECTS_PATH = "rejects/rejects-00000-of-00001.parquet"


class ReleaseError(Exception):
    pass


def _dependency_versions() -> dict[str, str]:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    # Every package whose version can change a record: the readers, the parsers (selectolax's
    # lexbor builds the tree the main text is taken from), the inflater, the writers.
    for pkg in ("pyarrow", "datasets", "warcio", "fastwarc", "isal", "selectolax", "trafilatura", "py3langid",
                "charset-normalizer", "lxml", "huggingface_hub"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "absent"
    return out


def row_content_sha256(table: pa.Table) -> list[str]:
    """sha256 of each row's canonical JSON: changes iff any column of the row changes."""
    out = []
    # batch by batch: converting a whole large table to Python objects at once would not fit in memory
    for batch in table.to_batches(max_chunksize=8192):
        for row in batch.to_pylist():
            out.append(sha256_hex(canonical_json({k: _jsonable(v) for k, v in row.items()})))
    return out


def _jsonable(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    return v


def logical_digest(ids: list[str], hashes: list[str]) -> str:
    lines = sorted(f"{i}\t{h}\n" for i, h in zip(ids, hashes, strict=True))
    return sha256_hex("".join(lines).encode("utf-8"))


# Roles whose files are the corpus itself; meta files and images describe it and stay out of the tree hash.
TREE_ROLES = ("data", "index", "rejects")


def tree_sha256(files: list[dict[str, Any]]) -> str:
    lines = sorted(f"{f['path']}\t{f['sha256']}\n" for f in files if f["role"] in TREE_ROLES)
    return sha256_hex("".join(lines).encode("utf-8"))


def _load_inputs(records_dir: Path) -> list[dict[str, Any]]:
    p = records_dir / "_inputs.json"
    if not p.exists():
        return []
    data = json.loads(p.read_text(encoding="utf-8"))
    return [{"path": k, **v} for k, v in sorted(data.items())]


def _rejects_table(records_dir: Path) -> pa.Table:
    rej = schema.rejects_schema()
    files = sorted(records_dir.glob("*.rejects.parquet"))
    if not files:
        return rej.empty_table()
    t = pa.concat_tables([read_table(f).cast(rej.arrow()) for f in files])
    return t.sort_by([("input", "ascending"), ("warc_record_offset", "ascending"), ("reason", "ascending")])


def _count(values: list[Any], default: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        key = v or default
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def _licenses_by_source(table: pa.Table, default: str) -> dict[str, dict[str, int]]:
    """Licence counts per source host: a corpus-level licence alone hides what each source allows."""
    out: dict[str, dict[str, int]] = {}
    for url, lic in zip(table["url"].to_pylist(), table["license"].to_pylist(), strict=True):
        host = urlsplit(url).hostname or urlsplit(url).scheme or "unknown"
        per = out.setdefault(host, {})
        key = lic or default
        per[key] = per.get(key, 0) + 1
    return {h: dict(sorted(v.items())) for h, v in sorted(out.items())}


def _file_entry(dest: Path, path: str, role: str, rows: int | None) -> dict[str, Any]:
    p = dest / path
    entry: dict[str, Any] = {"path": path, "role": role, "rows": rows, "bytes": p.stat().st_size, "sha256": file_sha256(p)}
    if path.endswith(".parquet"):
        entry["row_groups"] = pq.ParquetFile(p).num_row_groups
    return entry


def _columns(rs: schema.TableSchema) -> list[dict[str, Any]]:
    return [{"name": f.name, "type": f.type, "nullable": f.nullable} for f in rs.fields]


def build(records_dir: Path, version: str, dest: Path, corpus: dict[str, Any], datasheet: dict[str, str],
          parent: Path | None) -> dict[str, Any]:
    rs = schema.record_schema()
    # combine_chunks: the input's chunk layout must not leak into sizes or bytes (publishing.md §3)
    table = records_table(records_dir).sort_by(rs.sort_key).combine_chunks()
    problems = rs.check(table.schema)
    if problems:
        raise ReleaseError(f"{records_dir}: records do not match the declared schema: {'; '.join(problems)}")
    ids = table["id"].to_pylist()
    if len(set(ids)) != len(ids):
        raise ReleaseError(f"{records_dir}: duplicate record ids; each WARC record may be extracted once")
    parent_manifest = None
    if parent is not None:
        try:
            parent_manifest = json.loads((parent / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise ReleaseError(f"{parent / 'manifest.json'}: cannot read the parent release's manifest: {e}") from e

    files: list[dict[str, Any]] = []
    nbytes = max(1, table.nbytes)
    n_shards = max(1, math.ceil(nbytes / MAX_SHARD_BYTES))
    rows_per_shard = math.ceil(table.num_rows / n_shards) if table.num_rows else 0
    rg_rows = max(1, int(table.num_rows * MAX_ROW_GROUP_BYTES / nbytes)) if table.num_rows else 1
    shard_of: list[str] = []
    row_in_shard: list[int] = []
    for s in range(n_shards):
        part = table.slice(s * rows_per_shard, rows_per_shard) if table.num_rows else table
        path = f"data/train-{s:05d}-of-{n_shards:05d}.parquet"
        write_table(part, dest / path, row_group_rows=rg_rows)
        files.append(_file_entry(dest, path, "data", part.num_rows))
        shard_of += [path] * part.num_rows
        row_in_shard += list(range(part.num_rows))

    hashes = row_content_sha256(table)
    index = pa.table({
        "id": table["id"],
        "content_sha256": pa.array(hashes, pa.string()),
        "shard": pa.array(shard_of, pa.string()),
        "row": pa.array(row_in_shard, pa.int64()),
        "warc_filename": table["warc_filename"],
        "warc_record_id": table["warc_record_id"],
        "license": table["license"],
    })
    write_table(index, dest / INDEX_PATH)
    files.append(_file_entry(dest, INDEX_PATH, "index", index.num_rows))

    rejects = _rejects_table(records_dir)
    write_table(rejects, dest / REJECTS_PATH)
    files.append(_file_entry(dest, REJECTS_PATH, "rejects", rejects.num_rows))

    # The card's plots, drawn from the shards just written (so they show exactly the release's rows).
    from .report_html import render_plots

    for img in render_plots(dest, dest):
        files.append(_file_entry(dest, img.relative_to(dest).as_posix(), "image", None))

    default_license = corpus.get("license") or "unspecified"
    captured = table["captured_at"]
    date_range = None
    if table.num_rows:
        date_range = {
            "first_capture": pc.min(captured).as_py().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "last_capture": pc.max(captured).as_py().strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    per_warc = _count(table["warc_filename"].to_pylist(), "unknown")
    rejects_per_warc = _count(rejects["input"].to_pylist(), "unknown")
    inputs = [{**i, "records": per_warc.get(i["path"], 0), "rejects": rejects_per_warc.get(i["path"], 0)}
              for i in _load_inputs(records_dir)]
    params = {"extraction": SETTINGS, "settings_hash": settings_hash(),
              "max_shard_bytes": MAX_SHARD_BYTES, "max_row_group_bytes": MAX_ROW_GROUP_BYTES}
    manifest: dict[str, Any] = {
        "manifest_version": "1.0.0",
        "name": corpus.get("name") or "corpus",
        "version": version,
        # the release date is the last capture: a wall-clock date would break byte-identical republishing
        "created": date_range["last_capture"] if date_range else None,
        "parent_version": parent_manifest["version"] if parent_manifest else None,
        "record_schema": {"name": rs.name, "version": rs.version, "arrow_fingerprint": rs.fingerprint(),
                          "columns": _columns(rs)},
        "tool": {"name": "archivist", "version": __version__, "dependencies": _dependency_versions()},
        "params": params,
        "params_sha256": json_sha256(params),
        "date_range": date_range,
        "inputs": inputs,
        "files": files,
        "tree_sha256": tree_sha256(files),
        "logical_digest": logical_digest(ids, hashes),
        "rows": table.num_rows,
        "splits": {"train": {"rows": table.num_rows, "bytes": sum(f["bytes"] for f in files if f["role"] == "data")}},
        "licenses": _count(table["license"].to_pylist(), default_license),
        "licenses_by_source": _licenses_by_source(table, default_license),
        "languages": _count([x for x in table["language"].to_pylist() if x], "und"),
    }

    words = table["word_count"].to_pylist()
    stats = {
        "kept": sum(table["is_kept"].to_pylist()),
        "exact_dups": sum(1 for c, k in zip(table["exact_dup_cluster"].to_pylist(), table["is_kept"].to_pylist(), strict=True) if c and not k),
        "rejects": rejects.num_rows,
        "median_words": int(statistics.median(words)) if words else 0,
        "total_words": sum(words),
        "mean_words": round(sum(words) / len(words), 1) if words else 0,
        "reject_reasons": _count(rejects["reason"].to_pylist(), "unknown"),
        "sources": len(manifest["licenses_by_source"]),
    }
    changes = diff_releases(parent_manifest, parent, manifest, dest)
    write_json(dest / "diff.json", changes)
    write_text(dest / "CHANGES.md", changes_markdown(changes))
    write_json(dest / "provenance.json", provenance.render(manifest))
    write_text(dest / "README.md", card.render(manifest, corpus, datasheet, stats))
    write_json(dest / "croissant.json", croissant.render(manifest, corpus, datasheet))
    # meta files are listed with their hashes but kept out of the tree hash (they describe it)
    for name in META_FILES:
        if name != "manifest.json":
            files.append(_file_entry(dest, name, "meta", None))
    write_json(dest / "manifest.json", manifest)
    return manifest


def _readable(root: Path) -> None:
    """mkdtemp/mkstemp create owner-only modes; a release is meant to be shared and read."""
    root.chmod(0o755)
    for p in root.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)


def _same_tree(a: Path, b: Path) -> bool:
    def listing(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): file_sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}
    return listing(a) == listing(b)


def publish(
    records_dir: str | Path,
    version: str,
    out_dir: str | Path,
    *,
    corpus: dict[str, Any] | None = None,
    datasheet: dict[str, str] | None = None,
    parent: str | Path | None = None,
) -> StageReport:
    """Build ``<out_dir>/<version>/`` from the record shards in ``records_dir``."""
    if not _SEMVER.match(version):
        raise ReleaseError(f"version {version!r} is not X.Y.Z")
    records_dir, out_dir = Path(records_dir), Path(out_dir)
    if not records_dir.is_dir():
        raise ReleaseError(f"{records_dir}: no such records folder")
    final = out_dir / version
    parent_dir = Path(parent) if parent else _latest_before(out_dir, version)
    report = StageReport(stage="publish", inputs=1)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=out_dir))
    try:
        manifest = build(records_dir, version, tmp, corpus or {}, datasheet or {}, parent_dir)
        if final.exists():
            if not _same_tree(tmp, final):
                raise ReleaseError(f"{final}: release {version} exists with different contents; releases are immutable, publish a new version")
            report.counts["already_published"] = 1
        else:
            _readable(tmp)
            tmp.rename(final)
            report.counts["published"] = 1
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    report.counts["records"] = manifest["rows"]
    report.outputs = [str(final)]
    report.extra["release"] = str(final)
    report.extra["logical_digest"] = manifest["logical_digest"]
    report.extra["tree_sha256"] = manifest["tree_sha256"]
    return report


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def _latest_before(out_dir: Path, version: str) -> Path | None:
    if not out_dir.is_dir():
        return None
    older = [p for p in out_dir.iterdir() if p.is_dir() and _SEMVER.match(p.name) and (p / "manifest.json").exists()
             and _version_key(p.name) < _version_key(version)]
    return max(older, key=lambda p: _version_key(p.name)) if older else None
