"""Quality signals computed from the extracted text (cheap, per record)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WS = re.compile(r"\s+")
# Neither alphanumeric nor space: re's \w and \s are str.isalnum() (plus "_") and str.isspace().
_SYMBOL = re.compile(r"[^\w\s]|_")


# A word: one CJK character, or a run of anything else but space (re's \s is str.isspace()).
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\s\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")


def word_count(text: str) -> int:
    # CJK characters count one token each, as the extraction benchmark does.
    return len(_WORD.findall(text))


def normalise(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def text_sha256(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def signals(text: str, visible_chars: int) -> dict[str, float | int]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    chars = len(text)
    symbols = len(_SYMBOL.findall(text))
    kept = len(_WS.sub("", text))
    return {
        "word_count": word_count(text),
        "line_count": len(lines),
        "mean_line_length": round(sum(len(ln) for ln in lines) / len(lines), 2) if lines else 0.0,
        "symbol_ratio": round(symbols / chars, 4) if chars else 0.0,
        "boilerplate_ratio": round(max(0.0, 1 - kept / visible_chars), 4) if visible_chars else 0.0,
    }
