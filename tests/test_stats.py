"""`archivist stats`: every figure equals a direct pyarrow computation over the same Parquet."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from archivist import schema, stats
from archivist.parquet_io import write_table
from tests import small_corpus

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_corpus.built_once(tmp_path_factory.getbasetemp())


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "archivist"), *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def _shards(folder: Path, rejects: bool) -> list[Path]:
    if (folder / "data").is_dir():
        return sorted((folder / ("rejects" if rejects else "data")).glob("*.parquet"))
    return sorted(p for p in folder.glob("*.parquet") if p.name.endswith(".rejects.parquet") == rejects)


def expected(folder: Path) -> dict[str, Any]:
    """The figures, computed independently with pyarrow and plain Python."""
    rows: list[dict[str, Any]] = []
    for f in _shards(folder, rejects=False):
        rows += pq.read_table(f, columns=["url", "language", "captured_at", "http_status", "word_count",
                                          "is_kept", "exact_dup_cluster", "near_dup_cluster"]).to_pylist()
    rejects: list[dict[str, Any]] = []
    for f in _shards(folder, rejects=True):
        rejects += pq.read_table(f, columns=["stage", "reason"]).to_pylist()

    def ranked(c: Counter[Any]) -> list[dict[str, Any]]:
        return [{"key": k, "count": n} for k, n in sorted(c.items(), key=lambda kv: (-kv[1], "" if kv[0] is None else str(kv[0])))]

    n = len(rows)
    wc = sorted(r["word_count"] for r in rows)
    not_kept = [r for r in rows if not r["is_kept"]]
    exact = sum(1 for r in not_kept if r["exact_dup_cluster"] is not None)
    near = sum(1 for r in not_kept if r["exact_dup_cluster"] is None and r["near_dup_cluster"] is not None)
    reasons = Counter((r["stage"], r["reason"]) for r in rejects)
    return {
        "records": n,
        "kept": n - len(not_kept),
        "languages": ranked(Counter(r["language"] or "(unknown)" for r in rows)),
        "sites": ranked(Counter(urlsplit(r["url"]).hostname or "(none)" for r in rows)),
        "months": sorted(({"key": k, "count": v} for k, v in
                          Counter(r["captured_at"].astimezone(UTC).strftime("%Y-%m") for r in rows).items()),
                         key=lambda d: d["key"]),
        "http_status": ranked(Counter(r["http_status"] for r in rows)),
        "word_count": {
            "min": wc[0], "max": wc[-1], "total": sum(wc), "mean": round(sum(wc) / n, 1),
            **{f"p{round(q * 100)}": wc[max(0, math.ceil(q * n) - 1)] for q in stats.QUANTILES},
        },
        "duplicates": {"rows_not_kept": len(not_kept), "exact": exact, "near": near,
                       "other": len(not_kept) - exact - near, "rate": round(len(not_kept) / n, 4)},
        "rejects": {"count": len(rejects), "rate": round(len(rejects) / (n + len(rejects)), 4),
                    "reasons": [{"stage": s, "reason": r, "count": c}
                                for (s, r), c in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))]},
    }


def assert_figures(got: dict[str, Any], want: dict[str, Any]) -> None:
    for key, value in want.items():
        if key in ("languages", "sites"):
            assert got[key] == value[: len(got[key])], key
            assert got[f"{key}_distinct"] == len(value), key
        else:
            assert got[key] == value, key


@pytest.mark.parametrize("where", ["records", "releases/1.0.0"])
def test_figures_equal_a_direct_computation(corpus: Path, where: str):
    got = stats.compute(corpus / where)
    want = expected(corpus / where)
    assert_figures(got, want)
    # The corpus was built to exercise every table: 3 languages, 3 sites, 2 months, a duplicate, a reject.
    assert [d["key"] for d in got["languages"]] == ["en", "de", "fr"]
    assert {d["key"] for d in got["sites"]} == {"news.example", "mirror.example", "zeitung.example"}
    assert [m["key"] for m in got["months"]] == ["2026-03", "2026-04"]
    assert got["duplicates"]["exact"] == 1
    assert got["rejects"]["reasons"] == [{"stage": "extract", "reason": "empty-text", "count": 1}]
    assert got["http_status"] == [{"key": None, "count": got["records"]}]


def test_release_and_records_folder_agree(corpus: Path):
    a, b = stats.compute(corpus / "records"), stats.compute(corpus / "releases/1.0.0")
    assert b["kind"] == "release" and b["version"] == "1.0.0" and a["kind"] == "records"
    # the release also reports its own numbers, straight from its manifest
    m = json.loads((corpus / "releases/1.0.0/manifest.json").read_text(encoding="utf-8"))
    assert a["release"] is None
    assert b["release"]["version"] == "1.0.0" and b["release"]["logical_digest"] == m["logical_digest"]
    assert b["release"]["tree_sha256"] == m["tree_sha256"] and b["release"]["rows"] == b["records"]
    for k in ("corpus", "kind", "version", "files", "release"):
        a.pop(k), b.pop(k)
    assert a == b


def synthetic_rows(n: int) -> list[dict[str, Any]]:
    """Rows with what the small real corpus lacks: HTTP statuses, near duplicates, null
    languages, odd URLs (ports, user info, IPv6, upper case, no host), many sites and days."""
    base = datetime(2025, 11, 28, 23, 30, tzinfo=UTC)
    urls = ["https://Site{i}.example:8443/p/{i}", "http://user:pw@site{i}.example/x?y#z", "http://[2001:db8::{i}]/",
            "https://site{i}.example/a", "urn:nohost:{i}"]
    out = []
    for i in range(n):
        rid = f"{i:08d}-0000-5000-8000-000000000000"
        dup = i % 7 == 3
        near = i % 11 == 5 and not dup
        out.append({
            "id": rid, "url": urls[i % len(urls)].format(i=i % 37), "text": "word " * (i % 300),
            "language": [None, "en", "de", "fr", "ja"][i % 5] if i % 13 else None,
            "authors": [], "outlinks": [],
            "warc_filename": "syn.warc.gz", "warc_record_id": f"<urn:uuid:{rid}>",
            "warc_record_offset": i * 1000, "warc_record_length": 900, "payload_sha1": "A" * 32,
            "payload_sha256": "0" * 64, "captured_at": base + timedelta(hours=7 * i),
            "http_status": [200, 200, 404, None, 301][i % 5], "extractor": "x@1", "settings_hash": "0" * 16,
            "word_count": (i * 7919) % 1000, "line_count": 1, "mean_line_length": 1.0, "symbol_ratio": 0.0,
            "boilerplate_ratio": 0.0, "text_sha256": f"{i:064d}",
            "exact_dup_cluster": "00000000-0000-5000-8000-000000000000" if dup else None,
            "near_dup_cluster": "00000001-0000-5000-8000-000000000000" if near else None,
            "is_kept": not (dup or near),
        })
    return out


def test_figures_on_a_synthetic_folder_with_every_case(tmp_path: Path):
    rows = synthetic_rows(3000)
    rs = schema.record_schema().arrow()
    write_table(pa.Table.from_pylist(rows[:1700], schema=rs), tmp_path / "a-00000.parquet")
    write_table(pa.Table.from_pylist(rows[1700:], schema=rs), tmp_path / "b-00000.parquet")
    rej = [{"input": f"in{i}", "warc_record_id": None, "warc_record_offset": None, "url": None,
            "stage": ["extract", "read", "extract"][i % 3], "reason": ["not-html", "malformed-record", "empty-text"][i % 3],
            "detail": None} for i in range(40)] + [{"input": "z", "warc_record_id": None, "warc_record_offset": None,
                                                    "url": None, "stage": "extract", "reason": "not-html", "detail": None}]
    write_table(pa.Table.from_pylist(rej, schema=schema.rejects_schema().arrow()), tmp_path / "a-00000.rejects.parquet")

    got = stats.compute(tmp_path)
    want = expected(tmp_path)
    assert_figures(got, want)
    assert got["sites_distinct"] > stats.TOP and len(got["sites"]) == stats.TOP
    assert {"::1", "2001:db8::1"} & {d["key"] for d in want["sites"]} or "(none)" in {d["key"] for d in want["sites"]}
    assert got["duplicates"]["near"] > 0 and got["duplicates"]["exact"] > 0
    assert {d["key"] for d in got["http_status"]} == {200, 404, 301, None}
    assert got["rejects"]["reasons"][0] == {"stage": "extract", "reason": "not-html", "count": 15}
    # Month buckets are UTC whatever the machine's zone: the first row is 2025-11-28 23:30 UTC.
    assert got["months"][0]["key"] == "2025-11"


def test_cli_prints_tables_and_json(corpus: Path):
    r = cli("stats", str(corpus / "releases/1.0.0"))
    assert r.returncode == 0, r.stderr
    for text in ("Languages", "Sites", "Capture months", "HTTP status", "Text length", "Duplicates and rejects",
                 "zeitung.example", "2026-04", "null (local resource)", "extract/empty-text", "small-corpus 1.0.0",
                 "Release", "logical digest"):
        assert text in r.stdout, text
    digest = json.loads((corpus / "releases/1.0.0/manifest.json").read_text(encoding="utf-8"))["logical_digest"]
    assert digest in r.stdout.replace("\n", "").replace(" ", "").replace("│", "")
    r = cli("stats", str(corpus / "records"), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == stats.compute(corpus / "records")
    # Inside the workspace the default is its records/ folder.
    r = cli("stats", "--json", cwd=corpus)
    assert r.returncode == 0 and json.loads(r.stdout)["records"] == stats.compute(corpus / "records")["records"]


def test_cli_errors_are_one_clear_line(tmp_path: Path):
    r = cli("stats", str(tmp_path / "missing"))
    assert r.returncode == 2 and "no such folder" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "empty").mkdir()
    r = cli("stats", str(tmp_path / "empty"))
    assert r.returncode == 2 and "no Parquet shards" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "x-00000.parquet").write_bytes(b"PAR1 this is not parquet")
    r = cli("stats", str(tmp_path / "broken"))
    assert r.returncode == 2 and "x-00000.parquet" in r.stderr and "Traceback" not in r.stderr, r.stderr
    r = cli("stats", cwd=tmp_path)
    assert r.returncode == 2 and "not inside a workspace" in r.stderr
