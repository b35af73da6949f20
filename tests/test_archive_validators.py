"""Every WARC the tool writes passes the real validators, the conformance checker, and has a
CDXJ beside it identical to cdxj-indexer's; ingest is byte-for-byte deterministic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archivist.cdxj import cdxj_path
from archivist.conformance import check_file, errors
from archivist.ingest import ingest
from tests._archive_util import (
    charset_pages,
    expected_captures,
    records,
    run,
    validate_warc,
    write_sidecar,
)


def own_inputs(folder: Path) -> tuple[Path, Path]:
    """Six charset pages, a byte-identical copy (-> revisit) and a text file, with a sidecar."""
    pages = charset_pages(folder)
    dup = folder / "copy.html"
    dup.write_bytes(pages["cp1251"][0].read_bytes())
    pages["copy"] = (dup, "", "")
    txt = folder / "notes.txt"
    txt.write_text("Plain text notes.\nSecond line.\n", encoding="utf-8")
    pages["notes"] = (txt, "", "")
    return folder, write_sidecar(folder, pages)


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    tmp = tmp_path_factory.mktemp("own")
    folder, side = own_inputs(tmp / "pages")
    rep = ingest([str(folder)], tmp / "warc", sidecar=side, corpus_name="Own Pages", operator="test suite")
    assert not rep.rejects, rep.rejects
    assert rep.counts["revisit_records"] == 1
    return [Path(p) for p in rep.outputs]


@pytest.fixture(scope="module")
def rotated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    tmp = tmp_path_factory.mktemp("rot")
    folder, side = own_inputs(tmp / "pages")
    rep = ingest([str(folder)], tmp / "warc", sidecar=side, corpus_name="rot", max_bytes=5000)
    assert len(rep.outputs) > 1
    return [Path(p) for p in rep.outputs]


@pytest.fixture(scope="module")
def from_bench(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    tmp = tmp_path_factory.mktemp("bench")
    files = [p for p in sorted((shared / "bench" / "warc").iterdir()) if p.suffix not in (".md", ".tsv")]
    rep = ingest([str(f) for f in files], tmp / "warc", corpus_name="bench")
    return [Path(p) for p in rep.outputs]


def _all(request: pytest.FixtureRequest, which: str) -> list[Path]:
    return request.getfixturevalue(which)


@pytest.mark.parametrize("which", ["own", "rotated", "from_bench"])
def test_validators_accept_every_warc_we_write(which: str, request: pytest.FixtureRequest) -> None:
    for warc in _all(request, which):
        for name, res in validate_warc(warc).items():
            assert res.code == 0, f"{name} rejected {warc.name}:\n{res}"
        assert "failed" not in run("warcio", "check", "-v", warc).out


@pytest.mark.parametrize("which", ["own", "rotated", "from_bench"])
def test_field_conformance(which: str, request: pytest.FixtureRequest) -> None:
    for warc in _all(request, which):
        found = check_file(warc)
        assert errors(found) == [], "\n".join(map(str, errors(found)))
        if which != "from_bench":  # records we wrote ourselves: not even a "should" is missed
            assert found == [], "\n".join(map(str, found))
        recs = records(warc)
        assert recs[0][0] == "warcinfo"
        info = recs[0][1]
        assert info["WARC-Filename"] == warc.name


@pytest.mark.parametrize("which", ["own", "rotated", "from_bench"])
def test_cdxj_beside_every_warc_is_what_cdxj_indexer_writes(which: str, request: pytest.FixtureRequest) -> None:
    for warc in _all(request, which):
        idx = cdxj_path(warc)
        assert idx.exists(), idx
        cli = run("cdxj-indexer", "-s", warc)
        assert cli.code == 0, cli
        assert idx.read_text(encoding="utf-8") == cli.out
        lines = idx.read_text(encoding="utf-8").splitlines()
        assert len(lines) == expected_captures(warc)
        if which != "from_bench":
            # our own files: exactly the response/resource/revisit records are captures
            assert len(lines) == sum(1 for t, _, _ in records(warc) if t in ("response", "resource", "revisit"))


def test_every_own_page_is_a_capture(own: list[Path]) -> None:
    idx = cdxj_path(own[0]).read_text(encoding="utf-8")
    for name in ("utf8-bom", "cp1251", "shiftjis", "gb18030", "latin1", "cp1252", "copy"):
        assert f"org,example)/{name}.html " in idx


def test_ingest_is_deterministic(shared: Path, tmp_path: Path) -> None:
    folder, side = own_inputs(tmp_path / "pages")
    bench = [str(p) for p in sorted((shared / "bench" / "warc").iterdir()) if p.name.startswith("warcio__example")]
    outs = []
    for i in range(2):
        rep = ingest([str(folder), *bench], tmp_path / f"run{i}", sidecar=side, corpus_name="det")
        outs.append(sorted(Path(p) for p in rep.outputs))
    a, b = outs
    assert [p.name for p in a] == [p.name for p in b]
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes()
        assert cdxj_path(x).read_bytes() == cdxj_path(y).read_bytes()
    shutil.rmtree(tmp_path / "run0")
