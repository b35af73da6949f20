"""``archivist show``: the record, and its source re-read from the WARC by offset with a digest check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests._pipeline import page, rows_by_url, run

PARAS = [
    "The museum reopened on Saturday after three years of renovation, with a new wing for the modern collection.",
    "Visitors queued from early morning, and the director said tickets for the first weekend had sold out within hours.",
]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("archivist")
    env = dict(os.environ, COLUMNS="400")  # rich wraps at the terminal width; keep messages on one line
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, dict]]:  # type: ignore[type-arg]
    tmp = tmp_path_factory.mktemp("show")
    html = page("Museum reopens", PARAS).replace("<head>", '<head><meta name="author" content="Ann Lee">')
    pages = [
        ("a.html", html, "https://m.example/2026/02/01/museum", "2026-02-02T00:00:00Z"),
        ("b.html", html, "https://m.example/copy", "2026-02-03T00:00:00Z"),  # same bytes: a revisit record
        ("c.html", page("Other", [p.replace("museum", "library") for p in PARAS]), "https://m.example/library", "2026-02-04T00:00:00Z"),
    ]
    archives, records, _ = run(tmp, pages)
    return archives, records, rows_by_url(records)


def test_show_prints_record_and_verifies_source(corpus) -> None:  # type: ignore[no-untyped-def]
    archives, records, rows = corpus
    r = rows["https://m.example/2026/02/01/museum"]
    proc = _cli("show", r["id"], "--records", str(records), "--archives", str(archives))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for expected in ("Museum reopens", "https://m.example/2026/02/01/museum", "Ann Lee", "2026-02-01", "(url)", "en",
                     "The museum reopened on Saturday", r["warc_filename"], "matches the row"):
        assert expected in out, expected


def test_show_json_rereads_by_offset(corpus) -> None:  # type: ignore[no-untyped-def]
    archives, records, rows = corpus
    for url in ("https://m.example/2026/02/01/museum", "https://m.example/copy"):
        r = rows[url]
        proc = _cli("show", r["id"], "--records", str(records), "--archives", str(archives), "--json")
        assert proc.returncode == 0, proc.stderr
        d = json.loads(proc.stdout)
        assert d["verified"] is True and d["problems"] == []
        assert d["record"]["id"] == r["id"]
        assert d["source"]["offset"] == r["warc_record_offset"] and d["source"]["length"] == r["warc_record_length"]
        assert d["source"]["record_id"] == r["warc_record_id"]
        if d["source"]["record_type"] == "revisit":
            assert url == "https://m.example/copy" and d["source"]["payload_bytes"] == 0
        else:
            assert d["source"]["payload_sha256"] == r["payload_sha256"]


def test_show_fails_naming_the_problem_when_the_warc_changed(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archives, records, rows = corpus
    r = rows["https://m.example/library"]
    # A copy of the WARC whose bytes at the row's offset hold a different (valid) record: the first one.
    bad = tmp_path / "archives"
    bad.mkdir()
    data = (archives / r["warc_filename"]).read_bytes()
    first = rows["https://m.example/2026/02/01/museum"]
    member = data[first["warc_record_offset"] : first["warc_record_offset"] + first["warc_record_length"]]
    (bad / r["warc_filename"]).write_bytes(data[: r["warc_record_offset"]] + member)
    proc = _cli("show", r["id"], "--records", str(records), "--archives", str(bad))
    assert proc.returncode == 1
    assert "payload sha256" in proc.stderr and "does not match" in proc.stderr
    assert "record id" in proc.stderr


def test_show_unknown_id_and_missing_warc(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archives, records, rows = corpus
    proc = _cli("show", "00000000-0000-0000-0000-000000000000", "--records", str(records), "--archives", str(archives))
    assert proc.returncode == 2 and "no record with id 00000000-0000-0000-0000-000000000000" in proc.stderr
    assert "Traceback" not in proc.stderr
    r = next(iter(rows.values()))
    proc = _cli("show", r["id"], "--records", str(records), "--archives", str(tmp_path))
    assert proc.returncode == 2 and r["warc_filename"] in proc.stderr and "not there" in proc.stderr
