"""The whole chain on self-written pages: ingest -> extract -> publish -> verify -> load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import archivist
from archivist import schema
from tests.helpers import news_pages, write_pages

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    sidecar = write_pages(root / "pages", news_pages())
    archivist.init(root, "test-corpus")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        rep = archivist.ingest(["pages"], "archives", sidecar=sidecar, corpus_name="test-corpus")
        assert rep.counts["pages_archived"] == 3 and not rep.rejects
        rep = archivist.extract(["archives"], "records")
        assert rep.counts["records_extracted"] == 3, rep.to_json()
        rep = archivist.publish("records", "1.0.0", "releases")
        assert rep.counts["published"] == 1
    finally:
        os.chdir(cwd)
    return root


def test_warcs_pass_warcio_check(built: Path):
    warcs = sorted((built / "archives").glob("*.warc.gz"))
    assert warcs
    for w in warcs:
        r = subprocess.run([str(BIN / "warcio"), "check", "-v", str(w)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "digest pass" in r.stdout


def test_record_shards_match_the_declared_schema_exactly(built: Path):
    rs = schema.record_schema()
    for f in (built / "records").glob("*.parquet"):
        declared = rs if not f.name.endswith(".rejects.parquet") else schema.rejects_schema()
        assert declared.check(pq.read_schema(f)) == [], f
    data = built / "releases/1.0.0/data/train-00000-of-00001.parquet"
    assert rs.check(pq.read_schema(data)) == []


def test_provenance_points_at_the_exact_warc_record(built: Path):
    from archivist.hashing import sha256_hex
    from archivist.warc_reader import read_record_at

    t = pq.read_table(built / "releases/1.0.0/data/train-00000-of-00001.parquet").to_pylist()
    for row in t:
        rec = read_record_at(built / "archives" / row["warc_filename"], row["warc_record_offset"])
        assert rec.record_id == row["warc_record_id"]
        assert rec.length == row["warc_record_length"]
        if rec.record_type == "resource":
            assert sha256_hex(rec.payload) == row["payload_sha256"]


def test_exact_duplicates_are_marked_not_dropped(built: Path):
    t = pq.read_table(built / "releases/1.0.0/data/train-00000-of-00001.parquet").to_pylist()
    letters = [r for r in t if "letters" in r["url"]]
    assert len(letters) == 2
    assert letters[0]["exact_dup_cluster"] == letters[1]["exact_dup_cluster"] is not None
    kept = [r for r in letters if r["is_kept"]]
    assert len(kept) == 1 and kept[0]["id"] == letters[0]["exact_dup_cluster"]
    # the kept row is the earliest capture
    assert kept[0]["captured_at"] == min(r["captured_at"] for r in letters)


def test_release_loads_offline_with_datasets(built: Path):
    code = (
        "import datasets,sys;"
        "ds=datasets.load_dataset(sys.argv[1]);"
        "t=ds['train'];"
        "print(t.num_rows, t.features['captured_at'], t.features['warc_record_offset'].dtype)"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(built / ".hf")}
    r = subprocess.run([sys.executable, "-c", code, str(built / "releases/1.0.0")], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[0] == "3"
    assert "int64" in r.stdout


def test_verify_passes_then_fails_after_one_byte_changes(built: Path, tmp_path: Path):
    import shutil

    rel = tmp_path / "1.0.0"
    shutil.copytree(built / "releases/1.0.0", rel)
    assert archivist.verify(rel).ok
    shard = rel / "data/train-00000-of-00001.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    res = archivist.verify(rel)
    assert not res.ok
    assert any("train-00000-of-00001.parquet" in f for f in res.failures)
    r = subprocess.run([str(BIN / "archivist"), "verify", str(rel)], capture_output=True, text=True)
    assert r.returncode == 1 and "train-00000-of-00001.parquet" in r.stderr


def test_same_inputs_give_identical_bytes(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Re-running every stage in a fresh folder reproduces WARCs, shards and release byte for byte."""
    import filecmp

    root = tmp_path / "again"
    root.mkdir()
    (root / "corpus.toml").write_text((built / "corpus.toml").read_text())
    monkeypatch.chdir(root)
    sidecar = write_pages(root / "pages", news_pages())
    archivist.ingest([str(root / "pages")], root / "archives", sidecar=sidecar, corpus_name="test-corpus")
    archivist.extract([root / "archives"], root / "records")
    archivist.publish(root / "records", "1.0.0", root / "releases", corpus={"name": "test-corpus"},
                      datasheet=archivist.api.ws.load(built).datasheet())
    for sub in ("archives",):
        a = sorted(p.name for p in (built / sub).iterdir())
        b = sorted(p.name for p in (root / sub).iterdir())
        assert a == b
        for name in a:
            assert filecmp.cmp(built / sub / name, root / sub / name, shallow=False), name
    for f in sorted((built / "releases/1.0.0").rglob("*")):
        if f.is_file() and f.name != "README.md" and f.name != "croissant.json":
            other = root / "releases/1.0.0" / f.relative_to(built / "releases/1.0.0")
            assert filecmp.cmp(f, other, shallow=False), f


def test_republishing_is_a_no_op_and_releases_are_immutable(built: Path, tmp_path: Path):
    import shutil

    from archivist.release import ReleaseError

    rec = tmp_path / "records"
    shutil.copytree(built / "records", rec)
    rel = tmp_path / "releases"
    shutil.copytree(built / "releases", rel)
    corpus = archivist.api.ws.load(built)
    rep = archivist.publish(rec, "1.0.0", rel, corpus=corpus.corpus(), datasheet=corpus.datasheet())
    assert rep.counts["already_published"] == 1
    # different records under the same version: refused
    for f in rec.glob("*.parquet"):
        if not f.name.endswith(".rejects.parquet"):
            t = pq.read_table(f)
            pq.write_table(t.slice(0, 1), f)
    with pytest.raises(ReleaseError, match="immutable"):
        archivist.publish(rec, "1.0.0", rel, corpus=corpus.corpus(), datasheet=corpus.datasheet())
    rep = archivist.publish(rec, "1.1.0", rel, corpus=corpus.corpus(), datasheet=corpus.datasheet())
    d = archivist.diff(rel / "1.0.0", rel / "1.1.0")
    assert d["records"]["removed"] == 2 and d["records"]["added"] == 0
    assert d["suggested_bump"] == "major"
