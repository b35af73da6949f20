"""Main text of an HTML page: one fast DOM walk, then content heuristics over text blocks.

The page is parsed once with lexbor (selectolax), scripts and styles are stripped in C, and the
body is walked once. The walk cuts the page into *blocks* (the inline text between two
block-level boundaries: what a browser shows as one paragraph, list item or table row) and
keeps, for each block, its chain of ancestor elements and its link share. Elements are marked
as chrome by tag (nav, aside, footer, header, form, figure), by class/id/role names (cookie,
consent, share, social, related, comment, advert, newsletter, breadcrumb, sidebar, ...; taxonomy
names such as "tag-social" are ignored, weak names such as "meta" only count without a content
name beside them), by schema.org metadata properties, or as hidden. A small chrome element is
not walked at all: lexbor gives its text in one call and it stands in as one block, which is
most of the speed.

Choosing the article (readability's idea, made cheap and language-independent):
- each block has a content weight: its length (a CJK character counts as a word does in spaced
  scripts) scaled down by its link share; link lists weigh against; bare labels weigh nothing;
  blocks under chrome weigh against;
- the *core* is the element with the most weight close by (a block counts for its element and
  parent fully, then half and a quarter further up): where paragraphs sit together;
- the core then grows into each ancestor whose added content is mostly prose (a lead paragraph
  in a sibling div, an article split by an ad slot) and stops at sidebars and teaser lists;
- inside the result, chrome and link-heavy blocks (and link lines of <br>-lined blocks) go, the
  headline and bylines/dates/labels at the top and bottom are trimmed, and a long paragraph that
  repeats from another container (an AMP or print copy) is given once.
Guards: a chrome mark on an element that holds the headline or 40% of the page is a layout
name, not chrome; a hidden element is taken when it holds far more text than the visible
choice (a teaser page with the body hidden for script); a choice of next to nothing on a page
with plenty of text is made again with chrome names ignored. Markup nested tens of thousands
deep (where HTML5 tree building turns quadratic) gets a flat tag-stripped reading.

Output: paragraphs separated by a blank line, list items and table rows by a newline, cells of a
row by a space; the title is returned apart and not repeated at the top of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from .memo import BoundedMemo

__all__ = ["VERSION", "MainText", "engine_id", "extract", "extract_tree", "main_text", "prepare", "reads_flat"]

# Bump when a change alters what the extractor outputs: it is part of every row's settings hash.
VERSION = "2"

# Elements whose content is never page text.
_SKIP = frozenset(
    [
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
        "canvas", "video", "audio", "picture", "source", "track", "map", "button", "select",
        "option", "optgroup", "input", "textarea", "datalist", "head", "meta", "link", "title",
        "base", "dialog"
    ]
)
# Block-level elements: entering or leaving one ends the current paragraph.
_BLOCK = frozenset(
    [
        "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
        "ol", "dl", "dt", "dd", "table", "tr", "tbody", "thead", "tfoot", "caption", "blockquote",
        "pre", "figure", "figcaption", "hr", "header", "footer", "nav", "aside", "address", "form",
        "fieldset", "legend", "center", "details", "summary", "body", "html", "menu", "hgroup"
    ]
)
_CELLS = frozenset(("td", "th"))
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
# Short blocks that are content even without a sentence end: headings, table rows, list items.
_KEEP_AT_EDGE = _HEADINGS | {"tr", "li", "dt", "dd"}
_LINE_TAGS = frozenset(("li", "tr", "dd", "dt"))
_LABEL_TAGS = frozenset(("div", "section", "aside", "center"))
# Structural chrome, marked (not removed): a later guard can still keep it when it holds the page.
_CHROME_TAGS = frozenset(["nav", "aside", "footer", "header", "menu", "form", "figure", "figcaption"])
# What the walk does with an element, by tag, in one lookup: skip it (no page text), break the
# line, join a row's cells, count link text, keep <pre> lines, end a block (chrome by tag or not).
# A tag missing here is inline markup. Block kinds are the highest numbers.
_K_SKIP, _K_BR, _K_CELL, _K_A, _K_INLINE, _K_BLOCK, _K_PRE, _K_CHROME = range(8)
_KIND: dict[str, int] = {
    **{t: _K_BLOCK for t in _BLOCK},
    **{t: _K_CHROME for t in _CHROME_TAGS},
    "pre": _K_PRE,
    "a": _K_A,
    **{t: _K_CELL for t in _CELLS},
    "br": _K_BR,
    **{t: _K_SKIP for t in (*_SKIP, "img", "-comment", "-doctype", "-document")},
}
assert _CHROME_TAGS <= _BLOCK and "pre" in _BLOCK and not (_CELLS | {"a", "br", "img"}) & (_BLOCK | _SKIP)
# schema.org properties that repeat metadata as page text (author name, dates, keywords).
_META_PROPS = frozenset(
    [
        "headline", "alternativeheadline", "author", "creator", "publisher", "datepublished",
        "datemodified", "datecreated", "keywords", "image", "logo", "url", "mainentityofpage",
        "thumbnailurl", "width", "height", "name", "value"
    ]
)

# Class/id names that mark chrome. A name is split into tokens on non-alphanumerics and camelCase.
# Strong tokens mark chrome wherever they occur in a name ("article-share", "relatedPosts").
_STRONG = frozenset(
    [
        "ad", "ads", "adv", "advert", "adverts", "advertisement", "adslot", "adunit", "adsense",
        "dfp", "gpt", "banner", "breadcrumb", "breadcrumbs", "comment", "comments", "commentlist",
        "disqus", "cookie", "cookies", "consent", "gdpr", "cmp", "newsletter", "subscribe",
        "subscription", "signup", "login", "reply", "replies", "outbrain", "taboola", "promo",
        "promos", "promotion", "promoted", "sponsor", "sponsored", "share", "sharing", "shares",
        "sharebar", "sharethis", "addthis", "social", "socials", "related", "recommended",
        "recommendations", "recommend", "sidebar", "navbar", "navigation", "nav", "menu", "paywall",
        "popup", "modal", "overlay", "trending", "popular", "caption", "captions", "rodo"
    ]
)
_STRONG_PREFIX = (
    "advert", "breadcrumb", "comment", "cookie", "consent", "newsletter", "outbrain", "taboola",
    "promo", "related", "recommend", "sharing", "social", "sponsor", "subscri", "sidebar",
    "navbar", "popup", "paywall", "signup", "caption", "footer",
    # The same in names some sites of the target languages use: Polish, Russian and Greek
    # transliterations, Chinese pinyin (reklama = advert, komentarze/kommentarii/sxolia =
    # comments, powiazane/xiangguan = related, polecane = recommended, udostepnij/fenxiang =
    # share, guanggao = advert, pinglun = comments).
    "reklam", "komentar", "kommentar", "powiazan", "polecan", "udostepn", "sxolia", "diafim",
    "xiangguan", "fenxiang", "guanggao", "pinglun",
    # podpiska = subscription, chitayte/chitaite (takzhe) = read also, podelit'sya = share (ru);
    # zobacz (takze) = see also, rodo = the Polish GDPR consent (pl); sxetik(a) = related,
    # koinopoi(isi) = share, diavaste = read (el); tuijian = recommended, remen = popular (zh).
    "podpisk", "chitayte", "chitaite", "podelit", "zobacz", "sxetik", "koinopoi", "diavaste",
    "tuijian", "remen",
)
_STRONG_EXCEPT = ("commentary", "commentator", "shareholder", "navigator", "menuitem-article")
# Weak tokens mark chrome only as a name's last token and when no name of the element reads as
# content ("article-meta" is chrome, "field-label-hidden field-name-body" is not).
_WEAK_LAST = frozenset(
    [
        "tags", "tag", "topics", "meta", "byline", "author", "authors", "caption", "credit",
        "credits", "footer", "foot", "header", "masthead", "toolbar", "widget", "widgets", "rail",
        "pagination", "pager", "skip", "print", "timestamp", "dateline", "hidden", "hide",
        "invisible", "links", "more"
    ]
)
_WHOLE_NAMES = frozenset(
    [
        "hidden", "sr-only", "sr-only-focusable", "visually-hidden", "visuallyhidden",
        "screen-reader-text", "screenreader-text", "element-invisible", "d-none", "invisible",
        "offscreen"
    ]
)
_POSITIVE = frozenset(
    [
        "article", "articlebody", "body", "content", "entry", "main", "post", "story", "text",
        "hentry", "blog", "prose"
    ]
)
# Taxonomy names ("tag-social", "category-comment") describe the article, not the element.
_TAXONOMY = ("tag-", "tag_", "category-", "category_", "cat-", "topic-", "section-", "postid-",
             "format-", "type-", "status-", "author-")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CJK_SPLIT = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
# Sentence punctuation of many scripts: Latin, CJK full-width, Arabic, Devanagari, Greek.
_CJK_RUN = re.compile(_CJK.pattern + "+")
_PUNCT = re.compile(r"[.,;:!?…。，、；：！？،۔।;]")
_SENT_END = re.compile(r"[.!?…。！？」』\"'”’»)\]:;]$")
_DECAY = (1.0, 1.0, 0.5, 0.25)  # share of a block's weight for its element, parent, grandparent...
_D0, _D1, _D2, _D3 = _DECAY
_GROW = 0.5  # least net prose weight per character an ancestor must add to be taken
_CHROME_GROW = 0.75  # share of its length that chrome an ancestor would add counts against it
_LAYOUT_BLOCKS = 6  # a chrome-named element with fewer blocks is chrome even if it is most of the page
_FALLBACK_CHARS = 200  # a choice shorter than this on a page of 5x as much text is chosen again
_TITLE_SEP = re.compile(r"\s+[|\-–—·:»/]\s+|\s*[_｜]\s*")  # "_" and "｜": Chinese sites


@dataclass(slots=True)
class _Block:
    text: str
    chars: int  # non-space characters
    eff: float  # effective length: CJK characters weigh as words do in spaced scripts
    link: int  # characters inside links (-1: not counted yet, see _link)
    anc: tuple[int, ...]  # element ids from the root down to the block's own element
    tag: str  # tag of the block's own element
    punct: bool  # holds sentence punctuation (only whether it does is ever asked)
    cuts: tuple[int, ...] = ()  # cumulative link characters at each <br>, when there are any
    node: object = None  # a collapsed element whose links are counted when first asked (_link)


@dataclass
class MainText:
    text: str
    title: str | None
    visible_chars: int


def _cjk_count(text: str, start: int) -> int:
    """CJK characters in ``text`` from ``start`` on, counted as the lengths of their runs (fewer matches)."""
    return sum(map(len, _CJK_RUN.findall(text, start)))


def _drop_link_lines(raw: str, cuts: tuple[int, ...]) -> str:
    """The lines of a <br>-lined block without those that are mostly link text."""
    lines = raw.split("\n")
    if len(lines) != len(cuts):
        return ""
    kept: list[str] = []
    prev = 0
    for ln, cum in zip(lines, cuts, strict=True):
        link, prev = cum - prev, cum
        ln = " ".join(ln.split())
        if ln and link <= 0.5 * (len(ln) - ln.count(" ")):
            kept.append(ln)
    return "\n".join(kept)


class _Walker:
    """One pass over the DOM that produces blocks and per-element chrome marks."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.chrome: set[int] = set()
        self.hidden: set[int] = set()
        self.hidden_chars: dict[int, int] = {}
        self.tags: list[str] = []
        self.parent: list[int] = []
        self.h1: list[str] = []
        self._buf: list[str] = []
        self._link_chars = 0
        self._stack: list[int] = []
        self._link_depth = 0
        self._pre_depth = 0
        self.collapse_limit = 0
        self._line_links: list[int] = []
        self._root = None  # the walked node, a selectolax node
        self._h1_holders: set[int] | None = None  # mem_id of every h1 and its ancestors
        self.h1s: list | None = None  # the page's h1 elements when the caller found them already
        self.sizes: tuple[list[int], list[int], list[float], list[int]] | None = None  # see _select

    def _flush(self) -> None:
        if not self._buf:
            return
        raw = "".join(self._buf)
        self._buf.clear()
        link = self._link_chars
        self._link_chars = 0
        cuts: tuple[int, ...] = ()
        if self._line_links:
            cuts = (*self._line_links, link)
            self._line_links = []
        if raw.isspace():
            return  # (isspace, split and strip agree on what whitespace is)
        if "\n" not in raw:
            # One line, the usual case (text nodes' newlines become spaces outside <pre>); no
            # <br> either, so no cuts, and some text since raw is not all whitespace.
            text = " ".join(raw.split())
            chars = len(text) - text.count(" ")
        else:
            if self._pre_depth:
                lines = [" ".join(ln.split()) for ln in raw.split("\n")]
                text = "\n".join(ln for ln in lines if ln)
            else:
                text = "\n".join(" ".join(ln.split()) for ln in raw.split("\n") if ln.strip())
            if not text:
                return
            if cuts:
                text = _drop_link_lines(raw, cuts) or text
            chars = len(text) - text.count(" ") - text.count("\n")
        cjk = 0 if text.isascii() or (m := _CJK.search(text)) is None else _cjk_count(text, m.start())
        eff = chars - cjk + 3.0 * cjk
        # A line broken by <br> inside inline markup belongs to the enclosing block element.
        stack, tags = self._stack, self.tags
        i = len(stack)
        while i > 1 and tags[stack[i - 1]] not in _BLOCK:
            i -= 1
        anc = tuple(stack[:i])
        tag = tags[anc[-1]] if anc else "html"
        self.blocks.append(_Block(text, chars, eff, min(link, chars), anc, tag, _PUNCT.search(text) is not None, cuts))

    def walk(self, root) -> None:  # root: a selectolax node
        # One loop with locals bound: this walk is most of the extractor's time. Each node's
        # properties are read once (selectolax builds a new object per read); the link and <pre>
        # depths live in locals and are written back for _flush only when they change.
        tags, parent, chrome, anc_stack, buf = self.tags, self.parent, self.chrome, self._stack, self._buf
        hidden = self.hidden
        kinds, flush = _KIND, self._flush
        pending: list[tuple[int, object]] = []  # inline elements on the stack whose marks are not read yet
        mark, mark_attrs = self._mark, _mark_attrs
        link_depth = pre_depth = 0
        self._root = root
        tags.append(root.tag or "")
        parent.append(-1)
        anc_stack.append(0)
        if m := mark(root, root.tag):
            (chrome if m == 1 else self.hidden).add(0)
        stack = [(root.iter(include_text=True), True, 0)]  # (children, is_block, kind)
        while stack:
            it, is_block, kind = stack[-1]
            for child in it:
                tag = child.tag
                if tag == "-text":
                    t = child.text_content
                    if t:
                        if pre_depth:
                            buf.append(t)
                        elif buf or not t.isspace():
                            # Whitespace that would open a block is dropped by _flush anyway
                            # (an empty buffer holds no link count nor <br> line either).
                            buf.append(t.replace("\n", " "))
                        if link_depth:
                            self._link_chars += len(t.strip())
                    continue
                # One lookup sorts the element (see _KIND); a tag not in the table is inline
                # markup, or a comment or doctype ("-comment"), which has no text.
                k = kinds.get(tag)
                if k is None:
                    if tag[0] == "-":
                        continue
                    k = _K_INLINE
                if k >= _K_BLOCK:
                    if buf:
                        flush()
                    ckind = 0
                    if k == _K_PRE:
                        ckind = 2
                        pre_depth += 1
                        self._pre_depth = pre_depth
                    eid = len(tags)
                    tags.append(tag)
                    parent.append(anc_stack[-1])
                    anc_stack.append(eid)
                    if pending:
                        # Inline elements around a block are among its blocks' ancestors: their
                        # marks count now (see below).
                        for pe, pnode in pending:
                            attrs = pnode.attributes
                            if attrs and (pm := mark_attrs(attrs)):
                                (chrome if pm == 1 else hidden).add(pe)
                        pending.clear()
                    # (_mark inlined: most elements have a plain tag and no attributes)
                    if k == _K_CHROME:
                        m = 1
                    else:
                        attrs = child.attributes
                        m = mark_attrs(attrs) if attrs else 0
                    if m:
                        (chrome if m == 1 else hidden).add(eid)
                        if m == 1 and self._collapse(child, eid):
                            if ckind == 2:
                                pre_depth -= 1
                                self._pre_depth = pre_depth
                            anc_stack.pop()
                            continue
                    stack.append((child.iter(include_text=True), True, ckind))
                    break
                if k == _K_A:
                    ckind = 1
                    link_depth += 1
                elif k == _K_INLINE:
                    ckind = 0
                elif k == _K_CELL:
                    # A cell is a field of its row (the row is the block); blocks inside a layout
                    # cell still end paragraphs of their own.
                    if buf:
                        buf.append(" ")
                    ckind = 0
                elif k == _K_BR:
                    buf.append("\n")
                    if not pre_depth:
                        # Links per line, to drop a "Read also: <a>" line from a <br>-lined block.
                        self._line_links.append(self._link_chars)
                    continue
                else:  # _K_SKIP
                    continue
                eid = len(tags)
                tags.append(tag)
                parent.append(anc_stack[-1])
                anc_stack.append(eid)
                # A mark on an inline element (a link, a span, a cell) counts only through the
                # blocks inside it: a block's ancestors end at its nearest block element, or at
                # a collapsed one. Most hold none, so their attributes are read only when a
                # block element turns up inside.
                pending.append((eid, child))
                stack.append((child.iter(include_text=True), False, ckind))
                break
            else:
                stack.pop()
                if is_block and buf:
                    flush()
                if kind == 1:
                    link_depth -= 1
                elif kind == 2:
                    pre_depth -= 1
                    self._pre_depth = pre_depth
                done = anc_stack.pop()
                if pending and pending[-1][0] == done:
                    pending.pop()
        self._link_depth = link_depth
        flush()

    def _collapse(self, node, eid: int) -> bool:
        """Stand a small chrome element in as one block, its text taken by lexbor in one call.

        Menus, footers and sidebars are most of a page's nodes and none of its text; walking
        them node by node would only find that out slowly. An element big enough that the
        selection might void its chrome mark (or holding a headline) is walked as usual.
        """
        # Whether the element is or holds an h1 (as node.css_first("h1") tells, without compiling
        # a selector per element): the h1s' ancestors are listed once per page. Asked first: such
        # an element is often large, and its text is not needed then.
        holders = self._h1_holders
        if holders is None:
            holders = self._h1_holders = _h1_holders(self._root, self.h1s)
        if node.mem_id in holders:
            return False
        text = node.text(deep=True, separator=" ")
        n = len(text) - sum(map(text.count, (" ", "\n", "\t", "\r", "\xa0")))
        if n > self.collapse_limit:
            return False
        self._flush()
        if n:
            body = " ".join(text.split())
            self.blocks.append(
                _Block(body, n, float(n), -1, tuple(self._stack), self.tags[eid], _PUNCT.search(body) is not None, node=node)
            )
        return True

    @staticmethod
    def _mark(node, tag: str | None) -> int:
        """1 if an element looks like chrome by its tag or names, 2 if it is hidden, else 0."""
        if tag in _CHROME_TAGS:
            return 1
        attrs = node.attributes
        return _mark_attrs(attrs) if attrs else 0


def _mark_attrs(attrs: dict) -> int:
    """_Walker._mark by an element's attributes (a non-empty dict)."""
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return 2
    prop = attrs.get("itemprop")
    if prop:
        prop = prop.lower()
        if prop in _META_PROPS:
            return 1
        if prop in ("articlebody", "text"):
            return 0
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return 2
    names = attrs.get("class")
    ident, role = attrs.get("id"), attrs.get("role")
    if ident or role:
        names = " ".join([v for v in (names, ident, role) if v])
    if not names:
        return 0
    return _NAME_CACHE[names]


def _h1_holders(root, h1s: list | None = None) -> set[int]:
    """mem_id of every h1 under root (root a selectolax node) and of each of its ancestors.

    ``h1s``, the h1 elements of the whole document found before scripts were stripped, stand
    for ``root.css("h1")`` without another pass over the tree: HTML parsing puts every h1 in
    the body, and one left in a stripped <noscript> adds only mem_ids of detached elements,
    which the walk never meets.
    """
    held: set[int] = set()
    for h in root.css("h1") if h1s is None else h1s:
        x = h
        while x is not None:
            mid = x.mem_id
            if mid in held:
                break  # the rest of the chain is in already
            held.add(mid)
            x = x.parent
    return held


def _is_chrome_name(names: str) -> int:
    """1 if class/id/role names read as chrome, 2 if as a hiding convention ("hidden", "sr-only"), else 0."""
    weak = False
    positive = False
    for word in _CAMEL.sub(r"-", names).lower().split():
        # (words recur across class strings: "row", "col-md-4", "article__title")
        v = _WORD_CACHE[word]
        if v == 1 or v == 2:
            return v
        if v & _POSITIVE_WORD:
            positive = True
        if v & _WEAK_WORD:
            weak = True
    return 1 if weak and not positive else 0


_POSITIVE_WORD, _WEAK_WORD = 4, 8


def _word_mark(word: str) -> int:
    """What one (lower case) name says: 2 a hiding convention, 1 chrome, else the flags
    _POSITIVE_WORD (it has a content token) and _WEAK_WORD (it ends in a weak token), or 0."""
    if word in _WHOLE_NAMES:
        return 2
    if word.startswith(_TAXONOMY):
        return 0
    toks = [t for t in _TOKEN_SPLIT.split(word) if t]
    if not toks:
        return 0
    flags = 0
    for tok in toks:
        strong = tok in _STRONG or (tok.startswith(_STRONG_PREFIX) and not tok.startswith(_STRONG_EXCEPT))
        if strong and not word.startswith(_STRONG_EXCEPT):
            return 1
        if tok in _POSITIVE:
            flags |= _POSITIVE_WORD
    if toks[-1] in _WEAK_LAST:
        flags |= _WEAK_WORD
    return flags


# Class strings and their words recur across a crawl's pages ("row", "col-md-4", "article__title").
_NAME_CACHE = BoundedMemo(_is_chrome_name, 50_000)
_WORD_CACHE = BoundedMemo(_word_mark, 50_000)


def _link(b: _Block) -> int:
    """Link characters of a collapsed element's block, counted on first use.

    Such a block is chrome, which the selection weighs without its links: most are never
    asked, and each count is a CSS pass plus one text read per link. The subtree is not
    changed after the walk, so a count made later is the count made then.
    """
    if b.link < 0:
        link = 0
        for a in b.node.css("a"):  # type: ignore[attr-defined]
            t = a.text(deep=True)
            link += len(t) - t.count(" ")
        b.link = min(b.chars, link)
        b.node = None
    return b.link


def _weight(b: _Block) -> float:
    """Content weight of one block: prose counts for, links and bare labels against."""
    link = b.link if b.link >= 0 else _link(b)
    ld = link / b.chars if b.chars else 1.0
    if ld > 0.5:
        return -b.eff
    if b.eff < 25 and not b.punct:
        return 0.0
    return b.eff * max(0.0, 1.0 - 2 * ld)


def _clean_title(raw: str | None) -> str | None:
    if not raw:
        return None
    t = " ".join(raw.split())
    return t or None


def _page_title(tree: LexborHTMLParser, h1s: list[str]) -> tuple[str | None, list[str]]:
    """The headline, and every form the page gives it in (for not repeating it in the text)."""
    og = tree.css_first('meta[property="og:title"]') or tree.css_first('meta[name="twitter:title"]')
    cand = _clean_title(og.attributes.get("content") if og else None)
    t = tree.css_first("title")
    title_tag = _clean_title(t.text() if t else None)
    forms = [f for f in (cand, title_tag, h1s[0] if h1s else None) if f]
    for h in h1s:
        # An h1 that the <title> contains is the title without the site name.
        if (title_tag and h in title_tag) or (cand and h in cand):
            return h, forms
    base = cand or title_tag
    if not base:
        return (h1s[0] if h1s else None), forms
    parts = _TITLE_SEP.split(base)
    if len(parts) > 1:
        # The longest part is the headline; site names are short.
        base = max(parts, key=len)
    return base, [base, *forms]


def _tokens(text: str) -> list[str]:
    low = text.casefold()
    # (Most text holds no CJK character: a search in C tells, without the substitution's call
    # into the re module's template code)
    if low.isascii() or _CJK_SPLIT.search(low) is None:
        return low.split()
    # A space on each side of each CJK character (what sub(r" \1 ") gives, without the re
    # module's template expansion in Python for every match)
    return " ".join(_CJK_SPLIT.split(low)).split()


class _TitleMatch:
    """Whether a block repeats the headline (exactly, or near enough: 'HS' for 'High School')."""

    def __init__(self, forms: list[str]) -> None:
        self.exact = {" ".join(f.split()).casefold() for f in forms}
        self.token_sets = [set(_tokens(f)) for f in forms]
        # Most tokens a near match can have (a text has at least as many tokens as words: case
        # folding makes no whitespace, the CJK split only adds some)
        self.most = max((1.5 * len(ts) + 2 for ts in self.token_sets), default=-1.0)

    def __call__(self, text: str) -> bool:
        words = text.split()
        if " ".join(words).casefold() in self.exact:
            return True
        if len(words) > self.most:
            return False  # a paragraph, not a headline
        toks = _tokens(text)
        if len(toks) < 3:
            return False
        for ts in self.token_sets:
            if len(toks) <= 1.5 * len(ts) + 2 and sum(t in ts for t in toks) >= 0.8 * len(toks):
                return True
        return False


def extract(html: str, url: str | None = None) -> MainText:
    """Main text, title and visible character count of one HTML page; never raises on bad input.

    ``html`` is the decoded page (bytes are read as UTF-8). ``url`` is accepted for callers'
    symmetry and future use; nothing depends on it today, so a page extracts the same wherever
    it was captured. ``visible_chars`` counts the non-space characters of the body's text
    (scripts and styles excluded), the denominator of the record's boilerplate ratio.
    """
    try:
        return _extract(html)
    except Exception:  # one malformed page must never stop a run: it yields no text (a reject)
        return MainText(text="", title=None, visible_chars=0)


def engine_id() -> str:
    """Name and version of this extractor and of the parser it runs on, for provenance."""
    from importlib.metadata import version

    return f"maintext{VERSION}+selectolax{version('selectolax')}"


def main_text(html: str, url: str | None = None) -> str:
    """The main text alone (paragraphs separated by a blank line); ``""`` if there is none."""
    return extract(html, url).text


def prepare(html: str | bytes) -> str:
    """The page as the parser gets it: text (bytes read as UTF-8) without NUL characters."""
    if not isinstance(html, str):
        html = bytes(html).decode("utf-8", errors="replace")
    return html.replace("\x00", "") if "\x00" in html else html


def reads_flat(html: str) -> bool:
    """Whether a (prepared) page gets the flat tag-stripped reading instead of a parse.

    Tens of thousands of unclosed tags: the HTML5 tree builder is quadratic in nesting depth
    (seconds to minutes).
    """
    lt = html.count("<")
    return lt > 30_000 and flat_by_counts(lt, html.count("</"))


def flat_by_counts(lt: int, closing: int) -> bool:
    """:func:`reads_flat` from the page's counts of "<" and of "</" (when they are known already)."""
    return lt > 30_000 and lt - 2 * closing > max(20_000, lt // 2)


def extract_tree(tree: LexborHTMLParser, *, h1s: list | None = None) -> MainText:
    """:func:`extract` on a page already parsed (by :func:`prepare` then ``LexborHTMLParser``).

    The tree is changed (scripts and styles are stripped), so anything else that reads it runs
    first. Never raises on bad input. ``h1s``: the document's h1 elements, when a pass over the
    tree found them already (see :func:`archivist.metadata.extract_metadata`).
    """
    try:
        return _extract_tree(tree, h1s)
    except MemoryError:
        raise  # a resource limit, not a malformed page: the caller reports it as such
    except Exception:  # as in extract(): one malformed page yields no text, never a crash
        return MainText(text="", title=None, visible_chars=0)


def _extract(html: str) -> MainText:
    html = prepare(html)
    if not html.strip():
        return MainText(text="", title=None, visible_chars=0)
    if reads_flat(html):
        return _flat(html)
    return _extract_tree(LexborHTMLParser(html))


def _extract_tree(tree: LexborHTMLParser, h1s: list | None = None) -> MainText:
    root = tree.body or tree.root
    if root is None:
        return MainText(text="", title=None, visible_chars=0)
    w = _Walker()
    w.h1s = h1s
    # Chrome smaller than this is not walked (see _Walker._collapse); the estimate counts script
    # text too, so it is capped.
    tree.strip_tags(["script", "style", "noscript", "template"])
    est = root.text(deep=True)
    w.collapse_limit = min(2000, int(0.4 * (len(est) - est.count(" ") - est.count("\n"))))
    w.walk(root)
    blocks = w.blocks
    visible = sum(b.chars for b in blocks)
    h1s = [b.text for b in blocks if b.tag == "h1"]
    title, title_forms = _page_title(tree, h1s)
    if not blocks:
        return MainText(text="", title=title, visible_chars=visible)
    titles = _TitleMatch(title_forms)
    text = _select(w, titles, heed_hidden=True)
    if w.hidden:
        # A page may show a teaser and keep the whole article in a hidden element (revealed by
        # script): when a hidden element holds far more text than the visible choice, take it.
        biggest_hidden = max(w.hidden_chars.values(), default=0)
        if biggest_hidden > 2 * len(text) + 200:
            text = _select(w, titles, heed_hidden=False)
    if len(text) < _FALLBACK_CHARS and visible > 5 * _FALLBACK_CHARS:
        # Next to nothing chosen from a page with plenty of text: the chrome names misled (an
        # article in a "widget" of a page builder). Choose again as if no name were chrome.
        broad = _select(w, titles, heed_hidden=False, heed_chrome=False)
        if len(broad) >= max(_FALLBACK_CHARS, 3 * len(text)):
            text = broad
    return MainText(text=text, title=title, visible_chars=visible)


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)


def _flat(html: str) -> MainText:
    text = _TAG.sub(" ", html)
    lines = [" ".join(ln.split()) for ln in text.splitlines()]
    body = "\n\n".join(ln for ln in lines if ln)
    return MainText(text=body, title=None, visible_chars=len("".join(body.split())))


def _select(w: _Walker, is_title: _TitleMatch, *, heed_hidden: bool, heed_chrome: bool = True) -> str:
    blocks = w.blocks
    n_el = len(w.tags)
    # Element sizes, to let chrome marks on a container that holds most of the page go unheeded;
    # effective lengths and depths, for growing the core. The same for every selection of the page.
    if w.sizes is None:
        # Each block counts for its own element, then each element for its parent: element ids
        # run in document order, so a parent's id is below its children's. (The sums are of whole
        # numbers, exact in any order: the same as adding each block to every ancestor.)
        chars = [0] * n_el
        nblocks = [0] * n_el
        size = [0.0] * n_el
        for b in blocks:
            e = b.anc[-1]
            chars[e] += b.chars
            nblocks[e] += 1
            size[e] += b.eff
        parent = w.parent
        for e in range(n_el - 1, 0, -1):
            p = parent[e]
            chars[p] += chars[e]
            nblocks[p] += nblocks[e]
            size[p] += size[e]
        # Depth in the tree, of elements that hold a block (0 for the others, as a tie-break).
        depth = [0] * n_el
        for e in range(1, n_el):
            if nblocks[e]:
                depth[e] = depth[parent[e]] + 1
        w.sizes = (chars, nblocks, size, depth)
    chars, nblocks, size, depth = w.sizes
    total = chars[0] or 1
    # A chrome mark on a container that holds the headline or most of the page is a layout
    # name ("page has-sidebar"), not chrome.
    # Hidden copies (an AMP or print duplicate, a collapsed teaser) are never the article unless
    # they are most of the page (a page that reveals its body with script).
    hidden = {e for e in w.hidden if chars[e] < 0.6 * total} if heed_hidden else set()
    w.hidden_chars = {e: chars[e] for e in w.hidden}
    holds_h1: set[int] = set()
    for b in blocks:
        if b.tag == "h1" and not w.hidden.intersection(b.anc):
            holds_h1.update(b.anc)
            break
    # (A cookie banner or popup of a few paragraphs stays chrome however short the page is.)
    chrome = (
        {e for e in w.chrome if (chars[e] < 0.4 * total or nblocks[e] < _LAYOUT_BLOCKS) and e not in holds_h1}
        if heed_chrome
        else set()
    )
    chrome |= hidden

    score = [0.0] * n_el  # weight of everything inside, for growing the core
    local = [0.0] * n_el  # weight of what sits near, for finding the core
    no_chrome = chrome.isdisjoint
    for b in blocks:
        anc = b.anc
        eff = b.eff
        # A block under chrome weighs against every container that would take it in.
        under_chrome = not no_chrome(anc)
        wt = -eff if under_chrome else _weight(b)
        grow_wt = -_CHROME_GROW * eff if under_chrome else wt
        # Chrome between paragraphs (a figure, an ad slot) does not make their container less
        # of a core: it is left out of the output anyway.
        local_wt = 0.0 if under_chrome else wt
        for e in anc:
            score[e] += grow_wt
        if local_wt:  # (adding zero changes no comparison: the core is found by max)
            # (_DECAY unrolled: a block's element, parent, grandparent and great-grandparent)
            local[anc[-1]] += local_wt * _D0
            n_anc = len(anc)
            if n_anc > 1:
                local[anc[-2]] += local_wt * _D1
                if n_anc > 2:
                    local[anc[-3]] += local_wt * _D2
                    if n_anc > 3:
                        local[anc[-4]] += local_wt * _D3
    # The core is where prose sits close together (readability's idea: a paragraph counts for its
    # parent and grandparent); it then grows into an ancestor when what the ancestor adds is
    # mostly prose too (a lead in a sibling div, an article split by an ad slot).
    # (max over (local, depth, -id): ties go to the first element, as max with a key gives.
    # The top weight is most often held by one element, which list methods find in C.)
    top = max(local)
    if local.count(top) == 1:
        core = local.index(top)
    else:
        core = max((e for e in range(n_el) if local[e] == top), key=lambda e: (depth[e], -e))
    best = core
    e = w.parent[core]
    while e >= 0:
        added, added_size = score[e] - score[best], size[e] - size[best]
        if added > 0 and added >= _GROW * added_size:
            best = e
        e = w.parent[e]

    chosen: list[_Block] = []
    db = depth[best]
    for b in blocks:
        anc = b.anc
        if len(anc) <= db or anc[db] != best:
            continue
        if chrome and not no_chrome(anc[db + 1 :]):
            continue
        if (b.link if b.link >= 0 else _link(b)) > 0.5 * b.chars:
            continue
        chosen.append(b)

    # Trim bylines, dates and labels at both ends: short and no sentence end.
    def weak(b: _Block) -> bool:
        return b.tag not in _KEEP_AT_EDGE and b.eff < 60 and not _SENT_END.search(b.text)

    # The headline is the record's title: not repeated at the top of the text.
    start, end = 0, len(chosen)
    while start < end and (weak(chosen[start]) or is_title(chosen[start].text)):
        start += 1
    while end > start and weak(chosen[end - 1]):
        end -= 1
    # Nothing but short lines is a short page (a stub, a notice), not chrome around an article:
    # keep them, less the headline.
    chosen = [b for b in chosen if not is_title(b.text)] if start == end else chosen[start:end]
    out: list[str] = []
    seen: dict[str, int] = {}
    prev_tag, prev_container = "", -2
    labels = len(chosen) >= 3
    for b in chosen:
        if b.tag in _HEADINGS and is_title(b.text):
            continue
        # A lone word in a div between paragraphs is a slot label ("Advertisement", "REKLAMA",
        # "Реклама", "广告") whatever the slot's class is called; a subhead stands in a heading
        # or a paragraph.
        if labels and b.tag in _LABEL_TAGS and not b.punct and b.eff < 30 and " " not in b.text:
            continue
        # A page that carries its article twice (an AMP copy, a print copy) gives it once; a
        # paragraph repeated within one container (a refrain, a recurring menu line) and short
        # repeated labels ("Account:") stay.
        container = b.anc[-2] if len(b.anc) > 1 else -1
        if b.eff >= 80 and seen.setdefault(b.text, container) != container:
            continue
        # Items of one list and rows of one table are lines; everything else is a paragraph.
        if out and b.tag in _LINE_TAGS and b.tag == prev_tag and container == prev_container:
            out.append("\n")
        elif out:
            out.append("\n\n")
        out.append(b.text)
        prev_tag, prev_container = b.tag, container
    return "".join(out)
