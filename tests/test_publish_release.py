"""A release built by the real pipeline: manifest, determinism, immutability, card, load_dataset."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from archivist import card, schema
from archivist.hashing import file_sha256
from archivist.release import ReleaseError
from tests import release_factory as rf

PLOTS = ("languages", "sites", "timeline", "lengths", "duplicates", "rejects")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    work = tmp_path_factory.mktemp("rel")
    archives, records = rf.make_records(work / "w", list("abcde"))
    rf.publish(records, "1.0.0", work / "releases")
    return archives, records, work / "releases" / "1.0.0"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_manifest_has_everything_the_issue_lists(built: tuple[Path, Path, Path]) -> None:
    archives, _, release = built
    m = json.loads((release / "manifest.json").read_text())
    assert m["manifest_version"] == "1.0.0"
    assert m["record_schema"]["version"] == schema.record_schema().version
    assert [c["name"] for c in m["record_schema"]["columns"]] == schema.record_schema().names
    assert m["tool"]["name"] == "archivist" and {"python", "pyarrow", "datasets", "warcio"} <= m["tool"]["dependencies"].keys()
    assert len(m["params_sha256"]) == 64 and m["params"]["settings_hash"]
    warcs = sorted(archives.glob("*.warc.gz"))
    assert [i["path"] for i in m["inputs"]] == [w.name for w in warcs]
    assert [i["sha256"] for i in m["inputs"]] == [file_sha256(w) for w in warcs]
    assert sum(i["records"] for i in m["inputs"]) == 5
    paths = {f["path"]: f for f in m["files"]}
    assert set(paths) == {"data/train-00000-of-00001.parquet", "index/records-00000-of-00001.parquet",
                          "rejects/rejects-00000-of-00001.parquet", "README.md", "croissant.json",
                          "provenance.json", "CHANGES.md", "diff.json", *(f"images/{n}.svg" for n in PLOTS)}
    assert {p for p, f in paths.items() if f["role"] == "image"} == {f"images/{n}.svg" for n in PLOTS}
    for f in m["files"]:
        assert f["sha256"] == file_sha256(release / f["path"]) and f["bytes"] == (release / f["path"]).stat().st_size
    assert paths["data/train-00000-of-00001.parquet"]["rows"] == 5
    assert m["splits"] == {"train": {"rows": 5, "bytes": paths["data/train-00000-of-00001.parquet"]["bytes"]}}
    assert m["licenses"] == {"cc-by-4.0": 3, "cc-by-sa-4.0": 2}
    assert m["licenses_by_source"] == {"blog.example.net": {"cc-by-sa-4.0": 2}, "news.example.org": {"cc-by-4.0": 3}}
    assert m["parent_version"] is None
    # the only date comes from the captures, not the clock
    assert m["created"] == "2024-05-05T10:00:00Z"
    assert m["date_range"] == {"first_capture": "2024-05-01T10:00:00Z", "last_capture": "2024-05-05T10:00:00Z"}


def test_release_carries_plots_the_card_shows(built: tuple[Path, Path, Path]) -> None:
    from lxml import etree

    from archivist import report_html
    from archivist.release import tree_sha256

    _, records, release = built
    m = json.loads((release / "manifest.json").read_text())
    images = [f for f in m["files"] if f["role"] == "image"]
    assert [f["path"] for f in images] == [f"images/{n}.svg" for n in PLOTS]
    for f in images:
        svg = etree.fromstring((release / f["path"]).read_bytes())  # well-formed standalone SVG
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    # the plots are the release's own figures: the same as the report draws from the records
    figs = report_html.plots(records)
    for name in PLOTS:
        assert figs[name] in (release / f"images/{name}.svg").read_text(encoding="utf-8")
    # images describe the corpus: the tree hash covers data, index and rejects only
    corpus_files = [f for f in m["files"] if f["role"] in ("data", "index", "rejects")]
    assert m["tree_sha256"] == tree_sha256(corpus_files) == tree_sha256(m["files"])
    text = (release / "README.md").read_text(encoding="utf-8")
    glance = text.split("## Corpus at a glance", 1)[1].split("\n## ", 1)[0]
    for name in PLOTS:
        assert f"![{name}](images/{name}.svg)" in glance
    assert card.lint(text, m) == []
    assert any("images/languages.svg" in p for p in card.lint(text.replace("![languages](images/languages.svg)", ""), m))


def test_shards_sorted_by_id_with_deterministic_settings(built: tuple[Path, Path, Path]) -> None:
    release = built[2]
    t = pq.read_table(release / "data/train-00000-of-00001.parquet")
    ids = t["id"].to_pylist()
    assert ids == sorted(ids) and len(ids) == 5
    assert schema.record_schema().check(t.schema) == []
    idx = pq.read_table(release / "index/records-00000-of-00001.parquet")
    assert idx.column_names == ["id", "content_sha256", "shard", "row", "warc_filename", "warc_record_id", "license"]
    assert idx["row"].to_pylist() == list(range(5))


def test_two_publishes_are_byte_identical(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, records, release = built
    rf.publish(records, "1.0.0", tmp_path / "again")
    a, b = _tree(release), _tree(tmp_path / "again" / "1.0.0")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_rechunked_input_gives_identical_bytes(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """The same records split differently across record shards: every release byte equal."""
    _, records, release = built
    shards = sorted(p for p in records.glob("*.parquet") if not p.name.endswith(".rejects.parquet"))
    table = pa.concat_tables([pq.read_table(p) for p in shards])
    rechunked = tmp_path / "records"
    rechunked.mkdir()
    # reversed order, uneven pieces, default writer settings: nothing of this may reach the release
    order = list(reversed(range(table.num_rows)))
    pieces = [order[:1], order[1:4], order[4:]]
    for n, rows in enumerate(pieces):
        pq.write_table(table.take(rows), rechunked / f"part-{n}.parquet", row_group_size=1)
    for p in records.glob("*.rejects.parquet"):
        shutil.copy(p, rechunked / p.name)
    shutil.copy(records / "_inputs.json", rechunked / "_inputs.json")
    rf.publish(rechunked, "1.0.0", tmp_path / "releases")
    a, b = _tree(release), _tree(tmp_path / "releases" / "1.0.0")
    assert [k for k in a if a[k] != b.get(k)] == []


def test_republishing_is_a_noop_and_a_changed_release_is_refused(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, records, release = built
    before = _tree(release)
    rep = rf.publish(records, "1.0.0", release.parent)
    assert rep.counts["already_published"] == 1 and _tree(release) == before
    other = tmp_path / "other"
    _, other_records = rf.make_records(other, list("ab"))
    with pytest.raises(ReleaseError, match="exists with different contents"):
        rf.publish(other_records, "1.0.0", release.parent)
    assert _tree(release) == before


def test_card_front_matter_and_lint(built: tuple[Path, Path, Path]) -> None:
    release = built[2]
    text = (release / "README.md").read_text()
    m = json.loads((release / "manifest.json").read_text())
    fm, body = card.split_front_matter(text)
    assert fm is not None
    assert fm["license"] == "cc-by-4.0" and fm["pretty_name"] == "Tiny News"
    assert fm["language"] == ["en"] and fm["size_categories"] == ["n<1K"]
    assert fm["task_categories"] == ["text-generation"]
    assert fm["configs"][0] == {"config_name": "default", "default": True,
                                "data_files": [{"split": "train", "path": "data/train-*.parquet"}]}
    assert fm["dataset_info"]["splits"][0]["num_examples"] == 5
    assert fm["dataset_info"]["features"] == schema.record_schema().features_yaml()
    for section in ("Curation rationale", "Source data", "Preprocessing", "Uses", "Limitations",
                    "Personal and sensitive information", "Licensing"):
        assert f"## {section}" in body
    assert rf.DATASHEET["motivation"] in body and "| records | 5 |" in body
    assert card.lint(text, m) == []
    # huggingface_hub's own parser reads the header the same way
    from huggingface_hub import DatasetCard

    data = DatasetCard.load(release / "README.md").data
    assert data.license == "cc-by-4.0" and data.size_categories == ["n<1K"] and data.pretty_name == "Tiny News"
    assert [c["config_name"] for c in data.configs] == ["default", "index", "rejects"]


@pytest.mark.parametrize("old,new,expect", [
    ('license: "cc-by-4.0"', 'license: "cc-by-4.1"', "not a Hub licence id"),
    ('- "n<1K"', '- "n<2K"', "size_categories"),
    ('- split: "train"\n        path: "data/train-*.parquet"', '- "data/train-*.parquet"', "not {split, path}"),
    ('dtype: "int64"', 'dtype: "string"', "features differ"),
    ('num_examples: 5', 'num_examples: 6', "splits count 6 rows"),
])
def test_card_lint_catches(built: tuple[Path, Path, Path], old: str, new: str, expect: str) -> None:
    release = built[2]
    text = (release / "README.md").read_text()
    assert old in text
    m = json.loads((release / "manifest.json").read_text())
    problems = card.lint(text.replace(old, new, 1), m)
    assert any(expect in p for p in problems), problems


def test_load_dataset_offline(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """datasets reads the release folder through the card's configs: right rows and types."""
    release = built[2]
    code = (
        "import json, sys\n"
        "from datasets import load_dataset\n"
        "ds = load_dataset(sys.argv[1], split='train')\n"
        "print(json.dumps({'rows': ds.num_rows, 'features': {k: str(v) for k, v in ds.features.items()},"
        " 'first_id': ds[0]['id']}))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "HF_HOME": str(tmp_path / "hf")}
    r = subprocess.run([sys.executable, "-c", code, str(release)], env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["rows"] == 5
    f = out["features"]
    assert f["id"].startswith("Value('string'") or "string" in f["id"]
    assert "int64" in f["warc_record_offset"] and "bool" in f["is_kept"]
    assert "timestamp[ms, tz=UTC]" in f["captured_at"]
    assert "List" in f["outlinks"] or "list" in f["outlinks"].lower()
    ids = pq.read_table(release / "data/train-00000-of-00001.parquet", columns=["id"])["id"].to_pylist()
    assert out["first_id"] == ids[0]
