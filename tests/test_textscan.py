"""The fast per-row text functions give exactly what their regex definitions give.

``quality.signals``/``text_sha256``, ``boilerplate.page_keys``/``clean`` and ``dedup.signature``
were rewritten for speed (one class lookup per text, whole-text folding, cached word hashes);
the reference versions below are the definitions they replaced, kept verbatim, and the tests
compare both on random texts over all of Unicode, on edge cases, and on real bench pages.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
import zlib
from pathlib import Path

import numpy as np
import pytest

from archivist import boilerplate, dedup, quality, textscan

# -- reference definitions (as they were before the fast paths) --------------------------------

_WS = re.compile(r"\s+")
_SYMBOL = re.compile(r"[^\w\s]|_")
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\s\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
_TOKEN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+")
_DIGIT = re.compile(r"\d")


def ref_signals(text: str, visible_chars: int) -> dict[str, float | int]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    chars = len(text)
    symbols = len(_SYMBOL.findall(text))
    kept = len(_WS.sub("", text))
    return {
        "word_count": len(_WORD.findall(text)),
        "line_count": len(lines),
        "mean_line_length": round(sum(len(ln) for ln in lines) / len(lines), 2) if lines else 0.0,
        "symbol_ratio": round(symbols / chars, 4) if chars else 0.0,
        "boilerplate_ratio": round(max(0.0, 1 - kept / visible_chars), 4) if visible_chars else 0.0,
    }


def ref_text_sha256(text: str) -> str:
    norm = _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def _ref_norm(line: str) -> str:
    return _DIGIT.sub("0", " ".join(line.split()).casefold())


def _ref_key(norm: str) -> bytes:
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest()


def ref_page_keys(url: str | None, text: str) -> tuple[str, bytes, set[bytes]]:
    keys = {_ref_key(n) for ln in text.split("\n") if (n := _ref_norm(ln))}
    return boilerplate.host_of(url), hashlib.blake2b(_ref_norm(text).encode("utf-8"), digest_size=16).digest(), keys


def ref_clean(learned: frozenset[bytes], text: str) -> str:
    kept: list[str] = []
    removed = False
    for ln in text.split("\n"):
        n = _ref_norm(ln)
        if n and _ref_key(n) in learned:
            removed = True
            continue
        kept.append(ln)
    if not removed:
        return text
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return out if out else text


def ref_signature(text: str) -> np.ndarray:
    words = _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).casefold())
    if not words:
        return np.full(dedup.PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint32)
    wh = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))
    k = min(dedup.SHINGLE_WORDS, len(words))
    m = len(words) - k + 1
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h += wh[j : m + j] * dedup._POWERS[j]
        hv = np.unique(h >> np.uint64(32))
        phv = (hv[:, None] * dedup._A[None, :] + dedup._B[None, :]) >> np.uint64(32)
    return phv.min(axis=0).astype(np.uint32)


# -- texts --------------------------------------------------------------------------------------

_SPECIAL = list(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000_-.,;!?'\"0123456789"
                "\u0663\u06f4\u07c0\u0966\u00b2\u00bd\u2167ΣσςİıßﬁＡ가中ぁア\uf900\ufa0e\U0001F600\U00020000\U0001D7CEǅǄ\u0301")


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        size = rng.choice([0, 1, 2, 3, 7, 30, 300])
        if i % 3 == 0:  # any code point (no lone surrogates: real texts come from decoded bytes)
            chars = [chr(rng.choice([rng.randrange(0x80), rng.randrange(0xD800), rng.randrange(0xE000, 0x110000)]))
                     for _ in range(size)]
        else:  # words, spaces of every kind, digits, CJK, symbols
            chars = [rng.choice(_SPECIAL) if rng.random() < 0.4 else rng.choice("abc DEF\n\n xyz") for _ in range(size)]
        out.append("".join(chars))
    return out


_EDGE = ["", " ", "\n", "\n\n\n", "_", "a", "a_b", "  lead and trail  ", "x\u00a0y\u3000z", "line\r\nnext\u2028third\x85",
         "中文文本没有空格", "mixed 中文 and words", "ﬁne ＡＢＣ ①②", "ΟΔΟΣ ΟΔΟΣ", "\U0001F600 emoji \U0001F600",
         "© 2025 Site\nbody 12\n© 2026 Site", "word " * 20_000]


def _all_texts() -> list[str]:
    return _EDGE + _random_texts(1500, 11)


def test_class_table_is_the_str_predicates() -> None:
    cp = np.arange(0x110000, dtype=np.uint32)
    cp = cp[(cp < 0xD800) | (cp >= 0xE000)]
    cls = textscan.classes(cp)
    for c, k in zip(cp.tolist(), cls.tolist(), strict=True):
        ch = chr(c)
        assert bool(k & textscan.SPACE) == ch.isspace() == bool(re.fullmatch(r"\s", ch)), hex(c)
        assert bool(k & textscan.ALNUM) == ch.isalnum() == bool(re.fullmatch(r"[^\W_]", ch)), hex(c)
        assert bool(k & textscan.CJK_WORD) == bool(re.fullmatch(_WORD.pattern.split("|")[0], ch)), hex(c)
        assert bool(k & textscan.CJK_TOKEN) == bool(re.fullmatch(_TOKEN_RE.pattern.split("|")[0], ch)), hex(c)


def test_casefold_keeps_whitespace_and_line_feeds() -> None:
    # page_keys/clean fold a whole text and split it afterwards: this is what makes that exact.
    for c in map(chr, range(0x110000)):
        f = c.casefold()
        assert f, hex(ord(c))
        if c.isspace():
            assert f == c, hex(ord(c))
        else:
            assert not any(x.isspace() for x in f), hex(ord(c))


def test_signals_and_hash_equal_the_regex_definitions() -> None:
    for t in _all_texts():
        for visible in (0, 1, len(t), 10_000):
            assert quality.signals(t, visible) == ref_signals(t, visible), repr(t[:80])
        assert quality.text_sha256(t) == ref_text_sha256(t), repr(t[:80])
        assert quality.word_count(t) == len(_WORD.findall(t))


_NFKC_TRICKY = ["e", "\u0301", "\u0327", "\u05b0", "\u0bc6", "\u0bbe", "\u0bd7", "\u0b47", "\u0b3e", "\u1100", "\u1161", "\u11a8",
                "\uac00", "\u3131", "\u314f", "\u30ab", "\uff9e", "\u3099", "№", "ﬁ", "Ａ", "①", "\u00a0", " ", "a", "\n", "\u2126",
                "\u212b", "\u0344", "\u0f73", "\u0f71", "\u0f72", "\u0f80", "\U0001d15e", "\U0001d165", "\U00011099", "\U000110ba",
                "\u1b05", "\u1b35", "\u0915", "\u093c", "\u0958", "\u1e9b", "\u0323", "ж", "й", "\u0306", "\uf900", "\U0002f800"]


def test_nfkc_by_stretches_equals_normalize() -> None:
    # composing pairs (Latin + marks, Indic vowel signs, Hangul jamo by rule, kana + voiced
    # marks), compatibility characters that decompose into such pairs, marks out of order,
    # characters above the BMP; and random code points
    rng = random.Random(4)
    for _ in range(3000):
        t = "".join(rng.choice(_NFKC_TRICKY) for _ in range(rng.choice([1, 5, 64, 65, 100, 300])))
        assert quality.nfkc(t) == unicodedata.normalize("NFKC", t), repr(t)
    for t in _all_texts():
        assert quality.nfkc(t) == unicodedata.normalize("NFKC", t), repr(t[:80])
    assert quality.nfkc("Ж" * 70 + "№5") == "Ж" * 70 + "No5"


def test_nfkc_quiet_table_excludes_every_character_that_composes_with_the_one_before() -> None:
    quiet = textscan._quiet_table()
    for c in range(0x110000):
        d = unicodedata.decomposition(chr(c))
        if d and d[0] != "<" and len(d.split()) == 2:
            second = int(d.split()[1], 16)
            assert second >= 0x10000 or not quiet[second], hex(second)  # above the BMP: never quiet
    cp = np.array([0x41, 0x301, 0xBBE, 0x1161, 0x2116, 0x436, 0x1F600], dtype=np.uint32)
    assert textscan.nfkc_quiet(cp).tolist() == [True, False, False, False, False, True, False]


def test_signals_of_cjk_texts_equal_the_regex_definitions() -> None:
    # CJK characters are words one by one and end a run of other characters: counted from the
    # class table too (no regex fallback)
    rng = random.Random(8)
    chars = list("中文ぁアー・가힣\uf900\ufa0e abc_1.\n\u3000\u00a0")
    texts = ["中", "中文", "a中b", "中 a", " 中a ", "ab・c", *("".join(rng.choice(chars) for _ in range(rng.choice([1, 2, 5, 30, 200]))) for _ in range(500))]
    for t in texts:
        assert quality.signals(t, 50) == ref_signals(t, 50), repr(t)


def test_signals_with_a_lone_surrogate_fall_back_to_the_regexes() -> None:
    t = "ab \ud800 c_d!"
    assert quality.signals(t, 20) == ref_signals(t, 20)


def test_page_keys_and_clean_equal_the_per_line_definitions() -> None:
    texts = _all_texts()
    for t in texts:
        assert boilerplate.page_keys("https://www.example.com/a", t) == ref_page_keys("https://www.example.com/a", t), repr(t[:80])
    rng = random.Random(3)
    for t in texts:
        lines = [ln for ln in t.split("\n") if ln.strip()]
        learned = frozenset(_ref_key(_ref_norm(ln)) for ln in lines if rng.random() < 0.5)
        model = boilerplate.BoilerplateModel({"example.com": learned}, {"example.com": 1})
        assert model.clean("https://example.com/x", t) == ref_clean(learned, t), repr(t[:80])


def test_signature_equals_the_definition() -> None:
    long_text = " ".join(f"w{i}" for i in range(3 * dedup._SIG_CHUNK))  # more shingles than one chunk
    for t in [*_all_texts(), long_text]:
        assert dedup.signature(t).tobytes() == ref_signature(t).tobytes(), repr(t[:80])
    assert dedup.signature(long_text).dtype == np.uint32


def test_batched_signatures_equal_the_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    """``signatures`` (many texts tokenised, hashed and permuted together) gives each text's
    ``signature`` bit for bit, whatever texts share its batch: empty ones, CJK runs that begin
    or end inside a word, lone surrogates, one text longer than a chunk, batches of every size."""
    rng = random.Random(5)
    cjk = list("中文ぁアー・゛가힣abc _1\n\u3099\u30fb\uf900xé")
    mixed = ["".join(rng.choice(cjk) for _ in range(rng.choice([0, 1, 3, 8, 40]))) for _ in range(300)]
    long_text = " ".join(f"w{i}" for i in range(2 * dedup._SIG_CHUNK + 7))
    pool = [*_all_texts(), *mixed, long_text, "ab \ud800 c_d! words", "ab中文 中ab 中a文 ab・c ・・ _中_ 中_a", "one two three four"]
    expect = {t: ref_signature(t).tobytes() for t in pool}
    for size in (1, 2, 5, 16, 40, 200):
        for _ in range(6):
            batch = rng.sample(pool, size)
            got = dedup.signatures(batch)
            assert got.shape == (size, dedup.PERMUTATIONS) and got.dtype == np.uint32
            for t, g in zip(batch, got, strict=True):
                assert g.tobytes() == expect[t], repr(t[:80])
    assert dedup.signatures([]).shape == (0, dedup.PERMUTATIONS)
    # texts grouped by size (here: a few characters a group, long texts alone)
    monkeypatch.setattr(dedup, "_GROUP_CHARS", 50)
    batch = rng.sample(pool, 60)
    for t, g in zip(batch, dedup.signatures(batch), strict=True):
        assert g.tobytes() == expect[t], repr(t[:80])
    monkeypatch.undo()
    # a collector signs in batches: the same bytes as one text at a time
    c = dedup.SignatureCollector(batch=7)
    for i, t in enumerate(pool[:50]):
        c.add(str(i % 45), t)  # repeated hashes keep their first text
    c.flush()
    assert c.sigs == {str(i): dedup.signature(pool[i]).tobytes() for i in range(45)}
    assert list(c.sigs) == [str(i) for i in range(45)]


def test_tokens_equal_the_regex() -> None:
    for t in _all_texts():
        folded = unicodedata.normalize("NFKC", t).casefold()
        assert dedup._tokens(t) == _TOKEN_RE.findall(folded), repr(t[:80])


def test_on_real_pages(shared: Path) -> None:
    """Texts of real bench pages (extracted in this process): every function equals its definition."""
    from archivist.extractor import extract_bytes

    pages = sorted(p for p in (shared / "bench").rglob("*.html"))[:60]
    if not pages:
        pytest.skip("no bench pages")
    n = 0
    for p in pages:
        try:
            doc = extract_bytes(p.read_bytes(), "text/html", url="https://www.example.com/" + p.name)
        except Exception:
            continue
        t = doc.text
        assert quality.signals(t, doc.visible_chars) == ref_signals(t, doc.visible_chars), p
        assert quality.text_sha256(t) == ref_text_sha256(t), p
        assert boilerplate.page_keys("https://example.com/", t) == ref_page_keys("https://example.com/", t), p
        assert dedup.signature(t).tobytes() == ref_signature(t).tobytes(), p
        n += 1
    assert n >= 20
