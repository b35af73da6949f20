"""The derived automaton tables (language.NgramTables) and the scores computed with them."""

from __future__ import annotations

import functools
import random

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

from archivist import language


@functools.cache
def _py3langid() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_tables_step_exactly_as_the_automaton() -> None:
    """Every (row, byte) of py3langid's automaton: the table's next row and feature are those of
    the state the automaton reaches."""
    ref = _py3langid()
    t = language._identifier()._ngram
    nm = np.asarray(ref.tk_nextmove).reshape(-1, 256)
    state_row = np.asarray(ref.tk_row)
    assert t.nrows == nm.shape[0]
    cls = np.frombuffer(t.byte_class, dtype=np.uint8)
    # reached[r, b]: the state the automaton reaches from row r on byte b
    assert np.array_equal(t.next_row[cls].T, state_row[nm])
    assert np.array_equal(t.feature[cls].T, np.asarray(ref.tk_output)[nm])
    assert t.root == state_row[0]
    assert len(t.pad) == language.MAX_NGRAM_BYTES - 1 and len(set(t.pad)) == 1
    assert nm[t.root, t.pad[0]] == 0  # the pad byte keeps the root state


def _py3langid_order_scores(ident, data: bytes) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Raw scores from py3langid's own per-byte count, summed in ascending feature order (the
    order of every archivist release so far, so that scores stay bit for bit the same)."""
    ref = _py3langid()
    c = visit_counts(ref.tk_nextmove, ref._rowbase, ref.tk_output, data)
    if not c:
        return np.zeros(len(ident.nb_classes), dtype=np.float32)
    idx = np.array(sorted(c), dtype=np.intp)
    counts = np.array([c[i] for i in sorted(c)], dtype=np.float32)
    return np.log1p(counts) @ ident.nb_ptc[idx] + ident.nb_pc


def test_scores_are_bit_identical_to_the_per_byte_count() -> None:
    ident = language._identifier()
    rnd = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyz ÉéèàüößñçłżźąęπλωΔдыщжюїєґ中文日本語한국어ไทยעבריתالعربيةहिन्दी .,;!?\n0123"
    texts = ["", "a", "abcde", "abcdef", "The quick brown fox jumps over the lazy dog near the riverbank."]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 1200))) for _ in range(150)]
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        assert ident._raw_score(data).tobytes() == _py3langid_order_scores(ident, data).tobytes(), text[:40]
    for _ in range(150):
        data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 300)))
        assert ident._raw_score(data).tobytes() == _py3langid_order_scores(ident, data).tobytes(), data[:40]


def test_counts_are_sorted_by_feature() -> None:
    ident = language._identifier()
    idx, counts = language.ngram_counts(ident, "Ein kurzer deutscher Satz über Häuser und Bäume.".encode())
    assert len(idx) > 10 and np.all(np.diff(idx) > 0) and counts.min() >= 1


def test_a_damaged_cache_copy_is_rebuilt_in_memory(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A cache folder with a truncated table still gives the right tables (unpacked again)."""
    monkeypatch.setenv("ARCHIVIST_CACHE", str(tmp_path))
    good = language._model_arrays()[6]
    (folder,) = tmp_path.glob("py3langid-*")
    table = folder / "ngram_feature.npy"
    table.write_bytes(table.read_bytes()[:1000])
    again = language._model_arrays()[6]
    assert np.array_equal(again.feature, good.feature) and np.array_equal(again.next_row, good.next_row)


def test_pair_table_is_two_steps_from_the_root() -> None:
    t = language._identifier()._ngram
    ncls = t.next_row.shape[0]
    one = t.next_row[:, t.root]  # the row one byte (of each class) from the root
    assert t.pair.shape == (ncls, ncls)
    assert np.array_equal(t.pair, np.array([[t.next_row[c1, one[c0]] for c1 in range(ncls)] for c0 in range(ncls)]))
