"""Site boilerplate learned from the corpus itself: lines that many pages of one host repeat.

The per-page extractor judges a page alone, so a disclaimer, a "subscribe" line or a
"most read" list that a site prints inside its article container can survive it. Across a
shard those lines give themselves away: they stand on a large share of the host's pages,
while an article's own lines stand on one page (or on two, when a story quotes another).

Two passes over the same rows, pure and deterministic (the result does not depend on row
order, and it depends only on the texts and URLs given). Per shard, or per run by feeding one
learner the rows of every shard before cleaning any:

    learner = BoilerplateLearner()
    for url, text in rows:            # pass 1: learn
        learner.add(url, text)
    model = learner.model()
    for url, text in rows:            # pass 2: clean
        text = model.clean(url, text)

A line is boilerplate for a host when it stands on at least ``min_pages`` distinct pages of
that host **and** on at least ``min_share`` of them. Pages are counted by distinct text (the
same article captured five times is one page, not five votes that its own lines repeat).
Lines are compared after case folding, whitespace collapsing and every digit read as 0
("© 2025" and "© 2026" are one line). Only line hashes are kept, so memory grows with the
number of distinct lines, not their length. A page made of nothing but learned boilerplate is
left unchanged: losing a record is worse than keeping a site's stub page.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["SETTINGS", "BoilerplateLearner", "BoilerplateModel", "clean_texts", "host_of", "learn"]

MIN_PAGES = 5
MIN_SHARE = 0.2
# Settings that change what cleaning produces (for a stage's settings hash).
SETTINGS = {"engine": "archivist.boilerplate", "version": 1, "min_pages": MIN_PAGES, "min_share": MIN_SHARE}

_DIGIT = re.compile(r"\d")


def host_of(url: str | None) -> str:
    """The host a page belongs to ("www." dropped, lower case); "" when the URL has none."""
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _norm(line: str) -> str:
    return _DIGIT.sub("0", " ".join(line.split()).casefold())


def _key(norm: str) -> bytes:
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest()


def _line_keys(text: str) -> set[bytes]:
    return {_key(n) for ln in text.split("\n") if (n := _norm(ln))}


def _folded_lines(text: str) -> list[str]:
    """``text.split("\n")`` with each piece case folded and its digits read as 0 (whitespace kept).

    One casefold and one digit pass over the whole text instead of one per line: both act
    character by character, and neither makes nor removes a line feed or any whitespace, so
    ``" ".join(piece.split())`` of each piece is that line's ``_norm``.
    """
    return _DIGIT.sub("0", text.casefold()).split("\n")


def page_keys(url: str | None, text: str) -> tuple[str, bytes, set[bytes]]:
    """What the learner keeps of one page: its host, a hash of its text, its line keys."""
    lines = [n for p in _folded_lines(text) if (n := " ".join(p.split()))]
    # _norm(text) is its non-empty lines' _norm joined by single spaces
    page = hashlib.blake2b(" ".join(lines).encode("utf-8"), digest_size=16).digest()
    return host_of(url), page, {_key(n) for n in set(lines)}


@dataclass
class BoilerplateLearner:
    """Pass 1: counts, per host, on how many distinct pages each line stands."""

    min_pages: int = MIN_PAGES
    min_share: float = MIN_SHARE
    _lines: dict[str, Counter[bytes]] = field(default_factory=dict)
    _pages: dict[str, set[bytes]] = field(default_factory=dict)

    def add(self, url: str | None, text: str | None) -> None:
        """Count one page's lines for its host (a page seen before under the same host counts once)."""
        if not text:
            return
        host = host_of(url)
        page = hashlib.blake2b(_norm(text).encode("utf-8"), digest_size=16).digest()
        seen = self._pages.setdefault(host, set())
        if page in seen:
            return
        seen.add(page)
        self._lines.setdefault(host, Counter()).update(_line_keys(text))

    def add_keys(self, host: str, page: bytes, keys: set[bytes]) -> None:
        """Count a page already reduced to (host, page hash, line keys), as ``page_keys`` gives it."""
        seen = self._pages.setdefault(host, set())
        if page in seen:
            return
        seen.add(page)
        self._lines.setdefault(host, Counter()).update(keys)

    def model(self) -> BoilerplateModel:
        learned: dict[str, frozenset[bytes]] = {}
        for host, counts in self._lines.items():
            n = len(self._pages.get(host, ()))
            need = max(self.min_pages, self.min_share * n)
            lines = frozenset(k for k, c in counts.items() if c >= need)
            if lines:
                learned[host] = lines
        return BoilerplateModel(learned, {h: len(p) for h, p in self._pages.items()})


@dataclass(frozen=True)
class BoilerplateModel:
    """Pass 2: removes a host's learned lines from its pages."""

    lines: dict[str, frozenset[bytes]]
    pages: dict[str, int]

    def is_boilerplate(self, url: str | None, line: str) -> bool:
        learned = self.lines.get(host_of(url))
        return bool(learned) and _key(_norm(line)) in learned  # type: ignore[operator]

    def clean(self, url: str | None, text: str) -> str:
        """``text`` without the host's boilerplate lines; unchanged if nothing (or nothing else) is left."""
        learned = self.lines.get(host_of(url))
        if not learned or not text:
            return text
        kept: list[str] = []
        removed = False
        for ln, folded in zip(text.split("\n"), _folded_lines(text), strict=True):
            n = " ".join(folded.split())  # _norm(ln)
            if n and _key(n) in learned:
                removed = True
                continue
            kept.append(ln)
        if not removed:
            return text
        out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
        return out if out else text

    def summary(self) -> dict[str, int]:
        """Learned lines per host (for a stage report)."""
        return {h: len(v) for h, v in sorted(self.lines.items())}


def learn(
    pages: Iterable[tuple[str | None, str | None]], *, min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE
) -> BoilerplateModel:
    """Pass 1 in one call: ``pages`` yields (url, text) pairs."""
    learner = BoilerplateLearner(min_pages=min_pages, min_share=min_share)
    for url, text in pages:
        learner.add(url, text)
    return learner.model()


def clean_texts(
    urls: list[str | None], texts: list[str], *, min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE
) -> tuple[list[str], BoilerplateModel]:
    """Both passes over one shard's rows in one call: the cleaned texts (same order) and the model."""
    model = learn(zip(urls, texts, strict=True), min_pages=min_pages, min_share=min_share)
    return [model.clean(u, t) for u, t in zip(urls, texts, strict=True)], model
