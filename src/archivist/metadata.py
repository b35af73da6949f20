"""Record metadata of an HTML page: title, canonical URL, authors, dates, site, description,
wire-agency attribution and outlinks.

Every field is read from the most explicit declaration first (JSON-LD, then ``<meta>``, then
the URL, then the visible byline), because publishers fill the machine-readable places more
carefully than the visible ones. A publication date later than the capture date cannot be true
(the page did not exist yet), so such a value is discarded and the next source is tried.

It reads the page's lexbor tree (selectolax), the same parse the main-text extractor then walks,
so a page is parsed once. Call :func:`extract_metadata` before
:func:`archivist.maintext.extract_tree`, which strips the scripts (and their JSON-LD) from the
tree; :func:`credit_from_text` then adds a credit found in the main text. Elements are found
with lexbor's CSS engine (in C); its attribute selectors are case-insensitive for some
attributes (``rel``, ``type``) and ASCII-folded with ``i``, so each CSS match is a superset that
an exact Python test narrows down. As in a browser, the content of a ``<template>`` is inert
markup outside the tree: its links are not the page's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .attribution import find_attribution, mentions_agency, normalise_agency
from .memo import BoundedMemo

_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "socialmediaposting", "liveblogposting",
    "techarticle", "scholarlyarticle", "report", "posting",
}
# Layout regions that hold site chrome rather than the page's own content.
_CHROME_TAGS = frozenset(("nav", "header", "footer"))
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass
class PageMetadata:
    title: str | None = None
    canonical_url: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    published_source: str | None = None
    modified: datetime | None = None
    site_name: str | None = None
    description: str | None = None
    source_attribution: str | None = None
    outlinks: list[dict[str, str | None]] = field(default_factory=list)


# ---------------------------------------------------------------- small helpers


def _clean(s: Any) -> str:
    return " ".join(str(s).split()) if s is not None else ""


def _metas(meta_nodes: list[LexborNode]) -> dict[str, list[str]]:
    """All ``<meta>`` values keyed by lowercased name/property/itemprop, in page order."""
    out: dict[str, list[str]] = {}
    for m in meta_nodes:
        a = m.attributes
        content = (a.get("content") or "").strip()
        if not content:
            continue
        for attr in ("name", "property", "itemprop", "http-equiv"):
            key = a.get(attr)
            if not key or not (key := key.strip().lower()):
                continue
            # itemprop may hold several tokens: itemprop="datePublished dateCreated"
            for k in {key, *key.split()} if " " in key or "\t" in key or "\n" in key else (key,):
                out.setdefault(k, []).append(content)
    return out


def _first(metas: dict[str, list[str]], *keys: str) -> str | None:
    for k in keys:
        for v in metas.get(k, []):
            if _clean(v):
                return _clean(v)
    return None


# ---------------------------------------------------------------- JSON-LD

# json.loads(raw, strict=False) without building a decoder for every script.
_JSON_DECODER = json.JSONDecoder(strict=False)
_CDATA_RE = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


def _jsonld_objects(scripts: list[LexborNode]) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = []
    for s in scripts:
        if (s.attributes.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = s.text().strip()
        if "<![CDATA[" in raw or "]]>" in raw:  # the regex tries its second branch at every character
            raw = _CDATA_RE.sub("", raw)
        if raw.startswith("\ufeff"):
            continue  # (json.loads refuses it)
        try:
            data = _JSON_DECODER.decode(raw)
        except ValueError:
            continue
        objs.extend(_flatten(data))
    return objs


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for d in data:
            yield from _flatten(d)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"])
        main = data.get("mainEntity")
        if isinstance(main, dict | list):
            yield from _flatten(main)


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    ts = t if isinstance(t, list) else [t]
    return {str(x).lower() for x in ts if x}


def _articles(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Article-like objects first, then the rest (a WebPage may carry the dates too)."""
    # (An object equal to an article object has its @type, so it is one: the split is by type
    # alone, without comparing whole JSON objects as ``o not in arts`` did.)
    kinds = [bool(_types(o) & _ARTICLE_TYPES) for o in objs]
    return [o for o, k in zip(objs, kinds, strict=True) if k] + [o for o, k in zip(objs, kinds, strict=True) if not k]


def _names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organisation value: a string, an object or a list of them."""
    if value is None:
        return []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    return [_clean(value)] if _clean(value) else []


# ---------------------------------------------------------------- dates

_MONTHS = {
    # en
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    # fr
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "decembre": 12,
    # de
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "juni": 6, "juli": 7, "oktober": 10, "dezember": 12,
    # es
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    # ru (genitive, as in dates)
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    # pl (genitive)
    "stycznia": 1, "lutego": 2, "marca": 3, "kwietnia": 4, "maja": 5, "czerwca": 6, "lipca": 7,
    "sierpnia": 8, "września": 9, "października": 10, "listopada": 11, "grudnia": 12,
    # it
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12,
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_TEXT_DATE_RES = [
    # 14 March 2026, 14 mars 2026, 14. März 2026, 14 de marzo de 2026, 14 марта 2026
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\.?\s+(?:de\s+)?(?P<m>{_MONTH_RE})\.?\s+(?:de\s+)?(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE),
    # March 14, 2026
    re.compile(rf"\b(?P<m>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE),
    # 2026-03-14
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<mn>[01]\d)-(?P<d>[0-3]\d)\b"),
    # 14.03.2026, 14/03/2026 (day first: the common order outside the US)
    re.compile(r"\b(?P<d>[0-3]?\d)[./](?P<mn>[01]?\d)[./](?P<y>(?:19|20)\d\d)\b"),
    # 2026年3月14日
    re.compile(r"(?P<y>(?:19|20)\d\d)年(?P<mn>[01]?\d)月(?P<d>[0-3]?\d)日"),
]
_URL_DATE_RES = [
    re.compile(r"/((?:19|20)\d\d)/([01]?\d)/([0-3]?\d)(?:/|$|[-_.])"),
    re.compile(r"[/_-]((?:19|20)\d\d)-([01]\d)-([0-3]\d)(?:[/_.-]|$)"),
    re.compile(r"/((?:19|20)\d\d)([01]\d)([0-3]\d)(?:/|[-_.]|$)"),
]


# Compiled once: these run for every declared date and name.
_ISO_SPACE_RE = re.compile(r"^(\d{4}-\d\d-\d\d) (\d)")
_ISO_OFFSET_RE = re.compile(r"([+-]\d\d)(\d\d)$")
_ISO_NANOS_RE = re.compile(r"(\.\d{6})\d+")
_YMD_DASH_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)")
_YMD_BARE_RE = re.compile(r"^(\d{4})(\d\d)(\d\d)$")




def parse_date(value: str | None) -> datetime | None:
    """A declared date (ISO 8601 in its common spellings, or RFC 2822) as aware UTC, else None.

    A date without a zone is taken as UTC (the page gives nothing better).
    """
    if value is None:
        return None
    if type(value) is not str:
        return _parse_date(value)
    return _DATE_CACHE[value]


def _parse_date(value: Any) -> datetime | None:
    v = _clean(value)
    if not v:
        return None
    dt: datetime | None = None
    iso = v.replace("Z", "+00:00").replace("z", "+00:00")
    # (Each substitution only where its pattern occurs: a template substitution calls into the
    # re module's Python code even when nothing matches.)
    if _ISO_SPACE_RE.search(iso):
        iso = _ISO_SPACE_RE.sub(r"\1T\2", iso)
    if _ISO_OFFSET_RE.search(iso):
        iso = _ISO_OFFSET_RE.sub(r"\1:\2", iso)  # +0100 -> +01:00
    if _ISO_NANOS_RE.search(iso):
        iso = _ISO_NANOS_RE.sub(r"\1", iso)  # nanoseconds -> micro
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        m = _YMD_DASH_RE.match(v) or _YMD_BARE_RE.match(v)
        if m:
            try:
                dt = datetime(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                dt = None
        else:
            try:
                dt = parsedate_to_datetime(v)
            except (TypeError, ValueError, IndexError):
                dt = None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0)


# declared string -> parse_date's answer: a page states its date in several places (JSON-LD,
# meta tags, <time>), the pages of one site often on the same days. (datetimes are immutable.)
_DATE_CACHE = BoundedMemo(_parse_date, 20_000)


def _ymd(y: str, m: str | int, d: str) -> datetime | None:
    try:
        return datetime(int(y), int(m), int(d), tzinfo=UTC)
    except ValueError:
        return None


def date_from_url(url: str | None) -> datetime | None:
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for rx in _URL_DATE_RES:
        m = rx.search(path)
        if m and (dt := _ymd(m[1], m[2], m[3])):
            return dt
    return None


def dates_in_text(text: str) -> Iterator[datetime]:
    for rx in _TEXT_DATE_RES:
        for m in rx.finditer(text):
            g = m.groupdict()
            month = g.get("mn") or _MONTHS.get(g["m"].lower().rstrip("."))
            if month and (dt := _ymd(g["y"], month, g["d"])):
                yield dt


def _admissible(dt: datetime | None, captured_at: datetime | None) -> bool:
    if dt is None or dt < _EARLIEST:
        return False
    return captured_at is None or dt <= _as_utc(captured_at)


def _as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


# ---------------------------------------------------------------- authors

_BYLINE_RE = re.compile(
    r"^\s*(?:by|par|von|por|di|door|av|от|автор[ы]?:?|autor(?:es|zy)?:?|de)\s+(?P<names>.+)$", re.IGNORECASE
)
# Conjunctions are matched in lower case only: "Sarah E. Needleman" holds no Italian "e".
_NAME_SPLIT_RE = re.compile(r"\s*[,;&]\s*|\s+(?:and|And|AND|et|und|y|e|i|и|oraz|ve|και|en)\s+")
_NOT_A_NAME_RE = re.compile(r"https?://|www\.|@|\d|[<>{}|/\\()\[\]\"“”«»=]")
_STOP_NAMES = {"the", "by", "a", "an", "and", "von", "par", "por", "de", "le", "la", "admin", "author", "anonymous", "unknown", "none", "null"}
_ROLE_RE = re.compile(
    r"\b(?:staff|writer|editor|editors|correspondent|reporter|contributor|contributing|columnist|analyst|at-large|"
    r"bureau|chief|producer|photographer|photos?|special to|wire services?|newsroom|redaktion|rédaction|redacción|"
    r"redazione|редакция|admin|administrator|team|desk|opinion|analysis|updated|published|comments?|editorial|subject|"
    r"video|content|headline)\b",
    re.IGNORECASE,
)
_CREDENTIAL_RE = re.compile(r"^(?:[A-Z]{1,4}|PhD|Ph\.D|MD|MSc|MBA|Jr|Sr|RN|CPT)\.?$")
_LEAD_IN_RE = re.compile(r"^.{0,40}?\b(?:by|par|von|por|door)\s+(?=[A-ZÀ-ÖØ-ÞА-Я])", re.IGNORECASE)
_TRAIL_RE = re.compile(r"\s+(?:on\s+|le\s+|am\s+|el\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day$|\s+on\s+\w+$", re.IGNORECASE)
_LABEL_RE = re.compile(r"^(?:text|texte|текст|words|author|authors|auteur|autor|автор|written by|story)\s*[:：]\s*", re.IGNORECASE)


def _good_name(name: str) -> bool:
    if not name or _NOT_A_NAME_RE.search(name) or _ROLE_RE.search(name) or _CREDENTIAL_RE.match(name):
        return False
    if name.casefold() in _STOP_NAMES or name[0].islower():  # "subject", "viewing our video": not names
        return False
    words = name.split()
    return 1 <= len(words) <= 5 and len(name) <= 60


_BYLINE_END_RE = re.compile(r"\s+[|•·—–]\s+|\s+-\s+|\bpublished\b|\bpublié\b|\bupdated\b|\bmis à jour\b", re.IGNORECASE)




def split_names(value: str) -> list[str]:
    """'By Ann Lee and Bo Chan' -> ['Ann Lee', 'Bo Chan']; drops the trailing date or role."""
    if type(value) is not str:
        return _split_names(value)
    return list(_SPLIT_CACHE[value])


def _split_names(value: Any) -> list[str]:
    v = _clean(value)
    m = _BYLINE_RE.match(v)
    if m:
        v = m["names"]
    # A byline often continues with a date or a role after a separator.
    v = _BYLINE_END_RE.split(v, maxsplit=1)[0]
    return [n.strip(" .,:;") for n in _NAME_SPLIT_RE.split(v) if n.strip(" .,:;")]


# byline string -> its names: the same bylines come back page after page.
_SPLIT_CACHE = BoundedMemo(lambda value: tuple(_split_names(value)), 20_000)


def _add_names(out: list[str], names: Iterable[str], site: str | None = None) -> None:
    names = list(names)
    if len(names) > 8:
        return  # a run of text split at commas, not a list of authors
    seen = {n.casefold() for n in out}
    site_key = _norm(site) if site else None
    for n in names:
        name = _AUTHOR_NAME_CACHE[n, site_key]
        if name is not None and (folded := name.casefold()) not in seen:
            seen.add(folded)
            out.append(name)




def _author_name(n: str, site_key: str | None) -> str | None:
    """The author name that a split name gives (labels, lead-ins, days and agencies taken off),
    or None when what is left is not a person's name or is the site itself."""
    n = _LABEL_RE.sub("", _clean(n).strip(" .,:;"))
    n = _LEAD_IN_RE.sub("", n)  # "Analysis by Chris Cillizza" -> "Chris Cillizza"
    n = _TRAIL_RE.sub("", n)  # "Minh Do on Monday" -> "Minh Do"
    words = n.split()
    # "ERIC TUCKER Associated Press": a trailing agency name is a credit, not part of the name
    for k in range(len(words) - 1, 0, -1):
        if normalise_agency(" ".join(words[k:])):
            n = " ".join(words[:k])
            break
    key = _norm(n)
    if site_key and key and (key in site_key or site_key in key) and not normalise_agency(n):
        return None  # the outlet itself ("CNN Business") is not an author
    return n if _good_name(n) else None

# (name as split, normalised site name) -> the author name it gives, or None. Bylines repeat from
# page to page (staff writers, one site's pages in a WARC) and each name costs a dozen regexes.
_AUTHOR_NAME_CACHE = BoundedMemo(lambda key: _author_name(*key), 50_000)


def _classy(attrs: dict[str, str | None], *words: str) -> bool:
    cls = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
    return any(w in cls for w in words)


def _class_id(attrs: dict[str, str | None]) -> str:
    """class and id joined as XPath's concat(@class, ' ', @id) would: one string to search."""
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


# CSS supersets, narrowed in Python (see the module docstring).
_BYLINE_CSS = ", ".join(
    ['[rel="author" i]', '[itemprop="author" i]']
    + [f'[{a}*="{w}" i]' for w in ("yline", "uthor") for a in ("class", "id")]
)
_NOT_BYLINE_TAGS = frozenset(("meta", "link", "script", "style"))
_DATE_CLASS_CSS = ", ".join(f'[{a}*="{w}" i]' for w in ("date", "time", "ublish") for a in ("class", "id"))
_NOT_DATE_TAGS = frozenset(("meta", "link", "script", "style", "html", "body"))
# Share bars, consent banners, menus, breadcrumbs: chrome inside the body, told by class or role.
_CHROME_CLASS_RE = re.compile(r"share|social|cookie|consent|\bcmp|breadcrumb|menu|skip|login|subscribe|comment", re.IGNORECASE)
_CHROME_ROLES = {"navigation", "banner", "contentinfo"}
_CHROME_CLASS_WORDS = ("menu", "share", "social", "comment", "breadcrumb", "cookie", "consent", "skip", "login", "subscribe")
_CMP_RE = re.compile(r"\bcmp")
# An anchor below a chrome tag is chrome whatever its classes (see _outlinks).
_ANCHORS_OUTSIDE_CHROME_TAGS_CSS = "a[href]:not(" + ", ".join(f"{t} a" for t in sorted(_CHROME_TAGS)) + ")"
_ITEMPROP_DATE_CSS = '[itemprop*="datepublished" i]'
_NO_TEXT_TAGS = frozenset(("script", "style"))


def _in_form(node: LexborNode) -> bool:
    p = node.parent
    while p is not None:
        if p.tag == "form":
            return True
        p = p.parent
    return False


class _Page:
    """One page's tree and what several fields ask of it, found once and only when asked."""

    def __init__(self, tree: LexborHTMLParser) -> None:
        self.tree = tree
        self.body = tree.body
        self._bylines: list[LexborNode] | None = None
        # One pass of lexbor's CSS engine for the few elements of the head every page needs
        # (each pass costs ~10 us on a news page, most of it the walk itself); the anchors,
        # hundreds of them, have a query of their own (see ``anchors``) so that no anchor's tag
        # is read back into Python.
        self.of_tag: dict[str, list[LexborNode]] = {"meta": [], "script": [], "link": [], "h1": []}
        for el in tree.css("meta[content], script[type], link[rel], h1"):
            self.of_tag[el.tag or ""].append(el)

    def anchors_outside_chrome_tags(self) -> list[LexborNode]:
        """Every ``a[href]`` of the page that has no nav/header/footer above it, in document order.

        Most links of a news page stand in its menus, header and footer: lexbor tells them
        apart in C (ancestor tags only), and :func:`_outlinks` judges the rest by class and role.
        """
        return self.tree.css(_ANCHORS_OUTSIDE_CHROME_TAGS_CSS)

    def byline_elements(self) -> list[LexborNode]:
        if self._bylines is None:
            out = []
            for el in self.tree.css(_BYLINE_CSS):
                if el.tag in _NOT_BYLINE_TAGS:
                    continue
                a = el.attributes
                ci = _class_id(a)
                if (a.get("rel") == "author" or a.get("itemprop") == "author" or "yline" in ci or "uthor" in ci) and not _in_form(el):
                    out.append(el)
            self._bylines = out
        return self._bylines

    def date_class_elements(self) -> Iterator[LexborNode]:
        for el in self.tree.css(_DATE_CLASS_CSS):
            if el.tag in _NOT_DATE_TAGS:
                continue
            ci = _class_id(el.attributes)
            if "date" in ci or "Date" in ci or "time" in ci or "ublish" in ci:
                yield el

    def first_h1(self) -> LexborNode | None:
        return self.body.css_first("h1") if self.body is not None else None


# ---------------------------------------------------------------- main entry


def extract_metadata(
    tree: LexborHTMLParser,
    url: str | None,
    captured_at: datetime | None,
    *,
    content_root: LexborNode | None = None,
    h1s: list[LexborNode] | None = None,
) -> PageMetadata:
    """All metadata fields of one page from its lexbor tree (which it does not change).

    ``source_attribution`` comes from the page's declarations here (JSON-LD, an agency among
    the authors); :func:`credit_from_text` then looks for a credit in the main text.
    ``content_root`` is the element holding the main content, when the caller knows it: the
    outlinks are then taken from it alone. ``h1s``, when given, receives the page's h1 elements
    (document order) from the same pass, for :func:`archivist.maintext.extract_tree`.
    """
    page = _Page(tree)
    if h1s is not None:
        h1s.extend(page.of_tag["h1"])
    metas = _metas(page.of_tag["meta"])
    objs = _articles(_jsonld_objects(page.of_tag["script"]))
    md = PageMetadata()

    md.site_name = _first(metas, "og:site_name", "application-name", "twitter:site:name") or _jsonld_site(objs)
    if md.site_name:
        md.site_name = md.site_name.lstrip("@") or None
    md.title = _title(page, metas, objs, md)
    md.canonical_url = _canonical(page.of_tag["link"], metas, url)
    md.description = _first(metas, "description", "og:description", "twitter:description", "dc.description") or _jsonld_str(objs, "description")

    named = _authors(page, metas, objs, md.site_name)
    # "ANN LEE, Associated Press": the agency is the credit (source_attribution), the people the authors
    md.authors = [a for a in named if not normalise_agency(a)] or named
    md.published, md.published_source = _published(page, metas, objs, url, captured_at)
    md.modified = _modified(metas, objs, captured_at)
    md.source_attribution = _declared_attribution(objs, md, named)
    md.outlinks = _outlinks(page.anchors_outside_chrome_tags(), url) if content_root is None else _root_outlinks(content_root, url)
    return md


def credit_from_text(md: PageMetadata, text: str, *, page: LexborHTMLParser | None = None) -> PageMetadata:
    """Fill ``md.source_attribution`` from a credit in the main text when nothing declared one.

    The main text is where credits stand; scanning the whole page costs more than it finds.
    Without main text, ``page`` (its tree) is searched outside its chrome instead.
    """
    if md.source_attribution is None:
        if text:
            md.source_attribution = find_attribution(text)
        elif page is not None and page.root is not None and mentions_agency(page.root.text()):
            md.source_attribution = find_attribution(_region_text(page))
    return md


def _jsonld_str(objs: list[dict[str, Any]], key: str) -> str | None:
    for o in objs:
        v = o.get(key)
        if isinstance(v, str) and _clean(v):
            return _clean(v)
    return None


def _jsonld_site(objs: list[dict[str, Any]]) -> str | None:
    for o in objs:
        for n in _names(o.get("publisher")):
            return n
    for o in objs:
        if _types(o) & {"website", "newsmediaorganization", "organization"} and _names(o.get("name")):
            return _names(o.get("name"))[0]
    return None


_TITLE_SEP_RE = re.compile(r"\s+[|–—·•»:-]\s+")


def _title(page: _Page, metas: dict[str, list[str]], objs: list[dict[str, Any]], md: PageMetadata) -> str | None:
    t = page.tree.css_first("title")
    raw_title = _clean(t.text()) if t is not None else None
    if raw_title:
        parts = _TITLE_SEP_RE.split(raw_title)
        if len(parts) > 1 and md.site_name is None:
            md.site_name = parts[-1]
    title = _first(metas, "og:title", "twitter:title") or _jsonld_str(objs, "headline")
    if not title and raw_title:
        # An h1 that the <title> contains is the headline without the site's section and name
        # ("Headline - Section - Portal", "标题_新闻中心_网站": separators vary by site).
        h = page.first_h1()
        if h is not None:
            h1 = _clean(h.text())
            if len(h1) >= 8 and h1 in raw_title:
                title = h1
    if not title and raw_title:
        parts = _TITLE_SEP_RE.split(raw_title)
        if len(parts) > 1 and md.site_name and _norm(parts[-1]) == _norm(md.site_name):
            # "Headline | Site": drop the last separator and what follows it
            seps = list(_TITLE_SEP_RE.finditer(raw_title))
            title = raw_title[: seps[-1].start()]
        elif len(parts) > 1:
            title = max(parts, key=len)
        else:
            title = raw_title
    if not title:
        for h in page.tree.css("h1"):
            title = _clean(h.text())
            if title:
                break
    if title and md.site_name:
        # og:title sometimes repeats the site: "Headline | Site"
        for sep in (" | ", " – ", " — ", " - "):
            suffix = f"{sep}{md.site_name}"
            if title.endswith(suffix) and len(title) > len(suffix):
                title = title[: -len(suffix)]
    return title or None


_NON_WORD_RE = re.compile(r"\W+")


def _norm(s: str) -> str:
    return _NON_WORD_RE.sub("", s).casefold()


# An absolute http(s) URL that urljoin returns unchanged whatever the base (a base of another
# scheme returns it as it is; one of the same scheme, through urlparse and urlunparse, which
# change only what this leaves out: no whitespace, ";" params, backslash, empty "?" or "#",
# and a plain ASCII host with an optional port, which urlsplit never rejects).
_PLAIN_ABSOLUTE_RE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:/[^\s;?#\\]*)?(?:\?[^\s#]+)?(?:#\S+)?")


def _base_parses(base: str | None) -> bool:
    """Whether urljoin can parse ``base`` (a base it cannot parse makes every join fail)."""
    if not base or _PLAIN_ABSOLUTE_RE.fullmatch(base):
        return True  # (urlsplit rejects only odd hosts: brackets, non-ASCII that NFKC turns into delimiters)
    try:
        urlsplit(base)  # (memoised by urllib)
    except ValueError:
        return False
    return True


def _http_url(base: str | None, href: str | None) -> str | None:
    href = (href or "").strip()
    if not href:
        return None
    if _PLAIN_ABSOLUTE_RE.fullmatch(href) and _base_parses(base):
        return href  # what urljoin and the checks below give, without two parses and an unparse
    try:
        u = urljoin(base, href) if base else href
        parts = urlsplit(u)
    except ValueError:  # "http://[bad": not a URL
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return u


def _canonical(links: list[LexborNode], metas: dict[str, list[str]], url: str | None) -> str | None:
    for link in links:
        a = link.attributes
        if "canonical" in (a.get("rel") or "").lower().split():
            u = _http_url(url, a.get("href"))
            if u:
                return u
    return _http_url(url, _first(metas, "og:url"))


def _authors(page: _Page, metas: dict[str, list[str]], objs: list[dict[str, Any]], site: str | None) -> list[str]:
    out: list[str] = []
    for o in objs:
        names = _names(o.get("author")) or _names(o.get("creator"))
        if names:
            _add_names(out, (n for name in names for n in split_names(name)), site)
            break
    if not out:
        for key in ("author", "article:author", "dc.creator", "dcterms.creator", "sailthru.author", "parsely-author", "byl"):
            for v in metas.get(key, []):
                _add_names(out, split_names(v), site)
    if not out:
        for el in page.byline_elements():
            # text nodes joined by a space keep "ERIC TUCKER<br>Associated Press" apart
            _add_names(out, split_names(el.text(separator=" ")), site)
            if out:
                break
    if not out and page.body is not None:
        # A visible "By X and Y" line anywhere in the body.
        for s, holder in _byline_text_nodes(page.body):
            if len(s) < 120 and _VISIBLE_BY_RE.match(s):
                line = s if len(s) > 5 else _clean(holder.text())
                if len(line) < 120:
                    _add_names(out, split_names(line), site)
                    if out:
                        break
    return out


_VISIBLE_BY_RE = re.compile(r"^(?:by|par|von|por)(?:\s+[A-ZÀ-ÖØ-Þ]|\s*$)", re.IGNORECASE)
# A text node that opens with a byline word: "By "/"by "/"BY ", "Par "/"par ", "Von "/"von ",
# "Por "/"por ", or the bare word.
_BY_START_RE = re.compile(r"\s*(?:By|by|BY|Par|par|Von|von|Por|por)(?:\s|$)")


# _BY_START_RE on the segments of the text nodes joined by NUL: the first one, and every later
# one (a match leaves the next separator to the next segment).
_BY_FIRST_SEGMENT_RE = re.compile(r"\s*(?:By|by|BY|Par|par|Von|von|Por|por)(?=\s|\x00|$)")
_BY_SEGMENT_RE = re.compile(r"\x00\s*(?:By|by|BY|Par|par|Von|von|Por|por)(?=\s|\x00|$)")


def _byline_text_nodes(body: LexborNode) -> Iterator[tuple[str, LexborNode]]:
    """(stripped text, element standing for it) of every body text node that opens with a byline word.

    The element is the one the node's text belongs to, or for text after a child element
    ("<i></i> by <a>X</a>") that child, as lxml's ``tail`` would have it: a bare "by" there
    stands beside an icon or a credit line of the template more often than a name.
    """
    # Every text node joined in C: most pages have no such node and need no walk at all, and the
    # walk ends at the last one. Each such node stands as a segment of its own between separators,
    # so there are at least as many matching segments as nodes (a NUL in a node's text can only
    # add segments): stopping after that many nodes misses none.
    joined = body.text(separator="\x00")
    left = len(_BY_SEGMENT_RE.findall(joined)) + (_BY_FIRST_SEGMENT_RE.match(joined) is not None)
    if not left:
        return
    # Whitespace-only text nodes (a third of a page's nodes) cannot open with a word: lexbor skips them.
    for node in body.traverse(include_text=True, skip_empty=True):
        if not left:
            return
        if node.tag != "-text" or not _BY_START_RE.match(t := node.text_content or ""):
            continue
        left -= 1
        parent = node.parent
        if parent is None or parent.tag in _NO_TEXT_TAGS or parent.tag == "form" or _in_form(parent):
            continue
        prev = node.prev
        while prev is not None and not prev.is_element_node:
            prev = prev.prev
        yield t.strip(), prev if prev is not None else parent


def _texts_after(node: LexborNode, limit: int) -> Iterator[str]:
    """The first ``limit`` text nodes after ``node`` in document order (XPath's following::text()),
    leaving out its own descendants and the text of scripts and styles."""
    n = 0
    cur: LexborNode | None = node
    while cur is not None:
        nxt = cur.next
        while nxt is None:
            cur = cur.parent
            if cur is None:
                return
            nxt = cur.next
        cur = nxt
        stack = [cur]
        while stack:
            x = stack.pop()
            tag = x.tag
            if tag == "-text":
                yield x.text_content or ""
                n += 1
                if n >= limit:
                    return
            elif tag[0] != "-" and tag not in _NO_TEXT_TAGS:
                kids = list(x.iter(include_text=True))
                kids.reverse()
                stack.extend(kids)


def _published(
    page: _Page, metas: dict[str, list[str]], objs: list[dict[str, Any]], url: str | None, captured_at: datetime | None
) -> tuple[datetime | None, str | None]:
    for cand, source in _published_candidates(page, metas, objs, url):
        if _admissible(cand, captured_at):
            return cand, source
    return None, None


def _published_candidates(
    page: _Page, metas: dict[str, list[str]], objs: list[dict[str, Any]], url: str | None
) -> Iterator[tuple[datetime | None, str]]:
    tree = page.tree
    for o in objs:
        yield parse_date(o.get("datePublished") if isinstance(o.get("datePublished"), str) else None), "jsonld"
    for o in objs:
        yield parse_date(o.get("dateCreated") if isinstance(o.get("dateCreated"), str) else None), "jsonld"
    for key in ("article:published_time", "article:published", "og:article:published_time", "og:published_time", "published_time",
                "datepublished", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "dcterms.created",
                "pubdate", "publishdate", "publish-date", "sailthru.date", "parsely-pub-date", "date", "article.published"):
        for v in metas.get(key, []):
            yield parse_date(v), "meta"
    for el in tree.css(_ITEMPROP_DATE_CSS):
        a = el.attributes
        prop = a.get("itemprop") or ""
        if "datePublished" in prop or "datepublished" in prop:
            yield parse_date(a.get("datetime") or a.get("content") or el.text()), "meta"
    times = [(t.attributes, t) for t in tree.css("time[datetime]")]
    times = [(a, t) for a, t in times if a.get("datetime")]
    times.sort(key=lambda at: 0 if "pubdate" in at[0] or _classy(at[0], "publish", "date") else 1)
    for a, _ in times:
        yield parse_date(a.get("datetime")), "meta"
    yield date_from_url(url), "url"
    for els in (page.byline_elements(), page.date_class_elements()):
        for el in els:
            t = _clean(el.text())
            if len(t) <= 200:
                for dt in dates_in_text(t):
                    yield dt, "text"
    # Last resort: a date line just under the headline, where bylines stand.
    h1 = page.first_h1()
    if h1 is not None:
        for t in _texts_after(h1, 40):
            if len(t) <= 200:
                for dt in dates_in_text(t):
                    yield dt, "text"


def _modified(metas: dict[str, list[str]], objs: list[dict[str, Any]], captured_at: datetime | None) -> datetime | None:
    cands: list[str | None] = [o.get("dateModified") if isinstance(o.get("dateModified"), str) else None for o in objs]
    for key in ("article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified", "dcterms.modified", "last-modified"):
        cands += metas.get(key, [])
    for c in cands:
        dt = parse_date(c)
        if _admissible(dt, captured_at):
            return dt
    return None


def _declared_attribution(objs: list[dict[str, Any]], md: PageMetadata, named: list[str]) -> str | None:
    for o in objs:
        for key in ("sourceOrganization", "provider"):
            for n in _names(o.get(key)):
                agency = normalise_agency(n)
                if agency:
                    return agency
                if key == "sourceOrganization" and md.site_name and _norm(n) != _norm(md.site_name):
                    return n
    for a in named:
        agency = normalise_agency(a)
        if agency:
            return agency
    return None


_REGION_SKIP = _CHROME_TAGS | _NO_TEXT_TAGS


def _region_text(tree: LexborHTMLParser) -> str:
    """Visible text outside nav/header/footer, one text node a line (for credit lines).

    Credit patterns allow whitespace, newlines included, between their parts, so a credit
    split by inline markup ("Source: <b>Reuters</b>") is still found.
    """
    if tree.body is None:
        return ""
    lines: list[str] = []
    stack = [tree.body.iter(include_text=True)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if tag == "-text":
            t = (child.text_content or "").strip()
            if t:
                lines.append(t)
        elif tag[0] != "-" and tag not in _REGION_SKIP:
            stack.append(child.iter(include_text=True))
    return "\n".join(lines)


# A root-relative href that urljoin would copy as it is (no dot segment, no empty "?", nothing
# urlsplit strips): joined to the base's origin without urljoin's two parses per link.
_PLAIN_PATH_RE = re.compile(r"/(?!/)[^\s?#;\\]*(?:\?[^\s#]+)?(?:#.*)?", re.S)


class _Linker:
    """Outlink records of one page: absolute http(s) URLs without fragment, each once."""

    def __init__(self, base: str | None) -> None:
        self.base = base
        self.seen: set[str] = set()
        if base:
            self.seen.add(base.split("#", 1)[0])
        self.scheme = base.split(":", 1)[0] if base and ":" in base else "https"
        self._origin: str | bool | None = False  # False: not worked out yet (most pages never need it)
        self.out: list[dict[str, str | None]] = []

    @property
    def origin(self) -> str | None:
        """``scheme://netloc`` of an http(s) base, else None: what a root-relative href joins to."""
        if self._origin is False:
            base = self.base
            try:
                b = urlsplit(base) if base else None
            except ValueError:
                b = None
            self._origin = f"{b.scheme}://{b.netloc}" if b is not None and b.scheme in ("http", "https") and b.netloc else None
        return self._origin  # type: ignore[return-value]

    def add(self, a: LexborNode, attrs: dict[str, str | None]) -> None:
        href = attrs.get("href")
        if not href:
            return
        href = href.strip()
        # Absolute http(s) links first: nine in ten links of a news page.
        if href.startswith(("http://", "https://")):
            u: str | None = href
        elif not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            return
        elif href.startswith("//"):
            u = f"{self.scheme}:{href}"
        elif href[0] == "/" and "/." not in href and _PLAIN_PATH_RE.fullmatch(href) and (origin := self.origin):
            u = origin + href
        else:
            u = _http_url(self.base, href)
            if u is None:
                return
        if "#" in u:
            u = u.split("#", 1)[0]
        seen = self.seen
        if u in seen:
            return
        seen.add(u)
        # (_clean inlined: it runs for every link kept)
        text = " ".join(a.text().split())
        if not text and (title := attrs.get("title")) is not None:
            text = " ".join(title.split())
        self.out.append({"url": u, "text": text or None})


def _root_outlinks(root: LexborNode, base: str | None) -> list[dict[str, str | None]]:
    links = _Linker(base)
    for a in root.css("a[href]"):  # lexbor's css() includes the root itself
        links.add(a, a.attributes)
    return links.out


def _outlinks(anchors: list[LexborNode], base: str | None) -> list[dict[str, str | None]]:
    """Links of the page outside its chrome: an anchor with a chrome class or role, or below a
    nav/header/footer or an element with a chrome class or role, is left out.

    ``anchors`` are the ``a[href]`` of the page, all of them or (as :class:`_Page` gives them)
    those not below a chrome tag, which lexbor's CSS leaves out in C at the cost of one more
    query (the walk below still tests tags, so either list gives the same links): the HTML5 tree
    builder puts them all in the body (the lxml version read ``//body//a``). Each element above
    an anchor is judged once (memoised), so the anchors of one menu share their ancestors'
    answer; lexbor's CSS would need a descendant selector per chrome class word, several times
    slower (substring tests on every element for every word).
    """
    links = _Linker(base)
    # memo: mem_id of an element above an anchor -> whether it or an element above it is chrome.
    # The walk is inlined (no call per anchor) and a class's answer read from the cache first:
    # this loop runs for every link of every page.
    memo: dict[int, bool] = {}
    cache = _CHROME_CLASS_CACHE
    roles = _CHROME_ROLES
    chrome_tags = _CHROME_TAGS
    for a in anchors:
        attrs = a.attributes
        cls = attrs.get("class")
        if (cls and (cache[cls] if cls in cache else _chrome_class(cls))) or attrs.get("role") in roles:
            continue
        node = a.parent
        path = []
        hit = False
        while node is not None:
            key = node.mem_id
            known = memo.get(key)
            if known is not None:
                hit = known
                break
            path.append(key)
            if node.tag in chrome_tags:
                hit = True
                break
            na = node.attributes
            if na and (((c := na.get("class")) and (cache[c] if c in cache else _chrome_class(c))) or na.get("role") in roles):
                hit = True
                break
            node = node.parent
        for k in path:
            memo[k] = hit
        if not hit:
            links.add(a, attrs)
    return links.out


_CHROME_CLASS_CACHE: dict[str, bool] = {}


def _chrome_class(cls: str | None) -> bool:
    """Whether a class attribute names chrome; cached, as menus repeat one class on every item."""
    if not cls:
        return False
    hit = _CHROME_CLASS_CACHE.get(cls)
    if hit is None:
        if cls.isascii():  # the same test without the regex's slow case-insensitive scan
            low = cls.lower()
            hit = any(w in low for w in _CHROME_CLASS_WORDS) or ("cmp" in low and _CMP_RE.search(low) is not None)
        else:
            hit = _CHROME_CLASS_RE.search(cls) is not None
        if len(_CHROME_CLASS_CACHE) > 50_000:
            _CHROME_CLASS_CACHE.clear()
        _CHROME_CLASS_CACHE[cls] = hit
    return hit

