"""Run-level pass: remove lines a site repeats on many of its pages (learned from the run itself).

Per-page extraction cannot know that "Subscribe to our morning briefing" closes every article of
a site; the corpus can. Each shard task saves, beside its shard, what the learner needs of its
rows (host, page hash, line hashes) taken from the text *before* any cleaning; after all shards,
one learner reads those files and only shards whose text changes are rewritten, row group by row
group, with quality signals and text hash recomputed. Because the statistics are of the raw text and saved per shard,
a resumed run learns exactly what an uninterrupted one does.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from .boilerplate import BoilerplateLearner, BoilerplateModel, page_keys
from .fsutil import atomic_path
from .parquet_stream import read_row_groups, rewrite_row_groups
from .quality import signals, text_sha256

if TYPE_CHECKING:
    from . import dedup

SUFFIX = ".sitelines.arrow"
_KEY_BYTES = 8
_SCHEMA = pa.schema([("host", pa.string()), ("page", pa.binary(16)), ("lines", pa.list_(pa.binary(_KEY_BYTES)))])


def stats_path(shard: Path) -> Path:
    return shard.with_name(shard.name.removesuffix(".parquet") + SUFFIX)


class StatsCollector:
    """The learner's view of a shard's rows, gathered while the rows are built (text in memory).

    A page's line keys are kept as one bytes object (its sorted 8-byte keys end to end), not as
    a list of them: some 8 bytes a line instead of 50, which a shard of thousands of pages with
    a hundred lines each would otherwise hold until its end.
    """

    def __init__(self) -> None:
        self.hosts: list[str] = []
        self.pages: list[bytes] = []
        self.lines: list[bytes] = []

    def add(self, url: str | None, text: str | None) -> None:
        if text:
            h, p, keys = page_keys(url, text)
            self.hosts.append(h)
            self.pages.append(p)
            self.lines.append(b"".join(sorted(keys)))

    def write(self, shard: Path) -> Path:
        counts = np.fromiter(map(len, self.lines), dtype=np.int32, count=len(self.lines)) // _KEY_BYTES
        offsets = np.zeros(len(self.lines) + 1, dtype=np.int32)
        np.cumsum(counts, out=offsets[1:])
        keys = pa.FixedSizeBinaryArray.from_buffers(pa.binary(_KEY_BYTES), int(offsets[-1]), [None, pa.py_buffer(b"".join(self.lines))])
        lines = pa.ListArray.from_arrays(pa.array(offsets), keys, type=_SCHEMA.field("lines").type)
        table = pa.table([self.hosts, self.pages, lines], schema=_SCHEMA)
        dest = stats_path(shard)
        with atomic_path(dest) as tmp, ipc.new_file(str(tmp), _SCHEMA) as w:
            w.write_table(table)
        return dest


def write_stats(shard: Path) -> Path:
    """Save the learner's view of an extracted shard, read back from it (the shard task gathers
    the same with a ``StatsCollector`` as it writes the rows)."""
    stats = StatsCollector()
    for batch in read_row_groups(shard, ["url", "text"]):
        for url, text in zip(batch["url"].to_pylist(), batch["text"].to_pylist(), strict=True):
            stats.add(url, text)
    return stats.write(shard)


def learn(shards: list[Path]) -> BoilerplateModel:
    """The run's model, from every shard's saved statistics (small; read in one process)."""
    learner = BoilerplateLearner()
    for s in shards:
        sp = stats_path(s)
        if not sp.exists():
            write_stats(s)  # a records folder from an older run: learn from what is there
        with ipc.open_file(str(sp)) as r:
            t = r.read_all()
        for h, p, keys in zip(t["host"].to_pylist(), t["page"].to_pylist(), t["lines"].to_pylist(), strict=True):
            learner.add_keys(h, p, set(keys))
    return learner.model()


def clean(shards: list[Path], map_fn: Callable[..., Iterable[Counter[str]]] = map) -> Counter[str]:
    """Learn the run's site boilerplate, then clean each shard (``map_fn`` may run shards in parallel)."""
    model = learn(shards)
    counts: Counter[str] = Counter()
    counts["sitewide_boilerplate_lines"] = sum(model.summary().values())
    if not counts["sitewide_boilerplate_lines"]:
        return counts
    for c in map_fn(clean_shard, shards, [model] * len(shards)):
        counts.update(c)
    return counts


def _nonempty(col: pa.Array) -> np.ndarray:
    """Indices of the non-empty strings of ``col`` (a null is empty), read off its offsets: a
    compute kernel here would import pandas (0.3 s) in a process that has no other use for it."""
    if col.null_count or not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return np.array([i for i, v in enumerate(col.to_pylist()) if v], dtype=np.int64)
    width = np.int64 if pa.types.is_large_string(col.type) else np.int32
    offsets = np.frombuffer(col.buffers()[1], dtype=width)[col.offset : col.offset + len(col) + 1]
    return np.flatnonzero(np.diff(offsets) > 0)


def clean_shard(shard: Path, model: BoilerplateModel) -> Counter[str]:
    """Remove ``model``'s lines from one shard's texts (rewritten only if one changes).

    Changed rows get their signals, text hash and MinHash signature anew, so the duplicate
    pass that follows finds everything it needs beside the shard.
    """
    from . import dedup

    counts: Counter[str] = Counter()
    rows = _candidate_rows(shard, model)
    if not (rows and _needs_cleaning(shard, model, rows)):
        return counts
    # New texts are signed as they come, a few at a time: holding them all until the end held
    # every cleaned text of the shard (most of its text column) at once.
    changed = dedup.SignatureCollector()
    rewrite_row_groups(shard, lambda t, start: _clean_group(t, start, rows, model, counts, changed))
    dedup.add_collected(shard, changed)
    return counts


def plan_shard(shard: Path, model: BoilerplateModel) -> tuple[list[int], dict[int, tuple[str, bytes]], Counter[str]]:
    """What ``clean_shard`` would change, without rewriting the shard: the rows whose text
    changes, each one's new text hash and MinHash signature, and the counts. The signatures are
    saved beside the shard as ``clean_shard`` saves them; ``rewrite_shard`` applies the rest."""
    from . import dedup

    counts: Counter[str] = Counter()
    rows = _candidate_rows(shard, model)
    if not rows:
        return [], {}, counts
    hashes: dict[int, str] = {}
    changed = dedup.SignatureCollector()  # signed as they come (see clean_shard)
    for row, url, text in _candidate_texts(shard, rows):
        new = model.clean(url, text)
        if new != text:
            hashes[row] = h = text_sha256(new)
            changed.add(h, new)
            counts["rows_cleaned_of_sitewide_boilerplate"] += 1
    known = dedup.add_collected(shard, changed)
    return sorted(hashes), {r: (h, known[h]) for r, h in hashes.items()}, counts


def rewrite_shard(shard: Path, model: BoilerplateModel, rows: list[int], marks: Any) -> bool:
    """Clean ``rows`` (as ``plan_shard`` found them) and set the mark columns (``dedup.Marks``) in
    one rewrite of the shard: the bytes that ``clean_shard`` then ``dedup.write_marks`` leave.
    Nothing is written when no row changes and the marks are those in the file (False then)."""
    from . import dedup

    new = dedup.mark_arrays(marks)
    if not rows and dedup.marks_unchanged(shard, new):
        return False
    rewrite_row_groups(shard, lambda t, start: dedup.set_marks(_clean_group(t, start, rows, model, Counter(), None), start, new))
    return True


def clean_and_mark(shards: list[Path], map_fn: Callable[..., Iterable[Any]] = map) -> Counter[str]:
    """``clean`` then ``dedup.mark``, with one rewrite of each shard instead of two.

    The cleaning is planned first (new text hashes and signatures of the rows it changes, no
    rewrite), the marks are computed with those, and each shard is rewritten once with both.
    Same files, side files and counts as the two passes one after the other.
    """
    from . import dedup

    model = learn(shards)
    counts: Counter[str] = Counter()
    counts["sitewide_boilerplate_lines"] = sum(model.summary().values())
    n = len(shards)
    plans: list[tuple[list[int], dict[int, tuple[str, bytes]], Counter[str]]] = [([], {}, Counter())] * n
    if counts["sitewide_boilerplate_lines"]:
        plans = list(map_fn(plan_shard, shards, [model] * n))
        for _, _, c in plans:
            counts.update(c)
    columns, marked = dedup.mark_columns(shards, [p[1] for p in plans])
    counts.update(marked)
    for _ in map_fn(rewrite_shard, shards, [model] * n, [p[0] for p in plans], columns):
        pass
    return counts


def _candidate_rows(shard: Path, model: BoilerplateModel) -> list[int]:
    """The rows (in order) whose text may hold a learned line, from the saved line hashes.

    ``model.clean`` leaves a text as it is when none of its lines is learned for its host, and
    also when all of them are (nothing would be left). Cleaning only ever removes lines, so the
    saved hashes of the raw text rule rows out for good, whether the shard was cleaned before
    or not. They stand for the rows with a non-empty text, in order; if their number does not
    match the shard's, every row is a candidate.
    """
    with ipc.open_file(str(stats_path(shard))) as r:
        t = r.read_all()
    flags = []
    for host, keys in zip(t["host"].to_pylist(), t["lines"].to_pylist(), strict=True):
        learned = model.lines.get(host)
        flags.append(bool(learned) and not learned.isdisjoint(keys) and not learned.issuperset(keys))
    if not any(flags):
        return []
    nonempty: list[int] = []
    total = 0
    for group in read_row_groups(shard, ["text"]):
        for chunk in group.column(0).chunks:
            nonempty += [total + i for i in _nonempty(chunk).tolist()]
            total += len(chunk)
    if len(nonempty) != len(flags):
        return list(range(total))
    return [row for row, may in zip(nonempty, flags, strict=True) if may]


def _needs_cleaning(shard: Path, model: BoilerplateModel, rows: list[int]) -> bool:
    return any(model.clean(url, text) != text for _, url, text in _candidate_texts(shard, rows))


def _candidate_texts(shard: Path, rows: list[int]) -> Iterator[tuple[int, str | None, str]]:
    """(row, url, text) of each of ``rows`` (ascending) of ``shard``, one row group in memory at a time."""
    want = iter(rows)
    nxt = next(want, None)
    start = 0
    for group in read_row_groups(shard, ["url", "text"]):
        urls, texts = group["url"], group["text"]
        while nxt is not None and nxt < start + group.num_rows:
            yield nxt, urls[nxt - start].as_py(), texts[nxt - start].as_py()
            nxt = next(want, None)
        if nxt is None:
            return
        start += group.num_rows


# The columns a cleaned row gets anew.
_CLEANED = ("text", "word_count", "line_count", "mean_line_length", "symbol_ratio", "boilerplate_ratio", "text_sha256")


def _clean_group(t: pa.Table, start: int, rows: list[int], model: BoilerplateModel, counts: Counter[str],
                 changed: dedup.SignatureCollector | None) -> pa.Table:
    """Clean the candidate rows of one row group; only the columns a cleaned row changes are rebuilt."""
    lo, hi = bisect.bisect_left(rows, start), bisect.bisect_left(rows, start + t.num_rows)
    if lo == hi:
        return t
    cols = {c: t.column(c).to_pylist() for c in _CLEANED}
    urls = t.column("url")
    done = 0
    for i in (r - start for r in rows[lo:hi]):
        text = cols["text"][i]
        new = model.clean(urls[i].as_py(), text)
        if new == text:
            continue
        # the page's visible text is unchanged: recover its size from the old ratio
        kept_old = len("".join(text.split()))
        ratio = cols["boilerplate_ratio"][i] or 0.0
        visible = round(kept_old / (1 - ratio)) if ratio < 1 else kept_old
        cols["text"][i] = new
        for c, v in signals(new, visible).items():
            cols[c][i] = v
        cols["text_sha256"][i] = h = text_sha256(new)
        if changed is not None:
            changed.add(h, new)
        counts["rows_cleaned_of_sitewide_boilerplate"] += 1
        done += 1
    if not done:
        return t
    for c, values in cols.items():
        at = t.schema.get_field_index(c)
        t = t.set_column(at, t.schema.field(c), pa.array(values, type=t.schema.field(c).type))
    return t
