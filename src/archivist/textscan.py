"""Character classes of a whole text at once (numpy), for counts that regexes made per match.

The per-record signals and the MinHash tokens are defined by regexes (``quality``, ``dedup``);
those regexes use ``re``'s Unicode classes, which are ``str.isspace()`` for ``\\s`` and
``str.isalnum()`` (plus "_") for ``\\w``. A table of those two predicates over the Basic
Multilingual Plane, built from the same ``str`` methods, classifies a text's code points in
one numpy lookup; the few code points above it are classified one by one. The callers keep
their regex for what the table does not cover (CJK runs, lone surrogates), so results are the
regexes' own, only reached faster (``tests/test_textscan.py`` checks both ways agree).
"""

from __future__ import annotations

import numpy as np

SPACE = 1  # str.isspace()
ALNUM = 2  # str.isalnum()
CJK_WORD = 4  # one word each in quality.word_count
CJK_TOKEN = 8  # one token each in dedup's shingles

_WORD_CJK = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xAC00, 0xD7AF))
_TOKEN_CJK = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF))
_BMP = 0x10000

_table: np.ndarray | None = None


def _class_of(c: str) -> int:
    return (SPACE if c.isspace() else 0) | (ALNUM if c.isalnum() else 0)


def _bmp_table() -> np.ndarray:
    global _table
    if _table is None:  # built on first use (about 10 ms), not at import: the sandbox worker never needs it
        t = np.fromiter(map(_class_of, map(chr, range(_BMP))), dtype=np.uint8, count=_BMP)
        for lo, hi in _WORD_CJK:
            t[lo : hi + 1] |= CJK_WORD
        for lo, hi in _TOKEN_CJK:
            t[lo : hi + 1] |= CJK_TOKEN
        _table = t
    return _table


def codepoints(text: str) -> np.ndarray | None:
    """The text's code points, or None if it holds a lone surrogate (the caller's regex decides then)."""
    try:
        return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return None


def classes(cp: np.ndarray) -> np.ndarray:
    """Class bits (SPACE | ALNUM | CJK_*) of each code point."""
    table = _bmp_table()
    if not cp.size or int(cp.max()) < _BMP:
        return table[cp]
    out = np.empty(cp.size, dtype=np.uint8)
    low = cp < _BMP
    out[low] = table[cp[low]]
    high = np.flatnonzero(~low)
    out[high] = [_class_of(chr(c)) for c in cp[high].tolist()]  # no CJK range reaches above the BMP
    return out


def alnum_runs(text: str) -> list[str] | None:
    """``re.findall(r"[^\\W_]+", text)`` when the text holds no CJK_TOKEN character, else None."""
    cp = codepoints(text)
    if cp is None:
        return None
    cls = classes(cp)
    if (cls & CJK_TOKEN).any():
        return None
    # Every character that is not alphanumeric becomes a space; what split() leaves are the runs.
    return np.where(cls & ALNUM, cp, np.uint32(0x20)).astype(np.uint32).tobytes().decode("utf-32-le").split()


# -- NFKC: which characters a normalisation may change or join to a neighbour ---------------------

_quiet: np.ndarray | None = None


def nfkc_quiet(cp: np.ndarray) -> np.ndarray:
    """True where a code point is NFKC-quiet: canonical class 0, NFKC leaves it as it is, and it
    never composes with a character before it. A text splits before such a character into parts
    that normalise independently (Unicode's "stable code points", UAX #15), and a run of them is
    already normalised, so only the stretches around the other characters need normalising.
    Above the BMP every code point counts as not quiet (normalised with its neighbours)."""
    table = _quiet_table()
    out = np.zeros(cp.size, dtype=bool)
    low = cp < _BMP
    out[low] = table[cp[low]]
    return out


def _quiet_table() -> np.ndarray:
    global _quiet
    if _quiet is None:  # built when a text first needs it (about 20 ms)
        import unicodedata

        t = np.fromiter((unicodedata.combining(c) == 0 and unicodedata.normalize("NFKC", c) == c for c in map(chr, range(_BMP))),
                        dtype=bool, count=_BMP)
        t[0xD800:0xE000] = False  # surrogates
        t[0x1100:0x1200] = False  # conjoining jamo: composed by rule (L+V, LV+T), not from the tables below
        # the second character of every canonical pair composes with the one before it
        for c in range(_BMP):
            d = unicodedata.decomposition(chr(c))
            if d and d[0] != "<":
                parts = d.split()
                if len(parts) == 2:
                    second = int(parts[1], 16)
                    if second < _BMP:
                        t[second] = False
        _quiet = t
    return _quiet
