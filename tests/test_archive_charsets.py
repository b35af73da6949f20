"""Pages in six charsets come out of ingest -> extract with the right text and charset."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from archivist.extract import extract
from archivist.ingest import ingest
from tests._archive_util import charset_pages, write_sidecar


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    tmp = tmp_path_factory.mktemp("charsets")
    pages = charset_pages(tmp / "pages")
    side = write_sidecar(tmp / "pages", pages)
    rep = ingest([str(tmp / "pages")], tmp / "warc", sidecar=side, corpus_name="charsets")
    assert not rep.rejects, rep.rejects
    ex = extract([Path(p) for p in rep.outputs], tmp / "records")
    assert not ex.rejects, ex.rejects
    rows = {}
    for f in sorted((tmp / "records").glob("*.parquet")):
        if f.name.endswith(".rejects.parquet"):
            continue
        for r in pq.read_table(f).to_pylist():
            rows[r["url"].rsplit("/", 1)[-1].removesuffix(".html")] = r
    return pages, rows


@pytest.mark.parametrize("name", ["utf8-bom", "cp1251", "shiftjis", "gb18030", "latin1", "cp1252"])
def test_charset_roundtrip(extracted: tuple[dict, dict], name: str) -> None:
    pages, rows = extracted
    _, expected, sentence = pages[name]
    row = rows[name]
    if expected:
        assert row["charset_used"] == expected, row["charset_used"]
    else:  # Latin-1 without a declaration: a detector may name either superset
        assert row["charset_used"] in ("windows-1252", "iso8859-1", "latin-1", "iso-8859-1"), row["charset_used"]
    assert sentence in row["text"], row["text"][:300]
