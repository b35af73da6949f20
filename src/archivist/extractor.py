"""From one page's bytes to the content fields of a record.

An HTML page is parsed once, with lexbor (selectolax): title, dates, authors, attribution and
links come from :mod:`archivist.metadata` reading that tree (the capture date bounds the
publication date), the main text from :mod:`archivist.maintext` walking it (one DOM walk plus
content heuristics); text dumps go through
:mod:`archivist.textpage`. This module knows
nothing about WARC or Parquet: it is the piece ``extract_text`` and ``extract-page`` share
with the shard extractor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import charset, maintext, textpage
from .boilerplate import SETTINGS as BOILERPLATE_SETTINGS
from .dedup_settings import SETTINGS as NEAR_DUP_SETTINGS
from .language import identify
from .metadata import credit_from_text, extract_metadata

EXTRACTOR_NAME = "archivist-maintext"

# Settings that change what extraction produces; their hash goes into every row.
SETTINGS: dict[str, Any] = {
    "html": {"engine": "maintext", "version": maintext.VERSION},
    "text": {"engine": "textpage", "min_prose_chars": textpage._MIN_PROSE},
    "language": {"engine": "py3langid+script", "min_letters": 6, "sample_chars": 1000},
    "metadata": {"engine": "archivist.metadata+lexbor", "date_order": ["jsonld", "meta", "url", "text"], "not_after_capture": True},
    "near_dup": NEAR_DUP_SETTINGS,
    "sitewide_boilerplate": BOILERPLATE_SETTINGS,
}

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_FLAT_METADATA_CHARS = 65_536
_TEXT_TYPES = ("text/plain",)


class NotExtractable(Exception):
    """The page has no text we can extract; ``reason`` is the reject code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass
class ExtractedDoc:
    text: str
    title: str | None = None
    canonical_url: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    published_source: str | None = None
    modified: datetime | None = None
    site_name: str | None = None
    description: str | None = None
    outlinks: list[dict[str, str | None]] = field(default_factory=list)
    source_attribution: str | None = None
    language: str | None = None
    language_confidence: float | None = None
    charset_declared: str | None = None
    charset_used: str | None = None
    visible_chars: int = 0


def extractor_id() -> str:
    from . import __version__

    return f"{EXTRACTOR_NAME}@{__version__}+{maintext.engine_id()}"


def extract_html(
    html: str, url: str | None, captured_at: datetime | None, *, raw: bytes | None = None, utf8: bool = False
) -> ExtractedDoc:
    """Every field from one lexbor parse: :mod:`metadata` reads the tree, then :mod:`maintext`
    (which strips scripts from it), then the credit is looked for in the main text.

    ``raw`` is the bytes ``html`` was decoded from with an ASCII-compatible charset; ``utf8``
    says that ``html.encode("utf-8")`` is exactly ``raw`` (a strict UTF-8 decode, no BOM).
    """
    from selectolax.lexbor import LexborHTMLParser, SelectolaxError

    from .htmlguard import byte_counts, problem

    counts = byte_counts(raw) if raw is not None else None
    if (why := problem(html, raw, counts=counts)) is not None:
        raise NotExtractable("pathological-html", f"{why}: the HTML parsers would take minutes")
    # Tens of thousands of unclosed tags (<option>, <rb>... can make the tree builder quadratic,
    # seconds to minutes): the text is read flat (see maintext) and the metadata comes from the
    # page's start, where the head and its declarations stand.
    source: str | bytes
    if utf8 and raw is not None and counts is not None and b"\x00" not in raw:
        # The text is the bytes' exact UTF-8 decoding without NUL (nothing to prepare): "<" and
        # "</" count the same in both, and lexbor gets the bytes it would encode the text into.
        lt = counts[0]
        flat = maintext.flat_by_counts(lt, raw.count(b"</") if lt > 30_000 else 0)
        source = raw
    else:
        html = maintext.prepare(html)
        flat = maintext.reads_flat(html)
        source = html
    try:
        tree = LexborHTMLParser(html[:_FLAT_METADATA_CHARS] if flat else source)
    except SelectolaxError as e:
        # An HTML5 parse fails on no markup: lexbor reports a failed allocation this way (the
        # sandbox turns MemoryError into a memory-limit reject).
        raise MemoryError(f"lexbor could not build the tree: {e}") from e
    h1s: list = []  # found by metadata's pass over the tree, for maintext's
    md = extract_metadata(tree, url, captured_at, h1s=h1s)
    main = maintext.extract(html, url) if flat else maintext.extract_tree(tree, h1s=h1s)
    credit_from_text(md, main.text)
    fields = {**vars(md), "title": md.title or main.title or None}  # PageMetadata's fields are ExtractedDoc's
    return ExtractedDoc(text=main.text.strip(), visible_chars=main.visible_chars, **fields)


def extract_bytes(
    raw: bytes,
    media_type: str,
    *,
    declared_content_type: str | None = None,
    url: str | None = None,
    captured_at: datetime | None = None,
) -> ExtractedDoc:
    """Decode and extract one page; raises NotExtractable with a reason code."""
    media_type = (media_type or "").lower()
    is_html = media_type.startswith(_HTML_TYPES) or (not media_type and b"<html" in raw[:2048].lower())
    if not is_html and not media_type.startswith(_TEXT_TYPES):
        raise NotExtractable("unsupported-media-type", f"media type {media_type or 'unknown'} is not HTML or text")
    if not raw or raw.isspace():
        raise NotExtractable("empty-payload", "the payload is empty")
    decision = charset.decide(raw, declared_content_type, html=is_html)
    text = charset.decode(raw, decision)
    if is_html:
        # A UTF-8 page that decoded strictly (no replacement, no BOM) is the UTF-8 form of its text.
        utf8 = decision.used == "utf-8" and decision.method != "bom" and not decision.errors
        doc = extract_html(text, url, captured_at, raw=raw if charset.ascii_compatible(decision.used) else None, utf8=utf8)
    else:
        tp = textpage.parse(text, captured_at)
        doc = ExtractedDoc(
            text=tp.text,
            title=tp.title,
            authors=tp.authors,
            published=tp.published,
            published_source="text" if tp.published else None,
            outlinks=tp.outlinks,
            source_attribution=tp.source_attribution,
            visible_chars=tp.visible_chars,
        )
    doc.charset_declared = decision.declared
    doc.charset_used = decision.used
    if not doc.text.strip():
        raise NotExtractable("empty-text", "no main text found")
    doc.language, doc.language_confidence = identify(doc.text)
    return doc
