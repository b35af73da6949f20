"""The shortcuts of metadata.py give what the plain code gives: URL joining without urljoin,
anchors below chrome tags left out by lexbor's CSS, author names memoised, JSON-LD decoded with
one shared decoder. Each is checked against a reference written the plain way."""

from __future__ import annotations

import itertools
import json
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from archivist import metadata
from archivist.metadata import _add_names, _http_url, _Linker, _outlinks, _Page, extract_metadata

BASES = [
    None, "", "https://news.example/world/story", "http://news.example:8080/a/b?x=1#frag", "https://news.example",
    "https://xn--bcher-kva.example/b", "https://bücher.example/b", "ftp://files.example/pub/", "http://[bad", "http://[::1]:80/x",
    "https://news.example/a;p?q", "news.example/relative", "mailto:someone@example.org",
]
HREFS = [
    "https://other.example/a", "http://other.example", "https://other.example/a?b=1&c=2#s", "HTTPS://other.example/a",
    "https://other.example/a?", "https://other.example/a#", "https://other.example/a?#", "https://other.example/a;p", "https://other.example/a;p?q",
    "https://other.example//double", "https://other.example/a/../b", "https://other.example/./b", "https://other.example:8443/p",
    "https://other.example:/p", "https://other.example:99999999999/p", "https://user:pw@other.example/p", "https://bücher.example/p",
    "https://xn--bcher-kva.example/p", "https://other.example/%E2%82%AC/%zz", "https://other.example/ä?q=ü#ö", "https://[::1]/p",
    "https://[bad/p", "https://other.example/a\\b", "https://other.example/a b", "https://other.example/a\tb", " https://other.example/sp ",
    "\nhttps://other.example/nl\n", "https://other.example/a?q=1;2", "https://other.example?q", "https://other.example#f",
    "https://", "https:///path", "http:/one-slash", "https:other.example", "//cdn.example/x.js", "//cdn.example", "/", "/root?x#y",
    "/a/./b", "/a/../b", "/a;p", "/a?", "/a#", "//", "relative/path", "../up", "?only=query", "#frag", "", "   ",
    "javascript:void(0)", "JavaScript:alert(1)", "mailto:x@y.z", "tel:+123", "data:text/html,hi", "whatsapp://send?text=x",
    "www.example.com/x", "\x01https://other.example/c0", "https://other.example/\x01", "ftp://files.example/f",
]


def _reference_http_url(base: str | None, href: str | None) -> str | None:
    """metadata._http_url as it was before its shortcut: urljoin, then the scheme/host check."""
    href = (href or "").strip()
    if not href:
        return None
    try:
        u = urljoin(base, href) if base else href
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return u


def _reference_add(base: str | None, href: str | None) -> str | None:
    """The URL _Linker.add made of an href before its reordering (None: no link)."""
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        b = urlsplit(base) if base else None
    except ValueError:
        b = None
    origin = f"{b.scheme}://{b.netloc}" if b is not None and b.scheme in ("http", "https") and b.netloc else None
    if href.startswith(("http://", "https://")):
        u: str | None = href
    elif href.startswith("//"):
        u = f"{base.split(':', 1)[0] if base and ':' in base else 'https'}:{href}"
    elif origin and href[0] == "/" and "/." not in href and metadata._PLAIN_PATH_RE.fullmatch(href):
        u = origin + href
    else:
        u = _reference_http_url(base, href)
    return None if u is None else u.split("#", 1)[0]


@pytest.mark.parametrize("base", BASES)
def test_http_url_equals_urljoin_for_every_href(base: str | None) -> None:
    for href in HREFS:
        assert _http_url(base, href) == _reference_http_url(base, href), (base, href)


def test_the_absolute_shortcut_is_taken_and_refused_where_it_must() -> None:
    plain = metadata._PLAIN_ABSOLUTE_RE.fullmatch
    assert plain("https://other.example/a?b=1#s") and plain("http://other.example:8080") and plain("https://other.example/%E2%82%AC")
    # urlunparse would drop an empty query or fragment, or move params; a non-ASCII or bracketed host goes through urlsplit's checks
    for href in ("https://other.example/a?", "https://other.example/a#", "https://other.example/a;p", "https://bücher.example/",
                 "https://[::1]/", "https://u@h.example/", "https://h.example/a b", "HTTP://h.example/"):
        assert not plain(href), href
    # A base urljoin cannot parse makes the join fail, shortcut or not.
    assert _http_url("http://[bad", "https://other.example/a") is None


_URL_PIECE = st.sampled_from(["https://", "http://", "//", "/", "a", "B", "é", "例", ".", "..", ":", "8080", ";", "?", "#", "&", "=",
                              "%", "%2F", "@", "[", "]", "\\", " ", "\t", "-", "xn--bcher-kva", "example", ".com"])


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(BASES), st.lists(_URL_PIECE, max_size=10).map("".join))
def test_http_url_equals_urljoin_on_generated_hrefs(base: str | None, href: str) -> None:
    assert _http_url(base, href) == _reference_http_url(base, href)


@pytest.mark.parametrize("base", BASES)
def test_linker_add_gives_the_reference_url(base: str | None) -> None:
    for href in HREFS:
        linker = _Linker(base)
        tree = LexborHTMLParser("<a>link text</a>")
        a = tree.css_first("a")
        linker.add(a, {"href": href})
        want = _reference_add(base, href)
        if want is not None and base and want == base.split("#", 1)[0]:
            want = None  # the page itself is no outlink
        got = linker.out[0]["url"] if linker.out else None
        assert got == want, (base, href)


def test_linker_text_title_and_once_per_url() -> None:
    tree = LexborHTMLParser("<a>  Read\n the   report </a><a> </a><a></a>")
    a1, a2, a3 = tree.css("a")
    linker = _Linker("https://news.example/p")
    linker.add(a1, {"href": " https://x.example/r#one "})
    linker.add(a1, {"href": "https://x.example/r#two"})  # the same URL once its fragment is gone
    linker.add(a2, {"href": "https://x.example/t", "title": "  The \t title "})
    linker.add(a3, {"href": "https://x.example/n", "title": None})
    linker.add(a3, {"href": "https://x.example/e", "title": "   "})
    linker.add(a3, {"href": None})
    linker.add(a3, {"href": "https://news.example/p#top"})  # the page itself
    assert linker.out == [
        {"url": "https://x.example/r", "text": "Read the report"},
        {"url": "https://x.example/t", "text": "The title"},
        {"url": "https://x.example/n", "text": None},
        {"url": "https://x.example/e", "text": None},
    ]


CHROME_PAGES = [
    "<header><a href='/h'>h</a><div><p><a href='/h2'>h2</a></p></div></header><nav><ul><li><a href='/n'>n</a></li></ul></nav>"
    "<article><header><a href='/ah'>in the article's header</a></header><p><a href='/keep'>keep</a></p>"
    "<footer><a href='/af'>af</a></footer></article><footer><a href='/f'>f</a></footer><a href='/tail'>tail</a>",
    # foreign content, upper case, templates, chrome by class and role, a nav inside an anchor
    "<NAV><A HREF='/upper'>u</A></NAV><svg><nav><a href='/svgnav'>s</a></nav><a href='/svg'>s</a></svg>"
    "<template><a href='/tpl'>t</a></template><div class='Menu'><a href='/menu'>m</a></div><div role='navigation'><a href='/role'>r</a></div>"
    "<a href='/in-a'><nav>x</nav>y</a><a class='share-x' href='/share'>s</a><p><a href='/p'>p</a></p>",
    # nothing but chrome; and none at all
    "<header><nav><footer><a href='/deep'>d</a></footer></nav></header>",
    "<p><a href='/one'>one</a><a href='https://x.example/two'>two</a><a href='#x'>x</a></p>",
]


@pytest.mark.parametrize("body", CHROME_PAGES)
def test_anchors_below_chrome_tags_dropped_in_css_as_the_walk_drops_them(body: str) -> None:
    tree = LexborHTMLParser(f"<html><head></head><body>{body}</body></html>")
    page = _Page(tree)
    every = tree.css("a[href]")
    outside = page.anchors_outside_chrome_tags()
    # The CSS leaves out exactly the anchors that have a chrome tag above them.
    def below_chrome_tag(a: object) -> bool:
        n = a.parent  # type: ignore[attr-defined]
        while n is not None:
            if n.tag in ("nav", "header", "footer"):
                return True
            n = n.parent
        return False

    assert [a.mem_id for a in outside] == [a.mem_id for a in every if not below_chrome_tag(a)]
    assert _outlinks(outside, "https://news.example/s") == _outlinks(every, "https://news.example/s")


def test_the_chrome_tag_shortcut_on_a_known_page() -> None:
    m = extract_metadata(LexborHTMLParser(f"<html><body>{CHROME_PAGES[0]}{CHROME_PAGES[1]}</body></html>"), "https://news.example/s", None)
    assert [o["url"] for o in m.outlinks] == [
        "https://news.example/keep", "https://news.example/tail", "https://news.example/svg", "https://news.example/in-a", "https://news.example/p",
    ]


def test_author_names_memoised_give_what_a_fresh_call_gives() -> None:
    cases = [
        (["By Ann Lee and Bo Chan"], None), (["ERIC TUCKER Associated Press"], None), (["CNN Business"], "CNN Business"),
        (["Analysis by Chris Cillizza"], "CNN"), (["Minh Do on Monday", "minh do"], None), (["Staff writer"], None),
        (["Associated Press"], "AP News"), (["ann lee"], None),
    ]
    for names, site in cases:
        fresh: list[str] = []
        metadata._AUTHOR_NAME_CACHE.clear()
        _add_names(fresh, [n for v in names for n in metadata.split_names(v)], site)
        for _ in range(2):  # now from the memo, into a list that already holds some names
            again: list[str] = []
            _add_names(again, [n for v in names for n in metadata.split_names(v)], site)
            assert again == fresh, (names, site)
    # The same name under another site is judged afresh.
    metadata._AUTHOR_NAME_CACHE.clear()
    out: list[str] = []
    _add_names(out, ["Gazette Staff"], None)
    _add_names(out, ["Jane Roe"], "Jane Roe Daily")
    _add_names(out, ["Jane Roe"], None)
    assert out == ["Jane Roe"]
    out2: list[str] = ["Jane Roe"]
    _add_names(out2, ["JANE ROE", "Bo Chan"], None)  # case-folded duplicates stay out
    assert out2 == ["Jane Roe", "Bo Chan"]


@pytest.mark.parametrize(
    "script",
    ['{"@type": "NewsArticle", "headline": "Plain"}', '\ufeff{"@type": "NewsArticle", "headline": "BOM"}',
     '{"@type": "NewsArticle", "headline": "Tab\there"}', '<![CDATA[{"@type": "NewsArticle", "headline": "Cdata"}]]>',
     '{"@type": "NewsArticle", "headline": "Trailing"} junk', '[{"@type": "NewsArticle", "headline": "List"}]', "not json", ""],
)
def test_jsonld_decoded_as_json_loads_does(script: str) -> None:
    tree = LexborHTMLParser(f'<html><head><script type="application/ld+json">{script}</script></head><body><p>x</p></body></html>')
    got = metadata._jsonld_objects(tree.css("script[type]"))
    raw = tree.css_first("script").text().strip()
    if "<![CDATA[" in raw:
        raw = metadata._CDATA_RE.sub("", raw)
    try:
        want = list(metadata._flatten(json.loads(raw, strict=False)))
    except ValueError:
        want = []
    assert got == want


def test_every_base_and_href_pair_through_a_whole_page() -> None:
    """Every href of the list in one page, under each base: the outlinks are the reference's."""
    anchors = "".join(f"<p><a href=\"{h.replace(chr(34), '&quot;')}\">t{i}</a></p>" for i, h in enumerate(HREFS))
    tree_html = f"<html><body>{anchors}</body></html>"
    for base in BASES:
        m = extract_metadata(LexborHTMLParser(tree_html), base, None)
        want: list[str] = []
        seen = {base.split("#", 1)[0]} if base else set()
        for a in LexborHTMLParser(tree_html).css("a[href]"):
            u = _reference_add(base, a.attributes.get("href"))
            if u is not None and u not in seen:
                seen.add(u)
                want.append(u)
        assert [o["url"] for o in m.outlinks] == want, base


def test_pairs_cover_the_edge_cases() -> None:
    # (The lists above hold each kind the brief names at least once.)
    kinds = {
        "relative": "relative/path", "protocol-relative": "//cdn.example/x.js", "javascript": "javascript:void(0)",
        "mailto": "mailto:x@y.z", "fragment": "#frag", "whitespace": " https://other.example/sp ", "non-ascii": "https://bücher.example/p",
        "idn": "https://xn--bcher-kva.example/p", "port": "https://other.example:8443/p", "percent": "https://other.example/%E2%82%AC/%zz",
    }
    assert set(kinds.values()) <= set(HREFS)
    assert list(itertools.islice((b for b in BASES if b and "bücher" in b), 1))


DATE_STRINGS = ["2026-03-14T08:00:00Z", "2026-03-14 08:00:00+0100", "2026-03-14T08:00:00.123456789-05:00", "20260314", "2026-03-14junk",
                "Sat, 14 Mar 2026 08:00:00 GMT", "  2026-03-14T08:00:00z  ", "2026-02-30", "yesterday", "", "   "]


def test_dates_memoised_give_what_a_fresh_parse_gives() -> None:
    metadata._DATE_CACHE.clear()
    fresh = [metadata._parse_date(v) for v in DATE_STRINGS]
    assert [metadata.parse_date(v) for v in DATE_STRINGS] == fresh  # filling the memo
    assert [metadata.parse_date(v) for v in DATE_STRINGS] == fresh  # from it
    assert fresh[0] is not None and fresh[0].tzinfo is not None and fresh[7] is None and fresh[8] is None
    assert metadata.parse_date(None) is None


def test_split_names_memoised_returns_a_fresh_list_each_time() -> None:
    metadata._SPLIT_CACHE.clear()
    first = metadata.split_names("By Ann Lee and Bo Chan | Updated 3 March")
    assert first == ["Ann Lee", "Bo Chan"]
    first.append("mutated")
    assert metadata.split_names("By Ann Lee and Bo Chan | Updated 3 March") == ["Ann Lee", "Bo Chan"]
    for v in ("Par Jean Dupont et Marie Curie", "ann lee, bo chan; cy dee & ed eff", "", "By"):
        assert metadata.split_names(v) == metadata._split_names(v)
