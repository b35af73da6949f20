"""The vectorised n-gram count gives exactly py3langid's counts and ranking."""

from __future__ import annotations

import functools
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


@functools.cache
def _py3langid() -> LanguageIdentifier:
    """py3langid's own identifier, unpacked from its bundled model: the reference."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _reference(ident, data: bytes) -> dict[int, int]:  # type: ignore[no-untyped-def]
    ref = _py3langid()
    c = visit_counts(ref.tk_nextmove, ref._rowbase, ref.tk_output, data)
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
    ref = _py3langid()
    nm = np.asarray(ref.tk_nextmove)
    rowbase = np.asarray(ref._rowbase)
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
    ref = _py3langid()
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
    copies = list(tmp_path.glob("py3langid-*"))
    assert len(copies) == 1 and (copies[0] / "ptc32.npy").is_file()
    second = language._model_arrays()
    assert isinstance(second[0].base, np.memmap)  # mapped, not unpacked again
    ref = load_model(MODEL_DIR / MODEL_FILE)
    for got in (first, second):
        ptc, pc, classes, nextmove, row, output, tables = got
        built = language._tables_from(language._ngram_tables(ref[3], ref[4], ref[5]))
        assert (tables.byte_class, tables.root, tables.pad) == (built.byte_class, built.root, built.pad)
        assert np.array_equal(tables.next_row, built.next_row) and np.array_equal(tables.feature, built.feature)
        assert ptc.dtype == np.float32 and np.array_equal(ptc, ref[0]) and np.array_equal(pc, ref[1]) and classes == ref[2]
        assert np.array_equal(np.asarray(nextmove), np.frombuffer(ref[3], dtype=np.dtype(ref[3].typecode)))
        assert list(row) == list(ref[4]) and list(np.asarray(output)) == list(ref[5])


def test_unwritable_cache_still_loads(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ARCHIVIST_CACHE", str(blocker))
    ptc, *_ = language._model_arrays()
    assert ptc.shape[0] > 1000


def _scripts_by_regex(text: str) -> list[tuple[str, int]] | None:
    """language.scripts as it was written first: one regex pass per script (None where it goes
    on to its per-character count, code the tables do not replace)."""
    import re

    letters = len(re.findall(r"[^\W\d_]", text))
    c: dict[str, int] = {}
    found = 0
    for k, spans in language._RANGES.items():
        if found >= letters:
            break
        if n := len(re.findall(f"[{spans}]", text)):
            c[k] = n
            found += n
    if letters > 1.2 * sum(c.values()) + 2:
        return None
    return list(c.items())


def test_script_counts_equal_the_regex_counts() -> None:
    """The lookup tables count exactly what the per-script regexes counted, key order included."""
    rnd = random.Random(7)
    pools = [
        [chr(i) for i in range(128)] + list("éàüßøœ×÷ªµ²Ⅰ\u0300\u0660") + ["а", "一"],
        [chr(rnd.randrange(0x10000)) for _ in range(2000)],
        [chr(i) for i in range(0x370, 0x530)] + [chr(i) for i in range(0x3040, 0x3100)] + [chr(i) for i in range(0x4E00, 0x4E40)],
        ["\U0001F600", "\ud800", "x", "я", " "],  # astral and lone surrogates take the regex path
    ]
    for i in range(4000):
        pool = pools[i % len(pools)]
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(1, 90)))
        want = _scripts_by_regex(text)
        if want is not None:
            assert list(language.scripts(text).items()) == want, repr(text)


def test_restricted_choice_equals_py3langid_rank() -> None:
    """_classify_among gives the language and share py3langid's full ranking gives."""
    ident = language._identifier()
    texts = [s.decode("utf-8", "replace") for s in SAMPLES] + ["Der Bundestag hat am Dienstag das neue Gesetz beschlossen."]
    for text in texts:
        for allowed in (None, language._latin_langs(), frozenset(language._SCRIPT_LANGS["CYRILLIC"]), frozenset({"xx"})):
            ranked = ident.rank(text)
            if allowed:
                ranked = [(lang, p) for lang, p in ranked if lang in allowed] or ranked
            total = sum(p for _, p in ranked) or 1.0
            assert language._classify_among(text, allowed) == (ranked[0][0], ranked[0][1] / total)


def test_installs_of_one_model_share_a_copy_and_unused_copies_go(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A reinstall (same model file, new mtime) finds the copy made before instead of writing
    another 137 MB; copies no process has loaded for a week are removed, recent ones stay."""
    import os
    import shutil
    import time

    from py3langid.langid import MODEL_DIR, MODEL_FILE

    monkeypatch.setenv("ARCHIVIST_CACHE", str(tmp_path))
    stale, recent = tmp_path / "py3langid-0.4.0-4586720-1795468753807292875-f32", tmp_path / "py3langid-0.3.0-abc-f32"
    for old in (stale, recent):
        old.mkdir()
        (old / "ptc32.npy").write_bytes(b"x")
    week_ago = time.time() - 8 * 86400
    os.utime(stale, (week_ago, week_ago))
    language._model_arrays()
    copies = sorted(p.name for p in tmp_path.glob("py3langid-*"))
    assert len(copies) == 2 and recent.name in copies and stale.name not in copies

    # the same model under a new path and mtime, as a new virtual environment installs it
    moved = tmp_path / "site" / MODEL_FILE
    moved.parent.mkdir(parents=True)
    shutil.copyfile(MODEL_DIR / MODEL_FILE, moved)
    os.utime(moved, (week_ago, week_ago))
    monkeypatch.setattr("py3langid.langid.MODEL_DIR", tmp_path / "site")
    _ptc, *_ = language._model_arrays()
    assert sorted(p.name for p in tmp_path.glob("py3langid-*")) == copies
    assert isinstance(_ptc.base, np.memmap)  # mapped from the shared copy, not unpacked again
    assert len(list((tmp_path / "digests").iterdir())) == 2
