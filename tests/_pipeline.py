"""A real ingest -> extract run over self-written pages (shared by the dedup, show and sandbox tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from archivist.extract import extract, records_table
from archivist.ingest import ingest
from archivist.parquet_io import read_table
from archivist.sandbox import Limits


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


def run(
    tmp: Path,
    pages: list[tuple[str, str | bytes, str, str]],
    *,
    limits: Limits | None = Limits(),
) -> tuple[Path, Path, Any]:
    """pages: (file name, html, url, captured_at ISO). Returns (archives, records, extract report)."""
    src = tmp / "pages"
    src.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, html, url, captured in pages:
        data = html.encode("utf-8") if isinstance(html, str) else html
        (src / name).write_bytes(data)
        lines.append(json.dumps({"path": name, "url": url, "captured_at": captured, "content_type": "text/html; charset=utf-8"}))
    (src / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    archives, records = tmp / "archives", tmp / "records"
    ing = ingest([str(src)], archives, sidecar=src / "pages.jsonl")
    assert not ing.rejects, [r.detail for r in ing.rejects]
    rep = extract([archives], records, limits=limits)
    return archives, records, rep


def rows_by_url(records: Path) -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in records_table(records).to_pylist()}


def rejects(records: Path) -> list[dict[str, Any]]:
    tables = [read_table(p) for p in sorted(records.glob("*.rejects.parquet"))]
    return pa.concat_tables(tables).to_pylist() if tables else []
