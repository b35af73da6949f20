"""Exact and near-duplicate marks through a real ingest -> extract run."""

from __future__ import annotations

from pathlib import Path

from archivist import dedup
from tests._pipeline import page, rows_by_url, run

BASE = [
    "The harbour authority announced on Monday that the northern pier will close for repairs until the end of the summer season.",
    "Fishing boats that normally moor there will be moved to the southern basin, where temporary berths are being installed this week.",
    "Local traders said they feared a drop in visitors, since the pier hosts the weekly fish market and several small restaurants.",
    "The repairs follow an inspection last winter that found corroded steel supports under the oldest section of the structure.",
    "Engineers expect the work to cost about four million euros, most of it paid by the regional government and the port itself.",
    "A public meeting to present the schedule and answer questions from residents is planned for next Thursday evening at the town hall.",
]
OTHER = [
    "A rare orchid has been found growing in a disused railway cutting, botanists from the university confirmed on Friday afternoon.",
    "The plant had not been recorded in the county for more than sixty years, and its exact location is being kept secret for now.",
    "Volunteers will monitor the site through the flowering season and count the pollinating insects that visit the small colony.",
]


def test_exact_and_near_duplicates_are_marked_never_dropped(tmp_path: Path) -> None:
    near1 = page("Pier closes for repairs", BASE)
    near2 = page("Pier closes for repairs", [*BASE[:3], "Some owners have already booked berths in the neighbouring village instead.", *BASE[3:]])
    near3 = page("Pier closes for repairs", [*BASE[:5], "The mayor declined to comment on the cost overruns reported last month.", BASE[5]])
    exact = page("Orchid found", OTHER)
    pages = [
        ("n1.html", near1, "https://news.example/pier-b", "2026-03-02T10:00:00Z"),
        ("n2.html", near2, "https://news.example/pier-a", "2026-03-01T10:00:00Z"),  # earliest of the near cluster
        ("n3.html", near3, "https://news.example/pier-c", "2026-03-03T10:00:00Z"),
        # The same bytes twice would be a WARC revisit; these are two distinct payloads with the same text.
        ("e1.html", exact, "https://news.example/orchid", "2026-03-05T10:00:00Z"),
        ("e2.html", exact.replace("<html>", "<html lang='en'>"), "https://mirror.example/orchid", "2026-03-04T10:00:00Z"),
        ("u.html", page("Unrelated", [OTHER[0].replace("orchid", "fern"), BASE[0].replace("northern", "western")]), "https://news.example/u", "2026-03-01T09:00:00Z"),
    ]
    _, records, rep = run(tmp_path, pages)
    assert not rep.rejects, [r.detail for r in rep.rejects]
    rows = rows_by_url(records)
    assert len(rows) == 6  # nothing dropped

    n1, n2, n3 = rows["https://news.example/pier-b"], rows["https://news.example/pier-a"], rows["https://news.example/pier-c"]
    for r in (n1, n2, n3):
        assert r["near_dup_cluster"] == n2["id"], r["url"]
        assert r["exact_dup_cluster"] is None  # the texts differ by a sentence
    assert n2["is_kept"] and not n1["is_kept"] and not n3["is_kept"]

    e1, e2 = rows["https://news.example/orchid"], rows["https://mirror.example/orchid"]
    assert e1["text_sha256"] == e2["text_sha256"]
    assert e1["exact_dup_cluster"] == e2["exact_dup_cluster"] == e2["id"]  # earlier capture kept
    assert e2["is_kept"] and not e1["is_kept"]
    assert e1["near_dup_cluster"] is None and e2["near_dup_cluster"] is None  # copies are told by the exact mark

    u = rows["https://news.example/u"]
    assert u["exact_dup_cluster"] is None and u["near_dup_cluster"] is None and u["is_kept"]

    assert rep.counts["exact_dup_rows_marked"] == 1
    assert rep.counts["near_dup_clusters"] == 1 and rep.counts["near_dup_rows_marked"] == 2
    assert rep.counts["rows_kept"] == 3


def test_marks_are_deterministic_across_runs(tmp_path: Path) -> None:
    pages = [
        ("a.html", page("Pier", BASE), "https://x.example/a", "2026-03-01T00:00:00Z"),
        ("b.html", page("Pier", [*BASE, "One added closing sentence about the weather on the day of the meeting."]), "https://x.example/b", "2026-03-01T00:00:00Z"),
    ]
    _, r1, _ = run(tmp_path / "one", pages)
    _, r2, _ = run(tmp_path / "two", pages)
    s1 = sorted(p.name for p in r1.glob("*.parquet"))
    assert s1 == sorted(p.name for p in r2.glob("*.parquet"))
    for name in s1:
        assert (r1 / name).read_bytes() == (r2 / name).read_bytes(), name
    rows = rows_by_url(r1)
    # Same capture time: the smaller id is kept.
    kept = min(rows.values(), key=lambda r: r["id"])
    assert all(r["near_dup_cluster"] == kept["id"] for r in rows.values())
    assert [r["is_kept"] for r in rows.values()].count(True) == 1 and kept["is_kept"]


def test_signature_estimates_jaccard() -> None:
    a = " ".join(BASE)
    b = " ".join([*BASE, "A final sentence added to the article."])
    c = " ".join(OTHER)
    sa, sb, sc = dedup.signature(a), dedup.signature(b), dedup.signature(c)
    true_j = len(dedup.shingles(a) & dedup.shingles(b)) / len(dedup.shingles(a) | dedup.shingles(b))
    assert abs(float((sa == sb).mean()) - true_j) < 0.1
    assert float((sa == sc).mean()) < 0.1
    assert (dedup.signature(a) == sa).all()  # fixed seed
    assert dedup.near_pairs(__import__("numpy").vstack([sa, sb, sc])) == [(0, 1)]


def test_cjk_text_is_shingled_by_character() -> None:
    zh = "政府今天宣布了一项新的改革计划，将在明年春天开始实施，并将覆盖全国所有的城市和农村地区。"
    assert len(dedup.shingles(zh)) > 20
    assert float((dedup.signature(zh) == dedup.signature(zh + "专家表示欢迎。")).mean()) > 0.6


def test_saved_signatures_give_the_marks_computed_from_text(tmp_path: Path) -> None:
    """The shard task saves signatures beside the shard; marks made without them are identical."""
    import shutil

    import pyarrow.parquet as pq

    pages = [
        ("a.html", page("Pier", BASE), "https://x.example/a", "2026-03-01T00:00:00Z"),
        ("b.html", page("Pier", [*BASE, "One added closing sentence about the weather on the day of the meeting."]), "https://x.example/b", "2026-03-02T00:00:00Z"),
        ("c.html", page("Orchid", OTHER), "https://x.example/c", "2026-03-03T00:00:00Z"),
    ]
    _, records, rep = run(tmp_path / "one", pages)
    shards = sorted(p for p in records.glob("*.parquet") if not p.name.endswith(".rejects.parquet"))
    saved = [dedup.signatures_path(s) for s in shards]
    assert all(p.exists() for p in saved)
    known = dedup._known_signatures(shards[0])
    for row in pq.read_table(shards[0]).to_pylist():
        assert known[row["text_sha256"]] == dedup.signature(row["text"]).tobytes()

    bare = tmp_path / "bare"
    shutil.copytree(records, bare)
    for p in bare.glob(f"*{dedup.SIGNATURES_SUFFIX}"):
        p.unlink()
    bare_shards = sorted(p for p in bare.glob("*.parquet") if not p.name.endswith(".rejects.parquet"))
    counts = dedup.mark(bare_shards)
    assert counts["near_dup_rows_marked"] == rep.counts["near_dup_rows_marked"] == 1
    for a, b in zip(shards, bare_shards, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_shingle_hashes_are_one_per_distinct_shingle() -> None:
    texts = [" ".join(BASE), " ".join(OTHER), "one two three", "a b c d e a b c d e a b c d e", "港口管理局周一宣布北码头将关闭维修直到夏季结束"]
    for t in texts:
        assert len(dedup.shingle_hashes(t)) == len(dedup.shingles(t)), t
    # a shingle's hash depends on its words and their order only
    assert set(dedup.shingle_hashes("x y z w v")) == set(dedup.shingle_hashes("X  Y z, w. v!"))
    assert set(dedup.shingle_hashes("x y z w v")) != set(dedup.shingle_hashes("y x z w v"))


def _reference_pairs(sigs):  # type: ignore[no-untyped-def]
    """LSH as first written: a dict of every row's band keys, pairs checked one at a time."""
    from collections import defaultdict

    import numpy as np

    rows = dedup.PERMUTATIONS // dedup.BANDS
    buckets: dict = defaultdict(list)
    for i in range(len(sigs)):
        for b in range(dedup.BANDS):
            buckets[(b, sigs[i, b * rows : (b + 1) * rows].tobytes())].append(i)
    pairs = set()
    for members in buckets.values():
        for j in members[1:]:
            if np.mean(sigs[members[0]] == sigs[j]) >= dedup.THRESHOLD:
                pairs.add((members[0], j))
        if len(members) <= 50:
            for x, i in enumerate(members[1:], 1):
                for j in members[x + 1 :]:
                    if np.mean(sigs[i] == sigs[j]) >= dedup.THRESHOLD:
                        pairs.add((i, j))
    return pairs


def test_banding_by_sorting_finds_the_pairs_a_dict_of_buckets_finds() -> None:
    import numpy as np

    rng = np.random.RandomState(0)
    for trial in range(20):
        base = rng.randint(0, 2**32, size=(5, dedup.PERMUTATIONS), dtype=np.uint64).astype(np.uint32)
        sigs = base[rng.randint(0, 5, size=80)].copy()
        noise = rng.rand(*sigs.shape) < (0.03, 0.1, 0.25)[trial % 3]
        sigs[noise] = rng.randint(0, 2**32, size=int(noise.sum()), dtype=np.uint64).astype(np.uint32)
        got = dedup.near_pairs(sigs)
        assert got == sorted(set(got)) and set(got) == _reference_pairs(sigs), trial


def test_signatures_collected_as_texts_come_are_saved_as_from_the_texts(tmp_path: Path) -> None:
    """add_collected (texts signed as they come) leaves the shard's signature file that
    add_signatures (all texts held) leaves, and returns the same mapping."""
    texts = {f"h{i:03d}": f"text number {i} " + " ".join(f"w{(i * 7 + k) % 50}" for k in range(30)) for i in range(40)}
    texts["h005"] = texts["h004"]  # another hash, same text
    a, b = tmp_path / "a" / "s.parquet", tmp_path / "b" / "s.parquet"
    for shard in (a, b):
        shard.parent.mkdir()
        dedup._save_signatures(shard, {"h001": dedup.signature("already saved").tobytes()})
    want = dedup.add_signatures(a, texts)
    c = dedup.SignatureCollector(batch=3)
    for h, t in texts.items():
        c.add(h, t)
    got = dedup.add_collected(b, c)
    assert got == want
    assert dedup.signatures_path(a).read_bytes() == dedup.signatures_path(b).read_bytes()
    assert dedup.add_collected(b, dedup.SignatureCollector()) == {}
