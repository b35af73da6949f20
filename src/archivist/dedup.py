"""Duplicate marks across all shards of a run: marked, never dropped.

Exact duplicates share ``text_sha256`` (normalised text). Near duplicates are found with
MinHash over 5-word shingles (128 permutations from a fixed seed) and LSH banding; a candidate
pair is joined only if its estimated Jaccard similarity reaches the threshold, and clusters are
the connected components of those pairs. In every cluster the kept row is the earliest capture
(ties: the smallest id); ``exact_dup_cluster`` / ``near_dup_cluster`` name it, and ``is_kept``
is false for every other member of either kind, so "which row was kept, and what did this one
duplicate" is one query. ``near_dup_cluster`` is set only where the cluster holds more than one
distinct text: plain copies are already told by the exact mark.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import textscan
from .dedup_settings import BANDS, PERMUTATIONS, SEED, SHINGLE_WORDS, THRESHOLD
from .memo import BoundedMemo
from .parquet_io import read_table
from .parquet_stream import read_row_groups
from .quality import fold

# One token per CJK character (no spaces to split on), else runs of letters/digits.
_TOKEN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+")


def _perms() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(SEED)
    a = rng.randint(1, (1 << 61) - 1, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(8) | np.uint64(1)  # odd, 64-bit
    b = rng.randint(0, (1 << 61) - 1, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(8)
    return a, b


_A, _B = _perms()
_B_COL = _B[:, None]


def shingles(text: str) -> set[str]:
    """The text's 5-word shingles (for inspection; ``signature`` hashes them without building strings)."""
    words = _tokens(text)
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def _tokens(text: str) -> list[str]:
    folded = fold(text)  # NFKC + casefold, shared with the text hash of the same row
    runs = textscan.alnum_runs(folded)
    return runs if runs is not None else _TOKEN_RE.findall(folded)


def _word_crc(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


# crc32 of a word's UTF-8, remembered: a corpus repeats most of its words. Bounded small: at
# 2**20 words (some 100 MB) a large multilingual run would carry the cache as the bulk of its
# memory; 2**16 words (a few MB) hold a language's frequent words.
_WORD_CACHE = 1 << 16
_crc = BoundedMemo(_word_crc, _WORD_CACHE)


# Shingle hash: a polynomial over the words' crc32 values, mod 2**64, upper 32 bits kept.
_ROLL = np.uint64(0x9E3779B97F4A7C15)
_POWERS = [np.uint64(pow(int(_ROLL), k, 1 << 64)) for k in range(SHINGLE_WORDS)]


def shingle_hashes(text: str) -> np.ndarray:
    """Distinct 32-bit hashes of the text's shingles, computed on word hashes with numpy."""
    return np.unique(_shingle_values(text))


def _shingle_values(text: str) -> np.ndarray:
    """The 32-bit hash of each shingle, in text order (repeats kept: a minimum does not need them gone)."""
    words = _tokens(text)
    if not words:
        return np.empty(0, dtype=np.uint64)
    wh = np.fromiter(map(_crc.__getitem__, words), dtype=np.uint64, count=len(words))
    k = min(SHINGLE_WORDS, len(words))
    m = len(words) - k + 1
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h += wh[j : m + j] * _POWERS[j]
    h >>= np.uint64(32)
    return h


# Shingles hashed at once by signature(): bounds its temporary array (PERMUTATIONS x this x 8 bytes).
_SIG_CHUNK = 8192


def signature(text: str) -> np.ndarray:
    """MinHash signature (PERMUTATIONS uint32 values) of the text's shingle set."""
    hv = _shingle_values(text)
    if not len(hv):
        return np.full(PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint32)
    # Multiply-shift hashing, (a*x + b) mod 2**64 with the upper 32 bits kept (a odd): a universal
    # family like datasketch's (a*x + b) mod p, without a 64-bit division per value.
    # The upper 32 bits of a minimum are the minimum of the upper 32 bits (shifting is monotone),
    # so the shift is applied to the 128 minima only.
    low: np.ndarray | None = None
    with np.errstate(over="ignore"):
        for at in range(0, len(hv), _SIG_CHUNK):
            phv = np.multiply.outer(_A, hv[at : at + _SIG_CHUNK])  # one permutation per row: min along rows
            phv += _B_COL
            part = phv.min(axis=1)
            low = part if low is None else np.minimum(low, part)
    assert low is not None
    return (low >> np.uint64(32)).astype(np.uint32)


# signatures(): shingle values hashed at once per group of texts, and permutations per pass.
# A pass holds _PERM_BLOCK x (at most _SIG_CHUNK) uint64 values (2 MB): small enough to stay in
# cache between the multiply, the add and the minimum, which touch it one after the other.
_PERM_BLOCK = 32
_U64_MAX = np.uint64(0xFFFFFFFFFFFFFFFF)


def signatures(texts: Sequence[str]) -> np.ndarray:
    """MinHash signatures of many texts at once: row i is ``signature(texts[i])``, bit for bit.

    Per text, numpy's fixed cost per call (some twenty calls) weighed as much as the hashing
    itself; here the texts are tokenised as one string, their shingles hashed as one array and
    permuted together, and each text's minima are taken from its own segment (``reduceat``).
    The minimum of a set does not depend on how it is cut, so grouping texts differently, or
    cutting a long one into chunks, gives the same values as ``signature``.
    """
    return _signatures_of_folded([fold(t) for t in texts])


def _signatures_of_folded(folded: list[str]) -> np.ndarray:
    out = np.empty((len(folded), PERMUTATIONS), dtype=np.uint32)
    at = 0
    while at < len(folded):
        # texts together up to _GROUP_CHARS (a longer one alone): the arrays made on the way
        # take some 30 bytes a character
        end, size = at + 1, len(folded[at])
        while end < len(folded) and size + len(folded[end]) <= _GROUP_CHARS:
            size += len(folded[end])
            end += 1
        hv, lens = _shingle_values_many(folded[at:end])
        out[at:end] = (_minima(hv, lens) >> np.uint64(32)).T
        at = end
    return out


_GROUP_CHARS = 1 << 20


def _word_hashes_many(folded: list[str]) -> list[np.ndarray]:
    """crc32 of each text's tokens (those of ``_tokens``), one array per text, found in one pass
    over the texts joined by a line feed (not alphanumeric: no token crosses it). A lone
    surrogate anywhere sends every text through ``_tokens``."""
    joined = "\n".join(folded)
    cp = textscan.codepoints(joined)
    if cp is None:
        return [_crc_array(_words_of_folded(f)) for f in folded]
    cls = textscan.classes(cp)
    alnum = (cls & textscan.ALNUM).astype(bool)
    cjk = (cls & textscan.CJK_TOKEN).astype(bool)
    if cjk.any():
        # _TOKEN_RE tries a CJK character first, else a run of alphanumerics: a run begun by a
        # non-CJK character goes on through CJK ones (they are alphanumeric) to its end, and
        # every other CJK character is a token alone. A character is in such a run when an
        # alphanumeric non-CJK one precedes it in its stretch of alphanumerics.
        stretch = np.cumsum(~alnum, dtype=np.int32)
        begun = np.maximum.accumulate(np.where(alnum & ~cjk, stretch, np.int32(-1)))
        in_run = alnum & (begun == stretch)
        alone = cjk & ~in_run
        first = np.flatnonzero(alone | (in_run & ~np.r_[False, in_run[:-1]]))
        # A lone CJK character gets a space on either side; anything outside tokens is a space.
        at = np.flatnonzero(alone)
        kept = np.insert(np.where(in_run | alone, cp, np.uint32(0x20)), np.concatenate([at, at + 1]), np.uint32(0x20))
    else:
        # Every character that is not alphanumeric becomes a space (textscan.alnum_runs).
        first = np.flatnonzero(alnum & ~np.r_[False, alnum[:-1]])
        kept = np.where(alnum, cp, np.uint32(0x20)).astype(np.uint32)
    words = kept.tobytes().decode("utf-32-le").split()
    starts = np.zeros(len(folded), dtype=np.int64)  # where each text starts in joined
    np.cumsum(np.fromiter(map(len, folded), dtype=np.int64, count=len(folded))[:-1] + 1, out=starts[1:])
    counts = np.bincount(np.searchsorted(starts, first, side="right") - 1, minlength=len(folded))
    return np.split(_crc_array(words), np.cumsum(counts)[:-1])


def _words_of_folded(folded: str) -> list[str]:
    runs = textscan.alnum_runs(folded)
    return runs if runs is not None else _TOKEN_RE.findall(folded)


def _crc_array(words: list[str]) -> np.ndarray:
    return np.fromiter(map(_crc.__getitem__, words), dtype=np.uint64, count=len(words))


def _shingle_values_many(folded: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every text's shingle values (``_shingle_values``) end to end, and how many each text has.

    The word hashes are laid out with four zeros after each text, so one pass of the polynomial
    over the whole array gives each text's shingles at its first positions: a text of k < 5
    words gets its one shingle over k words (the zeros add nothing), as ``_shingle_values`` does.
    """
    wh = _word_hashes_many(folded)
    n = np.fromiter(map(len, wh), dtype=np.int64, count=len(wh))
    pad = np.zeros(SHINGLE_WORDS - 1, dtype=np.uint64)
    w = np.concatenate([x for a in wh for x in (a, pad)])
    m = len(w) - (SHINGLE_WORDS - 1)
    h = w[:m] * _POWERS[0]
    for j in range(1, SHINGLE_WORDS):
        h += w[j : m + j] * _POWERS[j]
    h >>= np.uint64(32)
    lens = np.where(n > 0, np.maximum(n - (SHINGLE_WORDS - 1), 1), 0)
    at = np.zeros(len(n), dtype=np.int64)  # where each text's words start in w
    np.cumsum(n[:-1] + (SHINGLE_WORDS - 1), out=at[1:])
    first = np.zeros(len(n), dtype=np.int64)  # where each text's shingles start in the result
    np.cumsum(lens[:-1], out=first[1:])
    take = np.arange(int(lens.sum()), dtype=np.int64) + np.repeat(at - first, lens)
    return h[take], lens


def _minima(hv: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """(PERMUTATIONS, texts) minima of (a*x + b) mod 2**64 over each text's segment of ``hv``
    (all ones for a text without shingles: its signature is then all 0xFFFFFFFF)."""
    n = len(lens)
    low = np.full((PERMUTATIONS, n), _U64_MAX, dtype=np.uint64)
    ends = np.cumsum(lens)
    starts = ends - lens
    d = 0
    while d < n:
        if lens[d] > _SIG_CHUNK:  # a long text alone, cut into chunks
            for at in range(int(starts[d]), int(ends[d]), _SIG_CHUNK):
                part = hv[at : min(at + _SIG_CHUNK, int(ends[d]))]
                for p in range(0, PERMUTATIONS, _PERM_BLOCK):
                    m = np.multiply.outer(_A[p : p + _PERM_BLOCK], part)
                    m += _B_COL[p : p + _PERM_BLOCK]
                    np.minimum(low[p : p + _PERM_BLOCK, d], m.min(axis=1), out=low[p : p + _PERM_BLOCK, d])
            d += 1
            continue
        e = d + 1  # texts d..e-1 go together: at most _SIG_CHUNK shingles
        while e < n and lens[e] <= _SIG_CHUNK and ends[e] - starts[d] <= _SIG_CHUNK:
            e += 1
        ids = np.flatnonzero(lens[d:e]) + d  # reduceat cannot take an empty segment
        if ids.size:
            seg = hv[starts[d] : ends[e - 1]]
            cut = starts[ids] - starts[d]
            m = np.empty((_PERM_BLOCK, len(seg)), dtype=np.uint64)
            for p in range(0, PERMUTATIONS, _PERM_BLOCK):
                np.multiply(_A[p : p + _PERM_BLOCK, None], seg, out=m)
                m += _B_COL[p : p + _PERM_BLOCK]
                low[p : p + _PERM_BLOCK, ids] = np.minimum.reduceat(m, cut, axis=1)
        d = e
    return low


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def near_pairs(sigs: np.ndarray) -> list[tuple[int, int]]:
    """Index pairs whose estimated Jaccard similarity is at least THRESHOLD (LSH candidates, checked).

    Buckets are found by sorting each band's values (numpy), not in a dict of every row's band
    keys: the index takes 32 bytes a row and band instead of a dict entry, so marking a large
    run does not hold hundreds of bytes per row. In a bucket of up to 50 rows every pair is a
    candidate; in a bigger one each member with the bucket's first (linear; transitivity
    through the union-find joins the rest). Candidates are checked in batches, all buckets of
    one size together.
    """
    rows = PERMUTATIONS // BANDS
    n = len(sigs)
    pairs: set[tuple[int, int]] = set()
    # A bucket's candidates depend on its members only (whole signatures are compared, not the
    # band), and copies of one text share a bucket in every band: each member list goes once.
    checked: set[bytes] = set()
    for b in range(BANDS):
        band = np.ascontiguousarray(sigs[:, b * rows : (b + 1) * rows]).view(np.dtype((np.void, 4 * rows))).ravel()
        order = np.argsort(band, kind="stable")  # members of a bucket stay in row order
        sb = band[order]
        starts = np.flatnonzero(np.r_[True, sb[1:] != sb[:-1]])
        sizes = np.diff(np.r_[starts, n])
        for size in np.unique(sizes[sizes > 1]).tolist():
            at = starts[sizes == size]
            fresh = []
            for k, m in enumerate(order[at[:, None] + np.arange(size)]):
                key = m.tobytes()
                if key not in checked:
                    checked.add(key)
                    fresh.append(k)
            if not fresh:
                continue
            at = at[fresh]
            if size <= _ALL_PAIRS:
                p, q = np.triu_indices(size, k=1)
            else:
                p, q = np.zeros(size - 1, dtype=np.int64), np.arange(1, size)
            step = max(1, _CHECK_BATCH // len(p))  # buckets per batch: bounded memory whatever their number
            for i in range(0, len(at), step):
                part = at[i : i + step, None]
                _check(sigs, order[(part + p).ravel()], order[(part + q).ravel()], pairs)
    return sorted(pairs)


_ALL_PAIRS = 50  # buckets up to this size are checked pair by pair
_CHECK_BATCH = 1 << 12  # candidate pairs compared at once (two 512-byte rows each: 4 MB)


def _check(sigs: np.ndarray, first: np.ndarray, second: np.ndarray, pairs: set[tuple[int, int]]) -> None:
    """Add the candidate pairs (first[k], second[k]) whose signatures agree on THRESHOLD of their values."""
    for at in range(0, len(first), _CHECK_BATCH):  # a bucket bigger than a batch is cut
        f, s = first[at : at + _CHECK_BATCH], second[at : at + _CHECK_BATCH]
        ok = (sigs[f] == sigs[s]).mean(axis=1) >= THRESHOLD
        pairs.update(zip(f[ok].tolist(), s[ok].tolist(), strict=True))


SIGNATURES_SUFFIX = ".minhash.arrow"
_SIG_SCHEMA = pa.schema([("text_sha256", pa.string()), ("signature", pa.binary(4 * PERMUTATIONS))])


def signatures_path(shard: Path) -> Path:
    return shard.with_name(shard.name.removesuffix(".parquet") + SIGNATURES_SUFFIX)


class SignatureCollector:
    """MinHash signatures of a shard's texts by text hash, computed while the rows are built.

    Texts wait until ``batch`` of them are here and are signed together (``signatures``); the
    folded text is taken as each arrives, while the row's text hash has just folded it (cached).
    """

    def __init__(self, batch: int = 16) -> None:
        self.sigs: dict[str, bytes] = {}
        self.batch = batch
        self._pending: dict[str, str] = {}  # text hash -> folded text, in arrival order
        self._pending_chars = 0

    def add(self, text_hash: str, text: str | None) -> None:
        # the first text of a hash, as a re-read would take it
        if text_hash not in self.sigs and text_hash not in self._pending:
            self._pending[text_hash] = folded = fold(text or "")
            self._pending_chars += len(folded)
            if len(self._pending) >= self.batch or self._pending_chars >= _GROUP_CHARS:
                self.flush()

    def flush(self) -> None:
        """Sign the waiting texts."""
        if self._pending:
            for h, sig in zip(self._pending, _signatures_of_folded(list(self._pending.values())), strict=True):
                self.sigs[h] = sig.tobytes()
            self._pending = {}
            self._pending_chars = 0

    def write(self, shard: Path) -> Path:
        self.flush()
        return _save_signatures(shard, self.sigs)


def write_signatures(shard: Path) -> Path:
    """MinHash signatures of a shard's texts, keyed by text hash, beside the shard (read back from it).

    The shard task gathers the same with a ``SignatureCollector`` as it writes the rows, so the
    costly part of near-duplicate marking runs in parallel across shards; ``mark`` computes only
    what is missing.
    """
    sigs = SignatureCollector(batch=_MANY)
    for t in read_row_groups(shard, ["text", "text_sha256"]):
        for text, h in zip(t["text"].to_pylist(), t["text_sha256"].to_pylist(), strict=True):
            sigs.add(h, text)
    return sigs.write(shard)


def add_signatures(shard: Path, texts: dict[str, str]) -> dict[str, bytes]:
    """Add the signatures of new texts (by text hash) to a shard's saved ones (all returned)."""
    if not texts:
        return {}
    known = _known_signatures(shard)
    todo = {h: x for h, x in texts.items() if h not in known}
    for at in range(0, len(todo), _MANY):
        part = list(todo.items())[at : at + _MANY]
        known.update({h: sig.tobytes() for (h, _), sig in zip(part, signatures([x for _, x in part]), strict=True)})
    _save_signatures(shard, known)
    return known


def add_collected(shard: Path, collected: SignatureCollector) -> dict[str, bytes]:
    """Add a collector's signatures (new texts, by text hash) to a shard's saved ones (all
    returned): what ``add_signatures`` gives for the same texts, without holding the texts."""
    collected.flush()
    if not collected.sigs:
        return {}
    known = _known_signatures(shard)
    for h, sig in collected.sigs.items():
        known.setdefault(h, sig)
    _save_signatures(shard, known)
    return known


def _save_signatures(shard: Path, sigs: dict[str, bytes]) -> Path:
    import pyarrow.ipc as ipc

    from .fsutil import atomic_path

    dest = signatures_path(shard)
    with atomic_path(dest) as tmp, ipc.new_file(str(tmp), _SIG_SCHEMA) as w:
        w.write_table(pa.table([list(sigs), list(sigs.values())], schema=_SIG_SCHEMA))
    return dest


def _known_signatures(shard: Path) -> dict[str, bytes]:
    import pyarrow.ipc as ipc

    path = signatures_path(shard)
    if not path.exists():
        return {}
    try:
        with ipc.open_file(str(path)) as r:
            t = r.read_all()
    except (OSError, pa.ArrowInvalid):
        return {}  # damaged: recompute
    return dict(zip(t["text_sha256"].to_pylist(), t["signature"].to_pylist(), strict=True))


Marks = tuple[list[str | None], list[str | None], list[bool]]


def mark(shards: list[Path], map_fn: Callable[..., Iterable[Any]] = map) -> Counter[str]:
    """Mark exact and near duplicates across ``shards``; ``map_fn`` may rewrite shards in parallel."""
    columns, counts = mark_columns(shards)
    for _ in map_fn(write_marks, shards, columns):
        pass
    return counts


def mark_columns(shards: list[Path], replaced: list[dict[int, tuple[str, bytes]]] | None = None) -> tuple[list[Marks], Counter[str]]:
    """Each shard's mark columns, and the counts. ``replaced`` (per shard: row -> text hash and
    signature) stands for texts about to change (site-wide cleaning) that the files still hold."""
    ids: list[str] = []
    hashes: list[str] = []
    captured: list[Any] = []
    sizes: list[int] = []  # rows per shard, in shard order
    sig_parts: list[np.ndarray] = []
    for s in shards:
        known, start = _known_signatures(s), len(sig_parts)
        # Row group by row group: only one group's texts are in memory at a time.
        for t in pq.ParquetFile(s).iter_batches(columns=["id", "text_sha256", "captured_at"], batch_size=1000):
            batch_hashes = t["text_sha256"].to_pylist()
            ids += t["id"].to_pylist()
            hashes += batch_hashes
            captured += t["captured_at"].to_pylist()
            sig_parts += [np.frombuffer(known[h], dtype=np.uint32) if h in known else None for h in batch_hashes]
        for row, (h, sig) in (replaced[len(sizes)] if replaced else {}).items():
            hashes[start + row] = h
            sig_parts[start + row] = np.frombuffer(sig, dtype=np.uint32)
        sizes.append(len(sig_parts) - start)
        if any(x is None for x in sig_parts[start:]):
            _fill_missing(s, sig_parts, start)
    n = len(ids)
    order = {i: (captured[i], ids[i]) for i in range(n)}
    counts: Counter[str] = Counter()

    exact: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(hashes):
        exact[h].append(i)
    exact_kept: dict[int, int] = {}
    for members in exact.values():
        k = min(members, key=order.__getitem__)
        for i in members:
            exact_kept[i] = k
        if len(members) > 1:
            counts["exact_dup_clusters"] += 1
            counts["exact_dup_rows_marked"] += len(members) - 1

    uf = _UnionFind(n)
    if n > 1:
        for i, j in near_pairs(np.vstack(sig_parts)):
            uf.union(i, j)
    comps: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        comps[uf.find(i)].append(i)
    near_kept: dict[int, int] = {}
    for members in comps.values():
        if len({hashes[i] for i in members}) < 2:
            continue
        k = min(members, key=order.__getitem__)
        counts["near_dup_clusters"] += 1
        counts["near_dup_rows_marked"] += len(members) - 1
        for i in members:
            near_kept[i] = k

    exact_col = [ids[exact_kept[i]] if len(exact[hashes[i]]) > 1 else None for i in range(n)]
    near_col = [ids[near_kept[i]] if i in near_kept else None for i in range(n)]
    kept_col = [(near_kept[i] == i) if i in near_kept else (exact_kept[i] == i) for i in range(n)]
    counts["rows_kept"] = sum(kept_col)

    columns: list[Marks] = []
    start = 0
    for size in sizes:
        end = start + size
        columns.append((exact_col[start:end], near_col[start:end], kept_col[start:end]))
        start = end
    return columns, counts


def write_marks(shard: Path, columns: Marks) -> bool:
    """Set one shard's mark columns; the file is rewritten only if they change (True then)."""
    new = mark_arrays(columns)
    if marks_unchanged(shard, new):
        return False  # marks unchanged: leave the file's bytes alone
    _rewrite_marks(shard, new)
    return True


def mark_arrays(columns: Marks) -> dict[str, pa.Array]:
    exact, near, kept = columns
    return {
        "exact_dup_cluster": pa.array(exact, type=pa.string()),
        "near_dup_cluster": pa.array(near, type=pa.string()),
        "is_kept": pa.array(kept, type=pa.bool_()),
    }


def marks_unchanged(shard: Path, new: dict[str, pa.Array]) -> bool:
    marks = read_table(shard, columns=list(new))
    return all(marks[c].combine_chunks().equals(v) for c, v in new.items())


def set_marks(t: pa.Table, start: int, new: dict[str, pa.Array]) -> pa.Table:
    """One row group (its first row at ``start``) with the mark columns of ``new``."""
    for c, v in new.items():
        t = t.set_column(t.schema.get_field_index(c), t.schema.field(c), v.slice(start, t.num_rows))
    return t


def _fill_missing(shard: Path, sig_parts: list[Any], start: int) -> None:
    """Signatures of rows whose text has none saved (cleaned since, or an older records folder)."""
    i = start
    for t in read_row_groups(shard, ["text"]):
        texts = t["text"].to_pylist()
        missing = [k for k in range(len(texts)) if sig_parts[i + k] is None]
        for k, sig in zip(missing, signatures([texts[k] or "" for k in missing]), strict=True):
            sig_parts[i + k] = sig
        i += len(texts)


_MANY = 256  # texts signed together outside a shard task (their folded copies are held meanwhile)


def _rewrite_marks(shard: Path, new: dict[str, pa.Array]) -> None:
    """Replace the mark columns one row group at a time, keeping the shard's row groups."""
    from .parquet_stream import rewrite_row_groups

    rewrite_row_groups(shard, lambda t, start: set_marks(t, start, new))
