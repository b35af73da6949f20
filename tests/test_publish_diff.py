"""Two releases with known changes: diff, CHANGES.md/diff.json, provenance (PROV-JSON via ``prov``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import archivist
from archivist.diff import changes_markdown
from tests import release_factory as rf


def _ids_by_url(release: Path) -> dict[str, str]:
    t = pq.read_table(release / "data/train-00000-of-00001.parquet", columns=["id", "url"])
    return {u.rsplit("/", 1)[1]: i for i, u in zip(t["id"].to_pylist(), t["url"].to_pylist(), strict=True)}


def _changed_columns(a: Path, b: Path) -> dict[str, list[str]]:
    """Ground truth, column by column, for ids in both releases."""
    ra = {r["id"]: r for r in pq.read_table(a / "data/train-00000-of-00001.parquet").to_pylist()}
    rb = {r["id"]: r for r in pq.read_table(b / "data/train-00000-of-00001.parquet").to_pylist()}
    out = {}
    for i in ra.keys() & rb.keys():
        cols = [k for k in ra[i] if ra[i][k] != rb[i][k]]
        if cols:
            out[i] = cols
    return out


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """v1.0.0 = pages a-e; v2.0.0 = c removed, f added, b's licence changed (same record id)."""
    work = tmp_path_factory.mktemp("diff")
    releases = work / "releases"
    _, r1 = rf.make_records(work / "v1", list("abcde"))
    rf.publish(r1, "1.0.0", releases)
    _, r2 = rf.make_records(work / "v2", list("abdef"), licenses={"b": "cc0-1.0"})
    rf.publish(r2, "2.0.0", releases)  # parent: the latest older version in the folder
    # the same records as v2 re-published as a patch: nothing changes but the version
    rf.publish(r2, "2.0.1", releases)
    return releases / "1.0.0", releases / "2.0.0", releases / "2.0.1"


def test_diff_is_right(two: tuple[Path, Path, Path]) -> None:
    v1, v2, _ = two
    ids1, ids2 = _ids_by_url(v1), _ids_by_url(v2)
    assert ids1["b"] == ids2["b"]  # same WARC record id: a modification, not remove + add
    d = archivist.diff(v1, v2)
    r = d["records"]
    # b: licence changed. d, e: same capture, but removing c moved them within the WARC
    # (warc_record_offset is part of the row), so they count as modified too.
    changed = _changed_columns(v1, v2)
    assert changed == {ids1["b"]: ["license"], ids1["d"]: ["warc_record_offset"], ids1["e"]: ["warc_record_offset"]}
    assert (r["added"], r["removed"], r["modified"], r["unchanged"]) == (1, 1, 3, 1)
    assert r["added_ids"] == [ids2["f"]] and r["removed_ids"] == [ids1["c"]]
    assert r["modified_ids"] == sorted(changed)
    assert d["suggested_bump"] == "major" and d["declared_bump"] == "major" and d["bump_ok"]
    assert {"data/train-00000-of-00001.parquet", "index/records-00000-of-00001.parquet"} <= set(d["files"]["changed"])
    assert d["files"]["added"] == d["files"]["removed"] == []
    assert d["schema"]["changed"] is False
    assert d["from"]["version"] == "1.0.0" and d["to"]["version"] == "2.0.0"


def test_patch_and_minor_bumps(two: tuple[Path, Path, Path], tmp_path: Path) -> None:
    v1, v2, v201 = two
    d = archivist.diff(v2, v201)
    assert d["records"]["added"] == d["records"]["removed"] == d["records"]["modified"] == 0
    assert d["suggested_bump"] == "patch" and d["files"]["changed"] == []
    # only additions -> minor; declaring a patch for it is flagged
    _, r = rf.make_records(tmp_path / "w", list("abcdef"))
    rf.publish(r, "1.0.1", tmp_path / "rel", parent=v1)
    d = archivist.diff(v1, tmp_path / "rel" / "1.0.1")
    assert d["records"]["added"] == 1 and d["records"]["modified"] == 0
    assert d["suggested_bump"] == "minor" and d["declared_bump"] == "patch" and d["bump_ok"] is False
    assert "smaller than the changes need" in (tmp_path / "rel" / "1.0.1" / "CHANGES.md").read_text()


def test_schema_change_detected(two: tuple[Path, Path, Path], tmp_path: Path) -> None:
    import shutil

    _v1, v2, _ = two
    v3 = tmp_path / "3.0.0"
    shutil.copytree(v2, v3)
    m = json.loads((v3 / "manifest.json").read_text())
    m["record_schema"]["columns"] = [c for c in m["record_schema"]["columns"] if c["name"] != "title"]
    m["record_schema"]["columns"].append({"name": "summary", "type": "string", "nullable": True})
    m["record_schema"]["arrow_fingerprint"] = "0" * 64
    (v3 / "manifest.json").write_text(json.dumps(m))
    d = archivist.diff(v2, v3)
    s = d["schema"]
    assert s["changed"] and s["columns_removed"] == ["title"] and s["columns_added"] == ["summary"]
    assert d["suggested_bump"] == "major"


def test_release_carries_changes_against_parent(two: tuple[Path, Path, Path]) -> None:
    v1, v2, _ = two
    m2 = json.loads((v2 / "manifest.json").read_text())
    assert m2["parent_version"] == "1.0.0"
    stored = json.loads((v2 / "diff.json").read_text())
    assert stored["records"] == archivist.diff(v1, v2)["records"]
    text = (v2 / "CHANGES.md").read_text()
    assert text == changes_markdown(stored)
    assert "Against 1.0.0" in text and "+1 added, -1 removed, ~3 modified, 1 unchanged" in text
    assert "**major**" in text
    first = json.loads((v1 / "diff.json").read_text())
    assert first["from"] is None and first["suggested_bump"] == "initial" and first["records"]["added"] == 5


def test_cli_diff_json(two: tuple[Path, Path, Path]) -> None:
    v1, v2, _ = two
    r = subprocess.run([sys.executable, "-m", "archivist.cli", "diff", str(v1), str(v2), "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["records"]["added"] == 1 and d["suggested_bump"] == "major"
    r = subprocess.run([sys.executable, "-m", "archivist.cli", "diff", str(v1), str(v2)],
                       capture_output=True, text=True, timeout=120)
    assert "+1 added, -1 removed, ~3 modified" in r.stdout and "major" in r.stdout


def test_provenance_is_valid_prov_json(two: tuple[Path, Path, Path]) -> None:
    prov_model = pytest.importorskip("prov.model")
    v1, v2, _ = two
    raw = (v2 / "provenance.json").read_text()
    doc = prov_model.ProvDocument.deserialize(content=raw, format="json")
    # round trip: serialise with prov and read back -> the same document
    again = prov_model.ProvDocument.deserialize(content=doc.serialize(format="json"), format="json")
    assert doc == again
    m = json.loads((v2 / "manifest.json").read_text())
    records = list(doc.get_records())
    by_type: dict[str, int] = {}
    for rec in records:
        by_type[type(rec).__name__] = by_type.get(type(rec).__name__, 0) + 1
    n_shards = sum(1 for f in m["files"] if f["role"] in ("data", "index", "rejects"))
    assert by_type["ProvUsage"] == len(m["inputs"])
    assert by_type["ProvGeneration"] == n_shards and by_type["ProvMembership"] == n_shards
    assert by_type["ProvAssociation"] == 1 and by_type["ProvDerivation"] == 1
    deriv = next(r for r in records if type(r).__name__ == "ProvDerivation")
    attrs = {str(k): str(v) for k, v in deriv.attributes}
    assert attrs["prov:generatedEntity"].endswith("tiny-news/2.0.0")
    assert attrs["prov:usedEntity"].endswith("tiny-news/1.0.0")
    assert attrs["prov:type"] == "prov:Revision"
    agent = next(r for r in records if type(r).__name__ == "ProvAgent")
    assert any(str(v) == f"archivist@{m['tool']['version']}" for _, v in agent.attributes)
    shards = {str(v) for r in records if type(r).__name__ == "ProvEntity"
              for k, v in r.attributes if str(k) == "archivist:sha256"}
    assert {f["sha256"] for f in m["files"] if f["role"] == "data"} <= shards
    assert {i["sha256"] for i in m["inputs"]} <= shards
    # the first release has no parent, so no derivation
    d1 = prov_model.ProvDocument.deserialize(content=(v1 / "provenance.json").read_text(), format="json")
    assert not any(type(r).__name__ == "ProvDerivation" for r in d1.get_records())
    assert doc.get_provn().startswith("document")
