"""verify and reproduce on real releases: good ones pass, tampered ones fail naming the file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import archivist
from archivist import api
from tests import release_factory as rf

CLI = [sys.executable, "-m", "archivist.cli"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("ver")
    archives, records = rf.make_records(work / "w", list("abcde"))
    rf.publish(records, "1.0.0", work / "releases")
    return archives, work / "releases" / "1.0.0"


@pytest.fixture
def copy(built: tuple[Path, Path], tmp_path: Path) -> Path:
    dest = tmp_path / "1.0.0"
    shutil.copytree(built[1], dest)
    return dest


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)


def test_good_release_passes(built: tuple[Path, Path]) -> None:
    res = archivist.verify(built[1])
    assert res.ok, res.failures
    for check in ("tree_sha256", "logical_digest", "schema", "croissant.json: required fields, sha256 per file",
                  "README.md: card lint", "provenance.json", "data/train-00000-of-00001.parquet: sha256"):
        assert check in res.checked
    r = _cli("verify", str(built[1]))
    assert r.returncode == 0, r.stderr
    assert "verify: OK" in r.stdout


def test_one_byte_of_a_shard_changed_fails(copy: Path) -> None:
    shard = copy / "data/train-00000-of-00001.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    res = archivist.verify(copy)
    assert not res.ok
    assert any(str(shard) in f and "sha256" in f for f in res.failures), res.failures
    r = _cli("verify", str(copy))
    assert r.returncode == 1 and "train-00000-of-00001.parquet" in r.stderr


def test_one_byte_of_a_plot_changed_fails(copy: Path) -> None:
    img = copy / "images/languages.svg"
    data = bytearray(img.read_bytes())
    data[-3] ^= 0x01
    img.write_bytes(bytes(data))
    res = archivist.verify(copy)
    assert not res.ok
    assert any(str(img) in f and "sha256" in f for f in res.failures), res.failures


def test_added_file_fails(copy: Path) -> None:
    (copy / "data" / "train-00001-of-00001.parquet").write_bytes(b"PAR1")
    res = archivist.verify(copy)
    assert not res.ok and any("train-00001-of-00001.parquet: not listed" in f for f in res.failures), res.failures


def test_removed_file_fails(copy: Path) -> None:
    (copy / "index/records-00000-of-00001.parquet").unlink()
    res = archivist.verify(copy)
    assert not res.ok and any("records-00000-of-00001.parquet: missing" in f for f in res.failures), res.failures


def test_edited_card_fails(copy: Path) -> None:
    readme = copy / "README.md"
    readme.write_text(readme.read_text().replace("Tiny News", "Tiny Newz"))
    res = archivist.verify(copy)
    assert not res.ok and any(str(readme) in f for f in res.failures)


def test_croissant_with_wrong_sha256_fails_even_when_rehashed(copy: Path) -> None:
    """A Croissant file whose FileObject sha256 is wrong is caught by its own check, not only by the file hash."""
    from archivist.hashing import file_sha256

    cpath = copy / "croissant.json"
    doc = json.loads(cpath.read_text())
    doc["distribution"][0]["sha256"] = "0" * 64
    cpath.write_text(json.dumps(doc))
    m = json.loads((copy / "manifest.json").read_text())
    for f in m["files"]:
        if f["path"] == "croissant.json":
            f["sha256"], f["bytes"] = file_sha256(cpath), cpath.stat().st_size
    (copy / "manifest.json").write_text(json.dumps(m))
    res = archivist.verify(copy)
    assert not res.ok
    assert any(str(cpath) in f and "sha256" in f for f in res.failures), res.failures


def test_data_changed_consistently_fails_logical_digest(copy: Path) -> None:
    """Rewrite a shard and fix up its hashes: the logical digest still catches the change."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from archivist.hashing import file_sha256
    from archivist.release import tree_sha256

    shard = copy / "data/train-00000-of-00001.parquet"
    t = pq.read_table(shard)
    t = t.set_column(t.schema.get_field_index("title"), t.schema.field("title"),
                     pa.array(["changed"] * t.num_rows, pa.string()))
    pq.write_table(t, shard)
    m = json.loads((copy / "manifest.json").read_text())
    for f in m["files"]:
        if f["path"] == "data/train-00000-of-00001.parquet":
            f["sha256"], f["bytes"] = file_sha256(shard), shard.stat().st_size
    m["tree_sha256"] = tree_sha256(m["files"])
    (copy / "manifest.json").write_text(json.dumps(m))
    res = archivist.verify(copy)
    assert not res.ok and any("logical digest" in f for f in res.failures), res.failures


def test_reproduce_matches(built: tuple[Path, Path]) -> None:
    archives, release = built
    res = api.reproduce(release, archives)
    assert res.ok, res.problems
    assert res.rows == 5 and res.actual == json.loads((release / "manifest.json").read_text())["logical_digest"]
    r = _cli("reproduce", str(release), "--archives", str(archives), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True


def test_reproduce_refuses_a_changed_warc(built: tuple[Path, Path], tmp_path: Path) -> None:
    archives, release = built
    changed = tmp_path / "archives"
    shutil.copytree(archives, changed)
    warc = sorted(changed.glob("*.warc.gz"))[0]
    warc.write_bytes(warc.read_bytes() + b"\n")
    res = api.reproduce(release, changed)
    assert not res.ok and any(str(warc) in p and "sha256" in p for p in res.problems)
    r = _cli("reproduce", str(release), "--archives", str(changed))
    assert r.returncode == 1 and warc.name in r.stderr


def test_reproduce_missing_warc(built: tuple[Path, Path], tmp_path: Path) -> None:
    res = api.reproduce(built[1], tmp_path)
    assert not res.ok and any("missing" in p for p in res.problems)


def test_reproduce_detects_a_different_release(built: tuple[Path, Path], copy: Path) -> None:
    """Same WARCs, a manifest claiming other records: digests differ, exit non-zero."""
    m = json.loads((copy / "manifest.json").read_text())
    m["logical_digest"] = "f" * 64
    (copy / "manifest.json").write_text(json.dumps(m))
    res = api.reproduce(copy, built[0])
    assert not res.ok and res.actual != res.expected and res.rows == 5
