"""croissant.json of a real release: mlcroissant validates it and reads records back (subprocess)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from archivist import croissant, schema
from tests import release_factory as rf

MLC = shutil.which("mlcroissant", path=str(Path(sys.executable).parent))


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("cr")
    _, records = rf.make_records(work / "w", list("abc"))
    rf.publish(records, "1.0.0", work / "releases")
    return work / "releases" / "1.0.0"


def _mlc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    if MLC is None:
        pytest.skip("mlcroissant CLI not installed (dev extra)")
    return subprocess.run([MLC, *args], cwd=cwd, capture_output=True, text=True, timeout=180)


def test_required_fields_rai_and_checksums(release: Path) -> None:
    doc = json.loads((release / "croissant.json").read_text())
    m = json.loads((release / "manifest.json").read_text())
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["version"] == "1.0.0" and doc["datePublished"] == "2024-05-03"
    for k in ("rai:dataCollection", "rai:dataCollectionType", "rai:dataCollectionTimeframe", "rai:dataPreprocessingProtocol",
              "rai:dataLimitations", "rai:dataUseCases", "rai:personalSensitiveInformation", "rai:dataReleaseMaintenancePlan"):
        assert doc[k], k
    files = {f["path"]: f["sha256"] for f in m["files"]}
    objects = {d["contentUrl"]: d["sha256"] for d in doc["distribution"] if d["@type"] == "cr:FileObject"}
    assert objects == {p: h for p, h in files.items() if p.endswith(".parquet")}
    assert croissant.check(doc, files) == []
    fields = [f["name"] for f in doc["recordSet"][0]["field"]]
    assert fields == schema.record_schema().names  # nested and list columns included


def test_mlcroissant_validate(release: Path) -> None:
    r = _mlc("validate", "--jsonld", "croissant.json", cwd=release)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Done" in r.stderr + r.stdout


def test_mlcroissant_load_reads_a_record(release: Path) -> None:
    r = _mlc("load", "--jsonld", "croissant.json", "--record_set", "records", "--num_records", "1", cwd=release)
    assert r.returncode == 0, r.stderr[-3000:]
    first = pq.read_table(release / "data/train-00000-of-00001.parquet").to_pylist()[0]
    out = r.stdout + r.stderr
    # the record printed is the first row of the shard, nested outlinks included
    assert f"'records/id': b'{first['id']}'" in out
    assert first["outlinks"], "the factory pages link a report from the article"
    assert "'records/outlinks': [{'records/outlinks/url'" in out
    assert f"'records/word_count': {first['word_count']}" in out


def test_mlcroissant_load_catches_a_wrong_sha256(release: Path, tmp_path: Path) -> None:
    bad = tmp_path / "1.0.0"
    shutil.copytree(release, bad)
    doc = json.loads((bad / "croissant.json").read_text())
    doc["distribution"][0]["sha256"] = "0" * 64
    (bad / "croissant.json").write_text(json.dumps(doc))
    r = _mlc("load", "--jsonld", "croissant.json", "--record_set", "records", "--num_records", "1", cwd=bad)
    assert r.returncode != 0
    files = {f["path"]: f["sha256"] for f in json.loads((bad / "manifest.json").read_text())["files"]}
    assert any("sha256" in p for p in croissant.check(doc, files))


def test_many_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, release: Path) -> None:
    """A shard limit below the data size: datasets-style names, a FileSet in Croissant, the index
    pointing at the right shard and row, and every reader seeing all records."""
    import os

    import archivist
    from archivist import release as release_mod

    monkeypatch.setattr(release_mod, "MAX_SHARD_BYTES", 2000)
    records = release.parents[1] / "w" / "records"
    rf.publish(records, "1.0.0", tmp_path / "rel")
    rel = tmp_path / "rel" / "1.0.0"
    shards = sorted(p.name for p in (rel / "data").iterdir())
    assert len(shards) == 3 and shards[0] == "train-00000-of-00003.parquet"
    assert archivist.verify(rel).ok
    idx = pq.read_table(rel / "index/records-00000-of-00001.parquet").to_pylist()
    for entry in idx:
        row = pq.read_table(rel / entry["shard"]).to_pylist()[entry["row"]]
        assert row["id"] == entry["id"]
    doc = json.loads((rel / "croissant.json").read_text())
    assert any(d["@type"] == "cr:FileSet" for d in doc["distribution"])
    r = _mlc("load", "--jsonld", "croissant.json", "--record_set", "records", "--num_records", "-1", cwd=rel)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (r.stdout + r.stderr).count("'records/id'") == 3
    code = "import sys\nfrom datasets import load_dataset\nprint(load_dataset(sys.argv[1], split='train').num_rows)\n"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    out = subprocess.run([sys.executable, "-c", code, str(rel)], env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "3"
