"""archivist pack writes a WACZ 1.1.1 that `wacz validate` accepts, with STORE for WARCs and
indexes, a pages list and a deterministic layout."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archivist.ingest import ingest
from archivist.wacz import pack
from tests._archive_util import BIN, charset_pages, run, write_sidecar


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    tmp = tmp_path_factory.mktemp("wacz")
    pages = charset_pages(tmp / "pages")
    rep = ingest([str(tmp / "pages")], tmp / "warc", sidecar=write_sidecar(tmp / "pages", pages),
                 corpus_name="wacz", max_bytes=4000)
    assert len(rep.outputs) >= 2
    return [Path(p) for p in rep.outputs]


@pytest.fixture(scope="module")
def packed(warcs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("packed") / "corpus.wacz"
    rep = pack(warcs, out, title="Test corpus")
    assert not rep.rejects and rep.counts["pages"] == 6
    return out


def test_wacz_validate_accepts(packed: Path) -> None:
    res = run("wacz", "validate", "-f", packed)
    assert res.code == 0 and "Validation succeeded" in res.out, res


def test_layout_and_compression(packed: Path, warcs: list[Path]) -> None:
    with zipfile.ZipFile(packed) as z:
        infos = {i.filename: i for i in z.infolist()}
        assert set(infos) == {*(f"archive/{w.name}" for w in warcs), "indexes/index.cdx", "pages/pages.jsonl",
                              "datapackage.json", "datapackage-digest.json"}
        for name, info in infos.items():
            if name.startswith(("archive/", "indexes/")):
                assert info.compress_type == zipfile.ZIP_STORED, name
        for w in warcs:
            assert z.read(f"archive/{w.name}") == w.read_bytes()
        pages = [json.loads(x) for x in z.read("pages/pages.jsonl").decode().splitlines()]
        assert pages[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
        assert {p["url"] for p in pages[1:]} == {f"http://example.org/{n}.html" for n in
                                                  ("utf8-bom", "cp1251", "shiftjis", "gb18030", "latin1", "cp1252")}
        assert all(p["ts"].endswith("Z") and "T" in p["ts"] for p in pages[1:])
        titles = {p["url"].rsplit("/", 1)[1]: p.get("title") for p in pages[1:]}
        assert titles["shiftjis.html"] == "Page shiftjis"
        dp_bytes = z.read("datapackage.json")
        dp = json.loads(dp_bytes)
        assert dp["profile"] == "data-package" and dp["wacz_version"] == "1.1.1"
        for r in dp["resources"]:
            data = z.read(r["path"])
            assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest() and r["bytes"] == len(data)
        dig = json.loads(z.read("datapackage-digest.json"))
        assert dig == {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(dp_bytes).hexdigest()}
        assert z.read("indexes/index.cdx").decode().count("\n") == 6


def test_pack_is_deterministic_and_cli_works(packed: Path, warcs: list[Path], tmp_path: Path) -> None:
    again = tmp_path / "corpus.wacz"
    exe = BIN / "archivist"
    p = subprocess.run([str(exe), "pack", *map(str, warcs), "-o", str(again), "--title", "Test corpus", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["counts"]["pages"] == 6
    assert again.read_bytes() == packed.read_bytes()


def test_tampered_wacz_is_refused_by_the_validator(packed: Path, tmp_path: Path) -> None:
    # the validator can fail, so its success above means something
    bad = tmp_path / "bad.wacz"
    with zipfile.ZipFile(packed) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "pages/pages.jsonl":
                data += b'{"url": "http://example.org/x", "ts": "2024-01-01T00:00:00Z"}\n'
            dst.writestr(info, data)
    res = run("wacz", "validate", "-f", bad)
    assert res.code != 0, res


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "archivist"
    p = subprocess.run([str(exe), "pack", str(tmp_path / "nope.warc.gz"), "-o", str(tmp_path / "x.wacz")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "nope.warc.gz" in p.stderr and "Traceback" not in p.stderr
