"""Record metadata of an HTML page: title, canonical URL, authors, dates, site, description,
wire-agency attribution and outlinks.

Every field is read from the most explicit declaration first (JSON-LD, then ``<meta>``, then
the URL, then the visible byline), because publishers fill the machine-readable places more
carefully than the visible ones. A publication date later than the capture date cannot be true
(the page did not exist yet), so such a value is discarded and the next source is tried.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .attribution import find_attribution, mentions_agency, normalise_agency

_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "socialmediaposting", "liveblogposting",
    "techarticle", "scholarlyarticle", "report", "posting",
}
# Layout regions that hold site chrome rather than the page's own content.
_CHROME_TAGS = ("nav", "header", "footer")
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


def _lower_attr(el: Any, name: str) -> str:
    return (el.get(name) or "").strip().lower()


def _metas(tree: Any) -> dict[str, list[str]]:
    """All ``<meta>`` values keyed by lowercased name/property/itemprop, in page order."""
    out: dict[str, list[str]] = {}
    for m in tree.iter("meta"):
        content = m.get("content")
        if content is None or not content.strip():
            continue
        for attr in ("name", "property", "itemprop", "http-equiv"):
            key = _lower_attr(m, attr)
            # itemprop may hold several tokens: itemprop="datePublished dateCreated"
            for k in {key, *key.split()} if key else ():
                out.setdefault(k, []).append(content.strip())
    return out


def _first(metas: dict[str, list[str]], *keys: str) -> str | None:
    for k in keys:
        for v in metas.get(k, []):
            if _clean(v):
                return _clean(v)
    return None


# ---------------------------------------------------------------- JSON-LD


def _jsonld_objects(tree: Any) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = []
    for s in tree.iter("script"):
        if _lower_attr(s, "type") != "application/ld+json":
            continue
        raw = (s.text or "").strip()
        raw = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", raw)
        try:
            data = json.loads(raw, strict=False)
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
    arts = [o for o in objs if _types(o) & _ARTICLE_TYPES]
    return arts + [o for o in objs if o not in arts]


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


def parse_date(value: str | None) -> datetime | None:
    """A declared date (ISO 8601 in its common spellings, or RFC 2822) as aware UTC, else None.

    A date without a zone is taken as UTC (the page gives nothing better).
    """
    v = _clean(value)
    if not v:
        return None
    dt: datetime | None = None
    iso = v.replace("Z", "+00:00").replace("z", "+00:00")
    iso = re.sub(r"^(\d{4}-\d\d-\d\d) (\d)", r"\1T\2", iso)
    iso = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", iso)  # +0100 -> +01:00
    iso = re.sub(r"(\.\d{6})\d+", r"\1", iso)  # nanoseconds -> micro
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        m = re.match(r"^(\d{4})-(\d\d)-(\d\d)", v) or re.match(r"^(\d{4})(\d\d)(\d\d)$", v)
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


def split_names(value: str) -> list[str]:
    """'By Ann Lee and Bo Chan' -> ['Ann Lee', 'Bo Chan']; drops the trailing date or role."""
    v = _clean(value)
    m = _BYLINE_RE.match(v)
    if m:
        v = m["names"]
    # A byline often continues with a date or a role after a separator.
    v = re.split(r"\s+[|•·—–]\s+|\s+-\s+|\bpublished\b|\bpublié\b|\bupdated\b|\bmis à jour\b", v, maxsplit=1, flags=re.IGNORECASE)[0]
    return [n.strip(" .,:;") for n in _NAME_SPLIT_RE.split(v) if n.strip(" .,:;")]


def _add_names(out: list[str], names: Iterable[str], site: str | None = None) -> None:
    names = list(names)
    if len(names) > 8:
        return  # a run of text split at commas, not a list of authors
    seen = {n.casefold() for n in out}
    site_key = _norm(site) if site else None
    for n in names:
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
            continue  # the outlet itself ("CNN Business") is not an author
        if _good_name(n) and n.casefold() not in seen:
            seen.add(n.casefold())
            out.append(n)


def _classy(el: Any, *words: str) -> bool:
    cls = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return any(w in cls for w in words)


# XPath runs in C; concat() tests each element's class and id once (cheaper than many contains()).
_BYLINE_XP = etree.XPath(
    "//*[@rel='author' or @itemprop='author' or ((@class or @id) and (contains(concat(@class, ' ', @id), 'yline')"
    " or contains(concat(@class, ' ', @id), 'uthor')))][not(self::meta or self::link or self::script or self::style"
    " or ancestor::form)]"
)
_DATE_CLASS_XP = etree.XPath(
    "//*[(@class or @id) and (contains(concat(@class, ' ', @id), 'date') or contains(concat(@class, ' ', @id), 'Date')"
    " or contains(concat(@class, ' ', @id), 'time') or contains(concat(@class, ' ', @id), 'ublish'))]"
    "[not(self::meta or self::link or self::script or self::style or self::html or self::body)]"
)
_CHROME_XP = "ancestor::nav or ancestor::header or ancestor::footer"
_CHROME_LINKS_XP = etree.XPath("//nav//a[@href]|//header//a[@href]|//footer//a[@href]")
# Share bars, consent banners, menus, breadcrumbs: chrome inside the body, told by class or role.
_CHROME_CLASS_RE = re.compile(r"share|social|cookie|consent|\bcmp|breadcrumb|menu|skip|login|subscribe|comment", re.IGNORECASE)
_CHROME_ROLES = {"navigation", "banner", "contentinfo"}


def _chrome_filter() -> Any:
    memo: dict[Any, bool] = {}

    def inside(el: Any) -> bool:
        path = []
        node = el
        while node is not None:
            if node in memo:
                hit = memo[node]
                break
            path.append(node)
            if _CHROME_CLASS_RE.search(node.get("class") or "") or node.get("role") in _CHROME_ROLES:
                hit = True
                break
            node = node.getparent()
        else:
            hit = False
        for n in path:
            memo[n] = hit
        return hit

    return inside


_BODY_LINKS_XP = etree.XPath("//body//a[@href]")
_ITEMPROP_DATE_XP = etree.XPath("//*[@itemprop][contains(@itemprop, 'datePublished') or contains(@itemprop, 'datepublished')]")
_FIRST_H1_XP = etree.XPath("(//body//h1)[1]")
_AFTER_H1_TEXT_XP = etree.XPath("following::text()[not(ancestor::script or ancestor::style)][position() <= 40]")
# (tree, its byline elements): _authors and _published both ask; per thread, emptied after each page.
_BYLINE_MEMO = threading.local()


def _byline_elements(tree: Any) -> list[Any]:
    memo = getattr(_BYLINE_MEMO, "v", None)
    if memo is None or memo[0] is not tree:
        memo = _BYLINE_MEMO.v = (tree, list(_BYLINE_XP(tree)))
    return memo[1]


# ---------------------------------------------------------------- main entry


def extract_metadata(
    tree: Any,
    url: str | None,
    captured_at: datetime | None,
    *,
    text: str = "",
    content_root: Any = None,
) -> PageMetadata:
    """All metadata fields of one page from its parsed lxml tree.

    ``text`` is the extracted main text (searched for attribution credits); ``content_root``
    is the element holding the main content, when the text extractor knows it.
    """
    metas = _metas(tree)
    objs = _articles(_jsonld_objects(tree))
    md = PageMetadata()

    md.site_name = _first(metas, "og:site_name", "application-name", "twitter:site:name") or _jsonld_site(objs)
    if md.site_name:
        md.site_name = md.site_name.lstrip("@") or None
    md.title = _title(tree, metas, objs, md)
    md.canonical_url = _canonical(tree, metas, url)
    md.description = _first(metas, "description", "og:description", "twitter:description", "dc.description") or _jsonld_str(objs, "description")

    named = _authors(tree, metas, objs, md.site_name)
    # "ANN LEE, Associated Press": the agency is the credit (source_attribution), the people the authors
    md.authors = [a for a in named if not normalise_agency(a)] or named
    md.published, md.published_source = _published(tree, metas, objs, url, captured_at)
    md.modified = _modified(metas, objs, captured_at)
    md.source_attribution = _attribution(tree, metas, objs, text, md, named)
    md.outlinks = _outlinks(content_root if content_root is not None else tree, url, use_root=content_root is not None)
    _BYLINE_MEMO.v = None  # hold no page past its own extraction
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


def _title(tree: Any, metas: dict[str, list[str]], objs: list[dict[str, Any]], md: PageMetadata) -> str | None:
    raw_title = None
    for t in tree.iter("title"):
        raw_title = _clean(t.text_content())
        break
    if raw_title:
        parts = _TITLE_SEP_RE.split(raw_title)
        if len(parts) > 1 and md.site_name is None:
            md.site_name = parts[-1]
    title = _first(metas, "og:title", "twitter:title") or _jsonld_str(objs, "headline")
    if not title and raw_title:
        # An h1 that the <title> contains is the headline without the site's section and name
        # ("Headline - Section - Portal", "标题_新闻中心_网站": separators vary by site).
        for h in _FIRST_H1_XP(tree):
            h1 = _clean(h.text_content())
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
        for h in tree.iter("h1"):
            title = _clean(h.text_content())
            if title:
                break
    if title and md.site_name:
        # og:title sometimes repeats the site: "Headline | Site"
        for sep in (" | ", " – ", " — ", " - "):
            suffix = f"{sep}{md.site_name}"
            if title.endswith(suffix) and len(title) > len(suffix):
                title = title[: -len(suffix)]
    return title or None


def _norm(s: str) -> str:
    return re.sub(r"\W+", "", s).casefold()


def _http_url(base: str | None, href: str | None) -> str | None:
    href = (href or "").strip()
    if not href:
        return None
    try:
        u = urljoin(base, href) if base else href
        parts = urlsplit(u)
    except ValueError:  # "http://[bad": not a URL
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return u


def _canonical(tree: Any, metas: dict[str, list[str]], url: str | None) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            u = _http_url(url, link.get("href"))
            if u:
                return u
    return _http_url(url, _first(metas, "og:url"))


def _authors(tree: Any, metas: dict[str, list[str]], objs: list[dict[str, Any]], site: str | None) -> list[str]:
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
        for el in _byline_elements(tree):
            # itertext keeps "ERIC TUCKER<br>Associated Press" apart
            _add_names(out, split_names(" ".join(el.itertext())), site)
            if out:
                break
    if not out:
        # A visible "By X and Y" line anywhere in the body.
        for s, holder in _byline_text_nodes(tree):
            if len(s) < 120 and _VISIBLE_BY_RE.match(s):
                line = s if len(s) > 5 else _clean(holder.text_content())
                if len(line) < 120:
                    _add_names(out, split_names(line), site)
                    if out:
                        break
    return out


_VISIBLE_BY_RE = re.compile(r"^(?:by|par|von|por)(?:\s+[A-ZÀ-ÖØ-Þ]|\s*$)", re.IGNORECASE)
# A text node that opens with a byline word: "By "/"by "/"BY ", "Par "/"par ", "Von "/"von ",
# "Por "/"por ", or the bare word. Tested on each text node in document order with one walk and a
# regex (an XPath of eighteen normalize-space() tests cost ~9 ms a page, most of the metadata time).
_BY_START_RE = re.compile(r"\s*(?:By|by|BY|Par|par|Von|von|Por|por)(?:\s|$)")
_NO_TEXT_TAGS = frozenset(("script", "style"))


def _byline_text_nodes(tree: Any) -> Iterator[tuple[str, Any]]:
    """(stripped text, element holding it) of every body text node that opens with a byline word."""
    bodies = tree.xpath("//body") if tree.tag != "body" else [tree]
    for body in bodies[:1]:
        for event, el in etree.iterwalk(body, events=("start", "end")):
            t = el.text if event == "start" else el.tail
            if event == "end" and el is body:
                break
            if not t or (event == "start" and (not isinstance(el.tag, str) or el.tag in _NO_TEXT_TAGS)):
                continue
            if not _BY_START_RE.match(t):
                continue
            holder = el if event == "start" else el.getparent()
            if holder is None or any(a.tag == "form" for a in holder.iterancestors()) or holder.tag == "form":
                continue
            yield t.strip(), el


def _published(
    tree: Any, metas: dict[str, list[str]], objs: list[dict[str, Any]], url: str | None, captured_at: datetime | None
) -> tuple[datetime | None, str | None]:
    for cand, source in _published_candidates(tree, metas, objs, url):
        if _admissible(cand, captured_at):
            return cand, source
    return None, None


def _published_candidates(
    tree: Any, metas: dict[str, list[str]], objs: list[dict[str, Any]], url: str | None
) -> Iterator[tuple[datetime | None, str]]:
    for o in objs:
        yield parse_date(o.get("datePublished") if isinstance(o.get("datePublished"), str) else None), "jsonld"
    for o in objs:
        yield parse_date(o.get("dateCreated") if isinstance(o.get("dateCreated"), str) else None), "jsonld"
    for key in ("article:published_time", "article:published", "og:article:published_time", "og:published_time", "published_time",
                "datepublished", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "dcterms.created",
                "pubdate", "publishdate", "publish-date", "sailthru.date", "parsely-pub-date", "date", "article.published"):
        for v in metas.get(key, []):
            yield parse_date(v), "meta"
    for el in _ITEMPROP_DATE_XP(tree):
        yield parse_date(el.get("datetime") or el.get("content") or el.text_content()), "meta"
    times = [t for t in tree.iter("time") if t.get("datetime")]
    times.sort(key=lambda t: 0 if t.get("pubdate") is not None or _classy(t, "publish", "date") else 1)
    for t in times:
        yield parse_date(t.get("datetime")), "meta"
    yield date_from_url(url), "url"
    for el in _byline_elements(tree) + list(_DATE_CLASS_XP(tree)):
        t = _clean(el.text_content())
        if len(t) <= 200:
            for dt in dates_in_text(t):
                yield dt, "text"
    # Last resort: a date line just under the headline, where bylines stand.
    for h1 in _FIRST_H1_XP(tree):
        for t in _AFTER_H1_TEXT_XP(h1):
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


def _attribution(tree: Any, metas: dict[str, list[str]], objs: list[dict[str, Any]], text: str, md: PageMetadata, named: list[str]) -> str | None:
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
    if text:
        # The main text is where credits stand; scanning the whole page costs more than it finds.
        return find_attribution(text)
    # No main text given: the page outside its chrome (after a cheap does-it-mention-any check).
    if not mentions_agency(tree.text_content()):
        return None
    return find_attribution(_region_text(tree))


_REGION_XP = f"//body//text()[not({_CHROME_XP} or ancestor::script or ancestor::style)]"


def _region_text(tree: Any) -> str:
    """Visible text outside nav/header/footer, one text node a line (for credit lines).

    Credit patterns allow whitespace, newlines included, between their parts, so a credit
    split by inline markup ("Source: <b>Reuters</b>") is still found.
    """
    return "\n".join(t.strip() for t in tree.xpath(_REGION_XP, smart_strings=False) if t.strip())


def _outlinks(root: Any, base: str | None, *, use_root: bool) -> list[dict[str, str | None]]:
    seen: set[str] = set()
    if base:
        seen.add(base.split("#", 1)[0])
    out: list[dict[str, str | None]] = []
    if use_root:
        anchors = root.xpath(".//a[@href]") if root.tag != "a" else [root]
    else:
        chrome = set(_CHROME_LINKS_XP(root))
        inside = _chrome_filter()
        anchors = [a for a in (_BODY_LINKS_XP(root) or root.iter("a")) if a not in chrome and a.get("href") is not None and not inside(a)]
    scheme = base.split(":", 1)[0] if base and ":" in base else "https"
    for a in anchors:
        href = a.get("href").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        if href.startswith(("http://", "https://")):
            u: str | None = href
        elif href.startswith("//"):
            u = f"{scheme}:{href}"
        else:
            u = _http_url(base, href)
        if u is None:
            continue
        u = u.split("#", 1)[0]
        if u in seen:
            continue
        seen.add(u)
        out.append({"url": u, "text": _clean(a.text_content()) or _clean(a.get("title")) or None})
    return out
