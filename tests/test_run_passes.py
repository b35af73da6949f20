"""The run-level passes' shortcuts change no byte.

``sitewide.clean_shard`` picks the rows that can change from the saved line hashes and
rebuilds only the columns a cleaned row changes; ``dedup.near_pairs`` checks each bucket's
member list once. Both are compared with the plain versions (every row cleaned, whole table
rebuilt; every bucket of every band checked) on the bytes they leave.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import archivist
from archivist import dedup, sitewide
from archivist.extract import _shard_task, extract_shard, find_warcs
from archivist.parquet_io import WRITE_OPTIONS
from archivist.parquet_stream import rewrite_row_groups
from archivist.quality import signals, text_sha256
from tests.helpers import article_html, write_pages
from tests.test_dedup import _reference_pairs

PROMO = "Subscribe to the Morning Ledger for the day's top stories, delivered before breakfast."
TOPICS = ["harbour", "school", "bridge", "museum", "market", "railway", "orchard", "theatre", "library", "ferry",
          "stadium", "canal", "airport", "hospital"]
PROMO2 = "Read the Ledger on your phone: our app is free for subscribers."


def _reference_clean_shard(shard: Path, model: sitewide.BoilerplateModel) -> Counter[str]:
    """clean_shard as it was: every row through model.clean, every row group rebuilt from Python rows."""
    counts: Counter[str] = Counter()
    needs = any(model.clean(u, t) != t for b in pq.ParquetFile(shard).iter_batches(columns=["url", "text"])
                for u, t in zip(b["url"].to_pylist(), b["text"].to_pylist(), strict=True))
    if not needs:
        return counts
    changed: dict[str, str] = {}

    def group(t: pa.Table, _start: int) -> pa.Table:
        rows = t.to_pylist()
        for row in rows:
            new = model.clean(row["url"], row["text"])
            if new == row["text"]:
                continue
            kept_old = len("".join(row["text"].split()))
            ratio = row["boilerplate_ratio"] or 0.0
            visible = round(kept_old / (1 - ratio)) if ratio < 1 else kept_old
            row["text"] = new
            row.update(signals(new, visible))
            row["text_sha256"] = text_sha256(new)
            changed[row["text_sha256"]] = new
            counts["rows_cleaned_of_sitewide_boilerplate"] += 1
        return pa.Table.from_pylist(rows, schema=t.schema)

    rewrite_row_groups(shard, group)
    dedup.add_signatures(shard, changed)
    return counts


def _pages(folder: Path) -> Path:
    pages = {}
    # (digits would not tell pages apart: the learner reads every digit as 0)
    for i, topic in enumerate(TOPICS):
        if i < 3:  # nothing but the site's lines: cleaning must leave these pages whole
            paras = [PROMO, PROMO2] if i else [PROMO2, PROMO]
        elif i < 5:  # no site line at all
            paras = [f"A story about the {topic}, told without any promotion at all, in full."]
        else:
            paras = [f"The council met about the {topic} and decided to wait.", PROMO,
                     f"A second paragraph about the {topic}, with its own facts and figures.", PROMO2]
        pages[f"p{i:02d}.html"] = (f"https://www.ledger.example/s/{i}", article_html(f"Story {i}", paras))
    return write_pages(folder, pages)


def _extracted(tmp_path: Path) -> Path:
    sidecar = _pages(tmp_path / "pages")
    archivist.api._ingest([str(tmp_path / "pages")], tmp_path / "archives", sidecar=sidecar, corpus_name="s")
    out = tmp_path / "pre"
    for w in find_warcs([tmp_path / "archives"]):
        _shard_task(w, out, None)
    # several row groups, so that the row → group bookkeeping is exercised
    for shard in out.glob("*.parquet"):
        if not shard.name.endswith(".rejects.parquet"):
            pq.write_table(pq.read_table(shard), shard, row_group_size=4, **WRITE_OPTIONS)
    return out


def _shards(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.parquet") if not p.name.endswith(".rejects.parquet"))


def _one_pass_and_two(pre: Path, tmp_path: Path) -> tuple[Path, Path, Counter[str], Counter[str]]:
    """Copies of ``pre``: one through ``clean_and_mark``, the other through ``clean`` then
    ``dedup.mark``; the folders and the counts of each."""
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(pre, one)
    shutil.copytree(pre, two)
    got = sitewide.clean_and_mark(_shards(one))
    want = sitewide.clean(_shards(two))
    want.update(dedup.mark(_shards(two)))
    return one, two, got, want


def _files(folder: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}


def test_clean_shard_leaves_the_bytes_of_the_plain_pass(tmp_path: Path) -> None:
    pre = _extracted(tmp_path)
    fast, ref = tmp_path / "fast", tmp_path / "ref"
    shutil.copytree(pre, fast)
    shutil.copytree(pre, ref)
    model = sitewide.learn(_shards(fast))
    assert model.lines, "the corpus must teach the learner some lines"
    got = sum((sitewide.clean_shard(s, model) for s in _shards(fast)), Counter())
    want = sum((_reference_clean_shard(s, model) for s in _shards(ref)), Counter())
    assert got == want and got["rows_cleaned_of_sitewide_boilerplate"] == 9
    assert _files(fast) == _files(ref)
    texts = [t for s in _shards(fast) for t in pq.read_table(s, columns=["text"])["text"].to_pylist()]
    assert sum(PROMO in t for t in texts) == 3  # the all-promo pages stay whole

    # Again over the cleaned shards, with a model that knows one more line (a resumed run that
    # learned more): the saved raw-text hashes still pick every row that can change.
    extra = {"ledger.example": model.lines["ledger.example"] | {sitewide.page_keys(None, "A second paragraph")[2].pop()}}
    bigger = sitewide.BoilerplateModel(extra, model.pages)
    for s_fast, s_ref in zip(_shards(fast), _shards(ref), strict=True):
        assert sitewide.clean_shard(s_fast, bigger) == _reference_clean_shard(s_ref, bigger)
    assert _files(fast) == _files(ref)


def test_clean_and_mark_leaves_the_bytes_and_counts_of_the_two_passes(tmp_path: Path) -> None:
    """One rewrite per shard for cleaning and marks: the same files, side files and counts as
    ``clean`` then ``dedup.mark``; run again (a resumed run), it changes nothing."""
    pre = _extracted(tmp_path)
    one, two, got, want = _one_pass_and_two(pre, tmp_path)
    assert list(got.items()) == list(want.items())
    assert got["rows_cleaned_of_sitewide_boilerplate"] == 9 and got["exact_dup_rows_marked"] >= 1
    assert _files(one) == _files(two) != _files(pre)
    stamps = {p.name: p.stat().st_mtime_ns for p in _shards(one)}
    again = sitewide.clean_and_mark(_shards(one))
    assert again["rows_cleaned_of_sitewide_boilerplate"] == 0 and again["rows_kept"] == got["rows_kept"]
    assert _files(one) == _files(two)
    assert {p.name: p.stat().st_mtime_ns for p in _shards(one)} == stamps  # nothing rewritten


def test_clean_and_mark_without_saved_signatures(tmp_path: Path) -> None:
    # the cleaned rows' signatures come from their new texts, not from the texts still in the file
    pre = _extracted(tmp_path)
    for p in pre.glob(f"*{dedup.SIGNATURES_SUFFIX}"):
        p.unlink()
    one, two, got, want = _one_pass_and_two(pre, tmp_path)
    assert list(got.items()) == list(want.items())
    assert _files(one) == _files(two)


def test_clean_shard_with_statistics_that_do_not_match_checks_every_row(tmp_path: Path) -> None:
    pre = _extracted(tmp_path)
    shard = next(p for p in pre.glob("*.parquet") if not p.name.endswith(".rejects.parquet"))
    model = sitewide.learn([shard])
    ref = tmp_path / "ref"
    shutil.copytree(pre, ref)
    # statistics of only the last rows: their count no longer matches the shard's (an unflagged shard is
    # left alone, as before: the statistics are trusted that far)
    stats = sitewide.StatsCollector()
    t = pq.read_table(shard, columns=["url", "text"])
    for u, x in zip(t["url"].to_pylist()[-5:], t["text"].to_pylist()[-5:], strict=True):
        stats.add(u, x)
    stats.write(shard)
    assert sitewide._candidate_rows(shard, model) == list(range(t.num_rows))
    sitewide.clean_shard(shard, model)
    _reference_clean_shard(ref / shard.name, model)
    assert shard.read_bytes() == (ref / shard.name).read_bytes()


def test_side_files_written_with_the_rows_equal_those_read_back(tmp_path: Path) -> None:
    pre = _extracted(tmp_path)
    warc = find_warcs([tmp_path / "archives"])[0]
    out = tmp_path / "plain"
    rep = extract_shard(warc, out, None)
    assert len(rep.outputs) == 2
    shard = Path(rep.outputs[0])
    pq.write_table(pq.read_table(shard), shard, row_group_size=4, **WRITE_OPTIONS)
    sitewide.write_stats(shard)
    dedup.write_signatures(shard)
    for name in (sitewide.stats_path(shard).name, dedup.signatures_path(shard).name):
        assert (out / name).read_bytes() == (pre / name).read_bytes(), name


def test_near_pairs_with_many_copies_and_big_buckets() -> None:
    rng = np.random.RandomState(5)
    for trial in range(8):
        base = rng.randint(0, 2**32, size=(4, dedup.PERMUTATIONS), dtype=np.uint64).astype(np.uint32)
        sigs = base[rng.randint(0, 4, size=160)].copy()  # buckets of ~40 copies, some above 50
        noise = rng.rand(*sigs.shape) < (0.0, 0.02, 0.12, 0.3)[trial % 4]
        sigs[noise] = rng.randint(0, 2**32, size=int(noise.sum()), dtype=np.uint64).astype(np.uint32)
        got = dedup.near_pairs(sigs)
        assert got == sorted(set(got)) and set(got) == _reference_pairs(sigs), trial


def test_near_pairs_in_small_batches(monkeypatch) -> None:
    """Buckets cut across batches, and buckets above 50 rows (checked against their first only)."""
    monkeypatch.setattr(dedup, "_CHECK_BATCH", 7)
    rng = np.random.RandomState(9)
    for trial in range(4):
        base = rng.randint(0, 2**32, size=(3, dedup.PERMUTATIONS), dtype=np.uint64).astype(np.uint32)
        sigs = base[rng.randint(0, 3, size=300)].copy()
        noise = rng.rand(*sigs.shape) < (0.0, 0.05, 0.15, 0.3)[trial]
        sigs[noise] = rng.randint(0, 2**32, size=int(noise.sum()), dtype=np.uint64).astype(np.uint32)
        got = dedup.near_pairs(sigs)
        assert got == sorted(set(got)) and set(got) == _reference_pairs(sigs), trial


def test_nonempty_rows_read_off_the_offsets_equal_the_plain_definition() -> None:
    """Sliced arrays, large strings and nulls (a null text is empty) give the plain answer."""
    import numpy as np
    import pyarrow as pa

    from archivist.sitewide import _nonempty

    values = ["a", "", "héllo", "", "", "xyz", "", "日本"]
    for typ in (pa.string(), pa.large_string()):
        arr = pa.array(values, type=typ)
        for start in range(len(values)):
            part = arr.slice(start)
            want = [i for i, v in enumerate(values[start:]) if v]
            assert _nonempty(part).tolist() == want
        with_null = pa.array(["a", None, "", "b"], type=typ)
        assert _nonempty(with_null).tolist() == [0, 3]
    assert isinstance(_nonempty(pa.array(["a"], type=pa.string())), np.ndarray)
