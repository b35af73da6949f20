"""`archivist query`: SQL over records and rejects, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from archivist import query as q
from tests import small_corpus

BIN = Path(sys.executable).parent
SQL = "SELECT language, count(*) AS n, sum(word_count) AS words FROM records GROUP BY language ORDER BY n DESC, language"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_corpus.built_once(tmp_path_factory.getbasetemp())


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "archivist"), "query", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def direct(corpus: Path) -> list[tuple[str, int, int]]:
    """SQL's answer, computed with pyarrow over the release's data shards."""
    t = pq.read_table(sorted((corpus / "releases/1.0.0/data").glob("*.parquet"))[0], columns=["language", "word_count"])
    agg: dict[str, list[int]] = {}
    for lang, wc in zip(t["language"].to_pylist(), t["word_count"].to_pylist(), strict=True):
        a = agg.setdefault(lang, [0, 0])
        a[0] += 1
        a[1] += wc
    return sorted(((k, n, w) for k, (n, w) in agg.items()), key=lambda r: (-r[1], r[0]))


def test_csv_json_and_table_agree_with_pyarrow(corpus: Path):
    want = direct(corpus)
    rel = str(corpus / "releases/1.0.0")

    r = cli(SQL, rel, "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["language", "n", "words"]
    assert [(a, int(b), int(c)) for a, b, c in rows[1:]] == want

    r = cli(SQL, rel, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert [(d["language"], d["n"], d["words"]) for d in json.loads(r.stdout)] == want

    r = cli(SQL, rel)  # table is the default
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any("language" in ln and "words" in ln for ln in lines)
    for lang, n, words in want:
        assert any([c.strip() for c in ln.split("│")[1:4]] == [lang, str(n), str(words)] for ln in lines), lang
    assert f"{len(want)} rows" in r.stdout


def test_rejects_view_and_default_workspace_records(corpus: Path):
    r = cli("SELECT stage, reason, url FROM rejects", "--format", "json", cwd=corpus)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{"stage": "extract", "reason": "empty-text", "url": "https://empty.example/nothing"}]
    r = cli("SELECT count(*) AS n FROM records", "--format", "csv", cwd=corpus)
    assert r.stdout == "n\n6\n"


def test_values_are_plain_in_every_format(corpus: Path):
    sql = ("SELECT id, title, captured_at, authors, outlinks, http_status FROM records "
           "WHERE title LIKE '%script%'")
    j = json.loads(cli(sql, str(corpus / "records"), "-f", "json").stdout)
    assert len(j) == 1 and j[0]["title"] == small_corpus.HOSTILE_TITLE
    assert j[0]["captured_at"] == "2026-04-05T12:00:00Z" and j[0]["http_status"] is None
    assert isinstance(j[0]["authors"], list) and isinstance(j[0]["outlinks"], list)
    c = list(csv.DictReader(io.StringIO(cli(sql, str(corpus / "records"), "-f", "csv").stdout)))
    assert c[0]["title"] == small_corpus.HOSTILE_TITLE and c[0]["http_status"] == ""
    assert json.loads(c[0]["authors"]) == j[0]["authors"]
    # rich markup in data is shown as it is, never interpreted
    t = cli("SELECT '[red]x[/red]' AS s, NULL AS nothing", str(corpus / "records"))
    assert "[red]x[/red]" in t.stdout and "null" in t.stdout


def test_bad_sql_is_a_clear_error_with_exit_2(corpus: Path):
    for sql, words in [("SELEC * FROM records", "syntax error"),
                       ("SELECT nope FROM records", "nope"),
                       ("SELECT * FROM missing_table", "missing_table"),
                       ("   ", "empty SQL")]:
        r = cli(sql, str(corpus / "records"))
        assert r.returncode == 2, (sql, r.stdout, r.stderr)
        assert "error:" in r.stderr and words in r.stderr, r.stderr
        assert "Traceback" not in r.stderr and r.stdout == ""
    r = cli("SELECT 1", str(corpus / "records"), "--format", "xml")
    assert r.returncode == 2 and "--format" in r.stderr and "Traceback" not in r.stderr


def test_query_api_without_rejects_shards(corpus: Path, tmp_path: Path):
    import shutil

    for f in (corpus / "records").glob("*.parquet"):
        if not f.name.endswith(".rejects.parquet"):
            shutil.copy(f, tmp_path / f.name)
    res = q.query("SELECT (SELECT count(*) FROM records) AS r, (SELECT count(*) FROM rejects) AS j", tmp_path)
    assert res.columns == ["r", "j"] and res.rows == [(6, 0)]
    with pytest.raises(q.QueryError, match="SQL error"):
        q.query("SELECT FROM WHERE", tmp_path)
