"""Quality signals computed from the extracted text (cheap, per record)."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

import numpy as np

from . import textscan

_WS = re.compile(r"\s+")
# Neither alphanumeric nor space: re's \w and \s are str.isalnum() (plus "_") and str.isspace().
_SYMBOL = re.compile(r"[^\w\s]|_")


# A word: one CJK character, or a run of anything else but space (re's \s is str.isspace()).
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\s\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")


def word_count(text: str) -> int:
    # CJK characters count one token each, as the extraction benchmark does.
    return len(_WORD.findall(text))


@functools.lru_cache(maxsize=4)
def fold(text: str) -> str:
    """NFKC, then case folding: the first steps of both the text hash and dedup's tokens.

    Cached for the last few texts because a row's text is folded for its hash and then again
    for its MinHash signature.
    """
    return nfkc(text).casefold()


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, normalising only the stretches that can change.

    One "№" or full-width digit made ``normalize`` redo the whole text (some 80 us for a 2,000
    character page). A text splits into parts that normalise independently before every
    NFKC-quiet character (``textscan.nfkc_quiet``): each run of other characters is normalised
    together with the quiet character before it (which it may compose with), the rest is kept.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    cp = textscan.codepoints(text)
    if cp is None or len(text) < _NFKC_WHOLE:
        return unicodedata.normalize("NFKC", text)
    loud = ~textscan.nfkc_quiet(cp)
    edges = np.flatnonzero(np.diff(loud.view(np.int8), prepend=0, append=0))  # run starts and ends, paired
    parts = []
    kept = 0
    for start, end in zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True):
        start = max(start - 1, kept)
        parts.append(text[kept:start])
        parts.append(unicodedata.normalize("NFKC", text[start:end]))
        kept = end
    parts.append(text[kept:])
    return "".join(parts)


_NFKC_WHOLE = 64  # shorter texts: normalised whole


def normalise(text: str) -> str:
    # " ".join(s.split()) is _WS.sub(" ", s).strip(): both split on str.isspace() characters.
    return " ".join(fold(text).split())


def text_sha256(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def signals(text: str, visible_chars: int) -> dict[str, float | int]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    chars = len(text)
    counts = _counts(text)
    words, symbols, kept = counts if counts is not None else (word_count(text), len(_SYMBOL.findall(text)), len(_WS.sub("", text)))
    return {
        "word_count": words,
        "line_count": len(lines),
        "mean_line_length": round(sum(len(ln) for ln in lines) / len(lines), 2) if lines else 0.0,
        "symbol_ratio": round(symbols / chars, 4) if chars else 0.0,
        "boilerplate_ratio": round(max(0.0, 1 - kept / visible_chars), 4) if visible_chars else 0.0,
    }


def _counts(text: str) -> tuple[int, int, int] | None:
    """(words, symbols, non-space characters) from one class lookup; None where the regexes must decide."""
    cp = textscan.codepoints(text)
    if cp is None:
        return None
    cls = textscan.classes(cp)
    space = (cls & textscan.SPACE).astype(bool)
    kept = len(text) - int(np.count_nonzero(space))
    symbols = kept - int(np.count_nonzero(cls & textscan.ALNUM))  # "_" is neither, so it counts here too
    if not kept:
        return 0, symbols, kept
    cjk = (cls & textscan.CJK_WORD).astype(bool)
    words = 0
    if cjk.any():  # each CJK character is a word, and it ends a run of others as a space does
        words = int(np.count_nonzero(cjk))
        space |= cjk
    # A word starts at each non-space character that follows a space (or starts the text).
    words += int(not space[0]) + int(np.count_nonzero(space[:-1] & ~space[1:]))
    return words, symbols, kept
