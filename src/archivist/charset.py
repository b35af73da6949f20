"""Deciding how a page's bytes are decoded.

Order, as browsers and the WHATWG encoding standard do it: a byte-order mark wins; then the
charset the transport declared (an HTTP header, or the ingest sidecar standing in for one);
then ``<meta charset>`` / ``http-equiv``; then a statistical detector. A declared charset that
cannot decode the bytes is recorded as declared but not used. Labels are mapped to the codec a
browser would use (``gb2312`` decodes as GB18030, ``iso-8859-1`` as windows-1252).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG label aliases that differ from Python's codec of the same name.
_WHATWG = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "l1": "windows-1252",
    "ascii": "windows-1252",
    "us-ascii": "windows-1252",
    "iso-8859-9": "windows-1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",  # the WHATWG name; Python only knows cp874
    "shift_jis": "shift_jis",
    "sjis": "shift_jis",
    "x-sjis": "shift_jis",
    "ms_kanji": "shift_jis",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}

_NOT_PAGE_CODECS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape",
                               "unicode_escape", "raw_unicode_escape"})

_META_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_HEADER_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# The prescan window browsers use for <meta charset>.
_PRESCAN = 1024 * 4


@dataclass(frozen=True)
class CharsetDecision:
    declared: str | None  # what the source said, normalised label (None if nothing said)
    used: str  # the Python codec name the text was decoded with
    method: str  # bom | http | meta | detected | fallback
    errors: int = 0  # characters replaced while decoding with `used`


def normalise_label(label: str | None) -> str | None:
    """A charset label as a Python codec name, or None if it names no codec."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WHATWG.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    name = info.name
    # rot13/base64/zip are bytes transforms, idna/punycode reject errors="replace", "undefined"
    # always raises: a page declaring one of these declares nothing usable.
    if not getattr(info, "_is_text_encoding", True) or name in _NOT_PAGE_CODECS:
        return None
    # Python reports some codecs by alias; prefer the web's spelling.
    web = {"cp1252": "windows-1252", "cp1251": "windows-1251", "cp1250": "windows-1250",
           "cp1253": "windows-1253", "cp1254": "windows-1254", "cp1256": "windows-1256",
           "cp874": "windows-874", "utf-8": "utf-8"}.get(name, name)
    try:  # Python knows no "windows-874" (found by fuzzing): keep only spellings it can decode with
        codecs.lookup(web)
    except LookupError:
        return name
    return web


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_RE.search(content_type)
    return m.group(1).lower() if m else None


def sniff_bom(raw: bytes) -> str | None:
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    return None


def sniff_meta(raw: bytes) -> str | None:
    m = _META_RE.search(raw[:_PRESCAN])
    return m.group(1).decode("ascii", "ignore").lower() if m else None


# The last strict decode that succeeded, so that ``decode`` right after ``decide`` (the usual
# pair) does not decode the same page twice: (payload, codec, text).
_LAST: tuple[bytes, str, str] | None = None


def _decodes(raw: bytes, codec: str) -> bool:
    global _LAST
    try:
        text = raw.decode(codec)
    except (UnicodeError, LookupError):
        return False
    _LAST = (raw, codec, text)
    return True


def _detect(raw: bytes) -> str | None:
    from charset_normalizer import from_bytes

    results = from_bytes(raw[: 1 << 18])
    best = results.best()
    if best is None:
        return None
    # Undeclared legacy pages are windows-1252 unless clearly not (the WHATWG default for
    # Western locales). The detector often ranks a Baltic/Central European code page first for
    # French or German text (chaos ties), which turns "à" into "ą"; prefer 1252 on a near tie.
    for m in results:
        if normalise_label(m.encoding) == "windows-1252" and m.chaos <= best.chaos + 0.05:
            return "windows-1252"
    return normalise_label(best.encoding)


def decide(raw: bytes, http_content_type: str | None = None, *, html: bool = True) -> CharsetDecision:
    """Pick the charset for ``raw`` (see module doc for the order)."""
    declared_label = charset_from_content_type(http_content_type)
    method = "http"
    if declared_label is None and html:
        declared_label, method = sniff_meta(raw), "meta"
    declared = normalise_label(declared_label) if declared_label else None

    bom = sniff_bom(raw)
    if bom:
        return CharsetDecision(declared=declared or bom, used=bom, method="bom")
    if declared and _decodes(raw, declared):
        return CharsetDecision(declared=declared, used=declared, method=method)
    if _decodes(raw, "utf-8"):
        return CharsetDecision(declared=declared, used="utf-8", method="detected")
    detected = _detect(raw)
    if detected:
        errors = _count_errors(raw, detected)
        return CharsetDecision(declared=declared, used=detected, method="detected", errors=errors)
    # Every byte maps to something in windows-1252 (but for five holes), so text survives.
    return CharsetDecision(declared=declared, used="windows-1252", method="fallback",
                           errors=_count_errors(raw, "windows-1252"))


def _count_errors(raw: bytes, codec: str) -> int:
    return raw.decode(codec, errors="replace").count("\ufffd") - raw.decode(codec, errors="ignore").count("\ufffd")


@cache
def ascii_compatible(codec: str) -> bool:
    """Whether ``codec`` writes ASCII characters as their ASCII bytes (UTF-16 and EBCDIC do not)."""
    try:
        return b"<=/ az".decode(codec) == "<=/ az"
    except (UnicodeError, LookupError):
        return False


def decode(raw: bytes, decision: CharsetDecision) -> str:
    global _LAST
    last, _LAST = _LAST, None  # held for one call only: no page outlives its own decoding
    if last is not None and last[0] is raw and last[1] == decision.used:
        text = last[2]  # a strict decode equals the lenient one
    else:
        text = raw.decode(decision.used, errors="replace")
    return text.removeprefix("\ufeff")
