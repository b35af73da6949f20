"""Duplicate marks across all shards of a run: marked, never dropped.

Exact duplicates share ``text_sha256`` (normalised text). In each cluster the kept row is
the earliest capture (ties: the smallest id), and every member's ``exact_dup_cluster`` names
it, so "which row was kept, and what did this one duplicate" is one query.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa

from .parquet_io import read_table, write_table


def mark(shards: list[Path]) -> Counter[str]:
    keys: list[tuple[str, object, str, int]] = []  # (text_sha256, captured_at, id, shard index)
    for i, s in enumerate(shards):
        t = read_table(s, columns=["id", "text_sha256", "captured_at"])
        for h, c, rid in zip(t["text_sha256"].to_pylist(), t["captured_at"].to_pylist(), t["id"].to_pylist(), strict=True):
            keys.append((h, c, rid, i))

    clusters: dict[str, list[tuple[object, str, int]]] = defaultdict(list)
    for h, c, rid, i in keys:
        clusters[h].append((c, rid, i))

    cluster_of: dict[str, str] = {}
    kept: set[str] = set()
    counts: Counter[str] = Counter()
    for members in clusters.values():
        members.sort(key=lambda m: (m[0], m[1]))
        kept.add(members[0][1])
        if len(members) > 1:
            counts["exact_dup_clusters"] += 1
            counts["exact_dup_rows_marked"] += len(members) - 1
            for _, rid, _ in members:
                cluster_of[rid] = members[0][1]

    touched = {i for h, _, _, i in keys if len(clusters[h]) > 1}
    for i in sorted(touched):
        t = read_table(shards[i])
        ids = t["id"].to_pylist()
        cl = pa.array([cluster_of.get(r) for r in ids], type=pa.string())
        keep = pa.array([r in kept for r in ids], type=pa.bool_())
        t = t.set_column(t.schema.get_field_index("exact_dup_cluster"), t.schema.field("exact_dup_cluster"), cl)
        t = t.set_column(t.schema.get_field_index("is_kept"), t.schema.field("is_kept"), keep)
        write_table(t, shards[i])
    counts["rows_kept"] = sum(1 for _ in kept)
    return counts
