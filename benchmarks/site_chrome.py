"""Site chrome of the weight real news pages carry, for the generated benchmark pages.

The bundled example pages have a real page's structure but a fifth of its weight: about 16 KB,
3 scripts and 70 block elements, where the 181 real news pages of the extraction benchmark have
a median of 115 KB, 33 scripts (27 KB of script text), 135 links and 290 div/span/li elements.
What makes up the difference on real pages is added here, with the page's own language in its
visible text: preloads, critical CSS, a tag manager, an ad and consent configuration, an SVG
icon sprite, a mega menu, teaser blocks (related, most read, more from the section), a longer
footer, and the serialised application state that server-rendered sites ship at the end of the
body (which repeats the article's text, as Next.js's ``__NEXT_DATA__`` does).

Everything is drawn from a seeded ``random.Random``: the same seed gives the same pages.
"""

from __future__ import annotations

import json
import random
import re
from html import escape

_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"\s+")
_HREF = re.compile(r'https?://[^/"\s]+')
_SECTIONS = ["world", "europe", "politics", "business", "markets", "energy", "environment", "science", "tech",
             "health", "culture", "sport", "travel", "opinion", "video", "podcasts", "weather", "local"]
_ICONS = ["facebook", "x", "linkedin", "telegram", "whatsapp", "mail", "search", "menu", "close", "play",
          "chevron", "user", "bookmark", "share", "clock", "comment"]


def _plain(html: str) -> str:
    return _WS.sub(" ", _TAG.sub("", html)).strip()


def _cut(text: str, n: int) -> str:
    """About ``n`` characters of ``text``, at a word boundary where the script has words."""
    if len(text) <= n:
        return text
    head = text[:n]
    space = head.rfind(" ")
    return head[:space] if space > n // 2 else head


class Chrome:
    """The chrome of one site, filled per page with teasers drawn from the site's own text."""

    def __init__(self, page: str, lang: str, seed: int) -> None:
        rng = random.Random(seed)
        m = _HREF.search(page[page.find("<body"):])
        self.base = m.group(0) if m else "https://www.site.example"
        self.static = self.base.replace("://www.", "://static.")
        self.lang = lang
        paras = [_plain(p) for p in re.findall(r"<p(?:\s[^>]*)?>(.*?)</p>", page, re.S)]
        self.sentences = [p for p in paras if len(p) > 40] or ["…"]
        self.sections = _SECTIONS[:]
        rng.shuffle(self.sections)
        self.css = self._css(rng)
        self.sprite = self._sprite(rng)
        self.hash = f"{rng.getrandbits(32):08x}"

    # -- pieces that are the same on every page of the site

    @staticmethod
    def _css(rng: random.Random) -> str:
        blocks = ["header", "nav", "mega", "teaser", "story", "footer", "ad-slot", "cmp", "share", "newsletter",
                  "most-read", "card", "btn", "grid", "icon", "live", "video", "gallery"]
        rules = []
        for b in blocks:
            for el in ("", "__title", "__meta"):
                props = [f"margin:{rng.randint(0, 24)}px {rng.randint(0, 24)}px",
                         f"padding:{rng.randint(0, 16)}px", f"font-size:{rng.choice((12, 14, 16, 18, 22, 28))}px",
                         f"line-height:{rng.choice((1.2, 1.4, 1.5, 1.6))}",
                         f"color:#{rng.getrandbits(24):06x}", f"display:{rng.choice(('block', 'flex', 'grid', 'none'))}"]
                rules.append(f".{b}{el}{{{';'.join(rng.sample(props, 4))}}}")
        rules.append("@media (min-width:768px){" + "".join(rules[:12]) + "}")
        return "".join(rules)

    @staticmethod
    def _sprite(rng: random.Random) -> str:
        def path() -> str:
            pts = " ".join(f"L{rng.randint(0, 240) / 10:.1f} {rng.randint(0, 240) / 10:.1f}" for _ in range(rng.randint(12, 30)))
            return f'<path d="M{rng.randint(0, 24)} {rng.randint(0, 24)} {pts}Z"/>'

        symbols = "".join(f'<symbol id="icon-{n}" viewBox="0 0 24 24">{"".join(path() for _ in range(2))}</symbol>'
                          for n in _ICONS)
        return f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">{symbols}</svg>'

    # -- pieces filled per page

    def _headline(self, rng: random.Random) -> str:
        return _cut(rng.choice(self.sentences), rng.randint(50, 90))

    def _link(self, rng: random.Random, section: str | None = None) -> str:
        section = section or rng.choice(self.sections)
        return f"{self.base}/{self.lang}/{section}/2026/0{rng.randint(1, 3)}/{rng.randint(10, 28)}/a-{rng.getrandbits(40):010x}"

    def _teaser(self, rng: random.Random, cls: str) -> str:
        url, title = self._link(rng), escape(self._headline(rng))
        summary = escape(_cut(rng.choice(self.sentences), rng.randint(90, 160)))
        return (f'<article class="{cls} card"><a class="{cls}__link" href="{url}">'
                f'<figure class="{cls}__media"><img src="{self.static}/img/2026/{rng.getrandbits(32):08x}.jpg" '
                f'srcset="{self.static}/img/2026/w320/{rng.getrandbits(32):08x}.jpg 320w, '
                f'{self.static}/img/2026/w640/{rng.getrandbits(32):08x}.jpg 640w" sizes="(min-width:768px) 33vw, 100vw" '
                f'alt="" loading="lazy" width="640" height="360"></figure>'
                f'<h3 class="{cls}__title">{title}</h3></a><p class="{cls}__summary">{summary}</p>'
                f'<div class="{cls}__meta"><span class="{cls}__section">{rng.choice(self.sections).title()}</span>'
                f'<time datetime="2026-03-{rng.randint(1, 9):02d}T{rng.randint(6, 22):02d}:00:00Z"></time>'
                f'<svg class="icon"><use href="#icon-clock"></use></svg></div></article>')

    def head(self, rng: random.Random) -> str:
        pre = "".join(f'<link rel="preload" as="script" href="{self.static}/js/{n}.{self.hash}.js">'
                      for n in ("runtime", "vendor", "app", "article", "ads", "consent"))
        pre += "".join(f'<link rel="dns-prefetch" href="https://{h}.example">'
                       for h in ("ads", "cdn", "analytics", "fonts", "video", "comments"))
        gtm = ("(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});"
               "var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
               f"j.src='https://analytics.example/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);}})"
               f"(window,document,'script','dataLayer','GTM-{self.hash.upper()}');")
        slots = {f"slot-{i}": {"unit": f"/{self.hash}/{self.lang}/article/{i}", "sizes": [[300, 250], [728, 90], [970, 250]],
                               "targeting": {"section": rng.choice(self.sections), "pos": i, "kw": rng.sample(self.sections, 4)},
                               "lazy": i > 1} for i in range(12)}
        ads = f"window.adConfig={json.dumps({'site': self.base, 'lang': self.lang, 'slots': slots}, separators=(',', ':'))};"
        vendors = {str(v): {"name": f"vendor {v}", "purposes": rng.sample(range(1, 11), 4), "legInt": v % 3 == 0}
                   for v in range(1, 60)}
        consent = f"window.__cmpConfig={json.dumps({'vendors': vendors, 'version': 2}, separators=(',', ':'))};"
        ext = "".join(f'<script async src="https://{h}.example/{p}.js"></script>'
                      for h, p in (("ads", "gpt"), ("ads", "prebid"), ("analytics", "a"), ("cdn", "polyfill"),
                                   ("comments", "embed"), ("video", "player")))
        return (f"{pre}<style>{self.css}</style><script>{gtm}</script><script>{ads}</script>"
                f"<script>{consent}</script>{ext}")

    def body_start(self) -> str:
        return self.sprite

    def mega_menu(self, rng: random.Random) -> str:
        cols = []
        for s in self.sections[:8]:
            links = "".join(f'<li class="mega__item"><a href="{self._link(rng, s)}">{escape(_cut(rng.choice(self.sentences), rng.randint(12, 28)))}</a></li>'
                            for _ in range(5))
            cols.append(f'<div class="mega__col"><h3 class="mega__title"><a href="{self.base}/{self.lang}/{s}/">{s.title()}</a></h3>'
                        f'<ul class="mega__list">{links}</ul><div class="mega__feature">{self._teaser(rng, "mega-teaser")}</div></div>')
        return f'<div class="mega" id="mega-menu" hidden><div class="mega__inner">{"".join(cols)}</div></div>'

    def after_article(self, rng: random.Random) -> str:
        more = "".join(self._teaser(rng, "teaser") for _ in range(6))
        read = "".join(f'<li class="most-read__item"><span class="most-read__rank">{i}</span>'
                       f'<a href="{self._link(rng)}">{escape(self._headline(rng))}</a></li>' for i in range(1, 11))
        return (f'<section class="more-from"><h2 class="more-from__title">{escape(self._headline(rng)[:30])}</h2>'
                f'<div class="grid grid--3">{more}</div></section>'
                f'<aside class="most-read"><h2>{escape(self._headline(rng)[:20])}</h2><ol>{read}</ol></aside>'
                + "".join(f'<div class="ad-slot ad-slot--inline" id="slot-{i}" data-slot="{i}"></div>' for i in range(3, 7)))

    def footer(self, rng: random.Random) -> str:
        cols = "".join(f'<div class="footer__col"><h4>{s.title()}</h4><ul>'
                       + "".join(f'<li><a href="{self.base}/{self.lang}/{s}/{t}">{t.replace("-", " ").title()}</a></li>'
                                 for t in rng.sample(["latest", "analysis", "interviews", "data", "live", "archive",
                                                      "newsletters", "video", "podcast", "photos"], 6))
                       + "</ul></div>" for s in self.sections[:8])
        return f'<div class="footer__sitemap">{cols}</div>'

    def body_end(self, rng: random.Random, article: str, title: str, n: int) -> str:
        paras = [_plain(p) for p in re.findall(r"<p(?:\s[^>]*)?>(.*?)</p>", article, re.S)]
        state = {"props": {"pageProps": {
            "article": {"id": n, "title": title, "lang": self.lang, "body": [{"type": "paragraph", "text": p} for p in paras if p],
                        "tags": rng.sample(self.sections, 5)},
            "navigation": [{"label": s.title(), "href": f"{self.base}/{self.lang}/{s}/",
                            "children": [{"label": _cut(rng.choice(self.sentences), 20), "href": self._link(rng, s)} for _ in range(4)]}
                           for s in self.sections],
            "recommendations": [{"title": self._headline(rng), "href": self._link(rng), "image": f"{self.static}/img/{rng.getrandbits(32):08x}.jpg"}
                                for _ in range(12)]}},
            "page": "/[section]/[...slug]", "buildId": self.hash, "locale": self.lang}
        lazy = ("(function(){var io=new IntersectionObserver(function(es){es.forEach(function(e){if(e.isIntersecting){"
                "var i=e.target;i.src=i.dataset.src;io.unobserve(i);}})},{rootMargin:'200px'});"
                "document.querySelectorAll('img[data-src]').forEach(function(i){io.observe(i)});})();")
        ext = "".join(f'<script defer src="{self.static}/js/{p}.{self.hash}.js"></script>'
                      for p in ("runtime", "vendor", "app", "article", "comments", "newsletter", "video", "share",
                                "paywall", "live", "gallery", "search", "player", "polyfills", "sentry", "consent-ui"))
        state_json = json.dumps(state, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        return (f'<script id="__NEXT_DATA__" type="application/json">{state_json}</script>'
                f"<script>{lazy}</script>"
                f"<script>window.dataLayer=window.dataLayer||[];dataLayer.push({json.dumps({'event': 'article_view', 'id': n, 'lang': self.lang})});</script>"
                f"{ext}")


def dress(page: str, chrome: Chrome, rng: random.Random, n: int) -> str:
    """``page`` with the site's chrome added around its own: head, menu, teasers, footer, state."""
    title_m = re.search(r"<title>(.*?)</title>", page, re.S)
    title = _plain(title_m.group(1)) if title_m else ""
    art_start, art_end = page.find("<article"), page.find("</article>")
    article = page[art_start:art_end] if 0 <= art_start < art_end else ""

    def insert(html: str, marker: str, add: str, after: bool = False) -> str:
        i = html.find(marker)
        if i < 0:
            return html
        if after:
            i = html.find(">", i) + 1
        return html[:i] + add + html[i:]

    page = insert(page, "</head>", chrome.head(rng))
    page = insert(page, "<body", chrome.body_start(), after=True)
    page = insert(page, "</nav>", chrome.mega_menu(rng), after=True)
    page = insert(page, "</article>", chrome.after_article(rng), after=True)
    page = insert(page, "</footer>", chrome.footer(rng))
    return insert(page, "</body>", chrome.body_end(rng, article, title, n))
