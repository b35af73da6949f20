"""The vectorised n-gram count gives exactly py3langid's counts and ranking."""

from __future__ import annotations

import random

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

from archivist import language

SAMPLES = [
    b"",
    b"a",
    b"abcde",  # shorter than the automaton's depth
    b"abcdef",
    "été".encode(),
    b"The quick brown fox jumps over the lazy dog near the riverbank.",
    "Le président a annoncé mardi une nouvelle réforme des retraites.".encode(),
    "Президент заявил во вторник о новой пенсионной реформе.".encode(),
    "Ο πρόεδρος ανακοίνωσε την Τρίτη μια νέα μεταρρύθμιση.".encode(),
    "总统周二宣布了一项新的养老金改革。".encode(),
    "Prezydent ogłosił we wtorek nową reformę emerytalną.".encode(),
    bytes(range(256)) * 3,
]


def _reference(ident, data: bytes) -> dict[int, int]:  # type: ignore[no-untyped-def]
    c = visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data)
    return dict(c) if c else {}


def _ours(ident, data: bytes) -> dict[int, int]:  # type: ignore[no-untyped-def]
    idx, counts = language.ngram_counts(ident, data)
    return dict(zip(idx.tolist(), counts.tolist(), strict=True))


@pytest.mark.parametrize("data", SAMPLES, ids=range(len(SAMPLES)))
def test_counts_equal_py3langid(data: bytes) -> None:
    ident = language._identifier()
    assert _ours(ident, data) == _reference(ident, data)


def test_counts_equal_py3langid_on_random_bytes_and_text() -> None:
    ident = language._identifier()
    rnd = random.Random(7)
    alphabet = "abcdefghijklmnopqrstuvwxyz éèàüößñçłżźąęπλωдыщжю中文日本語한국어 .,;!?\n"
    for _ in range(200):
        data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 300)))
        assert _ours(ident, data) == _reference(ident, data)
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 400))).encode()
        assert _ours(ident, text) == _reference(ident, text)


def test_model_depth_is_the_window_the_count_assumes() -> None:
    """Breadth-first from the root: the deepest automaton state is MAX_NGRAM_BYTES bytes deep."""
    ident = language._identifier()
    nm = ident._np_nextmove
    rowbase = ident._np_rowbase
    seen = np.zeros(len(rowbase), dtype=bool)
    seen[0] = True
    frontier, depth = np.array([0]), 0
    while len(frontier):
        nxt = nm[(rowbase[frontier][:, None] + np.arange(256)[None, :]).ravel()]
        nxt = np.unique(nxt)
        nxt = nxt[~seen[nxt]]
        seen[nxt] = True
        if len(nxt):
            depth += 1
        frontier = nxt
    assert seen.all()
    assert depth == language.MAX_NGRAM_BYTES


def test_ranking_equals_py3langid() -> None:
    ours = language._identifier()
    ref = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    for data in SAMPLES[4:]:
        text = data.decode("utf-8", "replace")
        a, b = ours.rank(text), ref.rank(text)
        assert [lang for lang, _ in a[:5]] == [lang for lang, _ in b[:5]]
        assert np.allclose([p for _, p in a], [p for _, p in b], atol=1e-3)


def test_model_copy_in_the_cache_is_the_bundled_model(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The first load writes an uncompressed copy; the second maps it, and both equal py3langid's."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    monkeypatch.setenv("ARCHIVIST_CACHE", str(tmp_path))
    first = language._model_arrays()
    copies = list(tmp_path.iterdir())
    assert len(copies) == 1 and (copies[0] / "ptc32.npy").is_file()
    second = language._model_arrays()
    assert isinstance(second[0].base, np.memmap)  # mapped, not unpacked again
    ref = load_model(MODEL_DIR / MODEL_FILE)
    for got in (first, second):
        ptc, pc, classes, nextmove, row, output = got
        assert ptc.dtype == np.float32 and np.array_equal(ptc, ref[0]) and np.array_equal(pc, ref[1]) and classes == ref[2]
        assert np.array_equal(np.asarray(nextmove), np.frombuffer(ref[3], dtype=np.dtype(ref[3].typecode)))
        assert list(row) == list(ref[4]) and list(np.asarray(output)) == list(ref[5])


def test_unwritable_cache_still_loads(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ARCHIVIST_CACHE", str(blocker))
    ptc, *_ = language._model_arrays()
    assert ptc.shape[0] > 1000
