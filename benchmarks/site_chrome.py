"""Site chrome of the weight and shape real news pages carry, for the generated benchmark pages.

The bundled example pages have a real page's structure but a fifth of its weight: about 16 KB,
3 scripts and 70 block elements. What makes up the difference on the 181 real news pages of the
extraction benchmark is added here, measured against their medians (benchmarks/README.md has
the table): a full ``<head>`` (icons, alternates, social tags, preloads), inline scripts (tag
manager, ad and consent configuration, a loader), wrapper ``<div>``s around the page, a mega
menu, teaser cards nested as component libraries nest them, ad slots, a newsletter box, a
longer footer, comments, indentation and the serialised application state that some
server-rendered sites ship at the end of the body. Sites differ as real ones do: one ships an
SVG sprite, one a large stylesheet inline, two their application state as JSON.

Teaser headlines are new sentences of the site's language (``article_text.TextPool``).
Everything is drawn from a seeded ``random.Random``: the same seed gives the same pages.
"""

from __future__ import annotations

import json
import random
import re
from html import escape

from article_text import TextPool, plain

_HREF = re.compile(r'https?://[^/"\s]+')
_SECTIONS = ["world", "europe", "politics", "business", "markets", "energy", "environment", "science", "tech",
             "health", "culture", "sport", "travel", "opinion", "video", "podcasts", "weather", "local"]
_ICONS = ["facebook", "x", "linkedin", "telegram", "whatsapp", "mail", "search", "menu", "close", "play",
          "chevron", "user", "bookmark", "share", "clock", "comment"]
_LANGS = ["en", "de", "fr", "ru", "ja", "pl", "et"]
# block tags that start a line, as the templates of real sites print them
_LINE = re.compile(r"<(?=(?:div|section|aside|ul|ol|form|header|footer|nav|article|figure|li|h2|h3|h4|p|script|link|meta)\b|"
                   r"/(?:div|section|aside|ul|ol|form|header|footer|nav|article|figure)>)")

# Snippets of the minified JavaScript real pages inline (loaders, polyfills, analytics
# queues); identifiers and numbers are filled per site.
_JS = [
    "!function(e,t){{var n=t.createElement('script');n.async=!0,n.src='{s}/js/{a}.{h}.js',"
    "n.onload=function(){{e.{a}Ready=!0}},t.head.appendChild(n)}}(window,document);",
    "window.{a}=window.{a}||function(){{(window.{a}.q=window.{a}.q||[]).push(arguments)}};{a}('init','{h}');"
    "{a}('set','page',{{type:'article',ts:{n}}});",
    "(function(){{var {b}=[].slice.call(document.querySelectorAll('[data-{a}]'));{b}.forEach(function(e){{"
    "e.addEventListener('click',function(t){{window.dataLayer&&window.dataLayer.push({{event:'{a}',label:e.getAttribute('data-{a}')}})}})}})}})();",
    "if(!('IntersectionObserver'in window)){{var {b}=document.createElement('script');{b}.src='{s}/js/io-polyfill.{h}.js';"
    "document.head.appendChild({b})}}",
    "try{{var {b}=JSON.parse(localStorage.getItem('{a}')||'{{}}');if({b}.v!=={n}){{localStorage.removeItem('{a}')}}}}"
    "catch(e){{console&&console.warn('{a}',e)}}",
    "window.__{a}={{config:{{endpoint:'{s}/api/{a}',timeout:{n},retries:3,sample:0.{n}}},queue:[]}};",
    "document.addEventListener('DOMContentLoaded',function(){{var {b}=document.getElementById('{a}');"
    "if({b}){{{b}.classList.add('is-ready');{b}.setAttribute('aria-hidden','false')}}}});",
    "var {b}=function(e,t,n){{var r=new Date;r.setTime(r.getTime()+864e5*n),document.cookie=e+'='+t+';expires='"
    "+r.toUTCString()+';path=/;SameSite=Lax'}};{b}('{a}_seen','{h}',{n});",
]
_IDENT = ["ga", "gtag", "fbq", "pbjs", "apstag", "cmp", "nlw", "paywall", "sentry", "chartbeat", "parsely", "comscore",
          "optimizely", "hotjar", "piano", "taboola", "outbrain", "permutive", "liveramp", "newsletter"]


def _indent(fragment: str, depth: int, step: int = 1) -> str:
    """``fragment`` with its block tags on their own lines, indented ``step`` spaces per level of
    the fragment's place in the page (one level for the whole fragment: regular expression speed)."""
    return _LINE.sub("\n" + " " * (step * depth) + "<", fragment)


class Chrome:
    """The chrome of one site, filled per page with teasers drawn from the site's own language."""

    def __init__(self, page: str, lang: str, seed: int, pool: TextPool) -> None:
        rng = random.Random(seed)
        m = _HREF.search(page[page.find("<body") :])
        self.base = m.group(0) if m else "https://www.site.example"
        self.static = self.base.replace("://www.", "://static.")
        self.lang = lang
        self.pool = pool
        self.ja = lang == "ja"
        self.sections = _SECTIONS[:]
        rng.shuffle(self.sections)
        self.hash = f"{rng.getrandbits(32):08x}"
        # what differs between sites, as it does between real ones
        # Each site is heavy in one thing, as real sites are (one ships its application state,
        # one an icon sprite, one its stylesheet, one a large inline bundle, one indented
        # markup): per page, each of these is small at the median and large on some sites.
        heavy = seed % 5
        self.state = heavy == 3
        self.sprite = self._sprite(rng) if heavy == 1 else ""
        self.css = self._css(rng, 480 if heavy == 2 else 16)
        self.js = self._js(rng, 50000 if heavy == 0 else 17500)
        self.islands = heavy == 4  # components hydrated from JSON in data-props attributes
        self.step = 2
        self.site_name = plain(re.search(r'og:site_name" content="([^"]*)"', page).group(1)) if 'og:site_name" content="' in page else ""

    # -- pieces that are the same on every page of the site

    @staticmethod
    def _css(rng: random.Random, n: int) -> str:
        blocks = ["header", "nav", "mega", "teaser", "story", "footer", "ad-slot", "cmp", "share", "newsletter",
                  "most-read", "card", "btn", "grid", "icon", "live", "video", "gallery", "comments", "col"]
        rules = []
        for k in range(n):
            b, el = blocks[k % len(blocks)], ("", "__title", "__meta", "__body", "__media", "__inner")[k // len(blocks) % 6]
            props = [f"margin:{rng.randint(0, 24)}px {rng.randint(0, 24)}px",
                     f"padding:{rng.randint(0, 16)}px", f"font-size:{rng.choice((12, 14, 16, 18, 22, 28))}px",
                     f"line-height:{rng.choice((1.2, 1.4, 1.5, 1.6))}",
                     f"color:#{rng.getrandbits(24):06x}", f"display:{rng.choice(('block', 'flex', 'grid', 'none'))}"]
            rules.append(f".{b}{el}{{{';'.join(rng.sample(props, 4))}}}")
        rules.append("@media (min-width:768px){" + "".join(rules[: n // 10]) + "}")
        return "".join(rules)

    @staticmethod
    def _sprite(rng: random.Random) -> str:
        def path() -> str:
            pts = " ".join(f"L{rng.randint(0, 240) / 10:.1f} {rng.randint(0, 240) / 10:.1f}" for _ in range(rng.randint(12, 30)))
            return f'<path d="M{rng.randint(0, 24)} {rng.randint(0, 24)} {pts}Z"/>'

        symbols = "".join(f'<symbol id="icon-{n}{k}" viewBox="0 0 24 24">{"".join(path() for _ in range(3))}</symbol>'
                          for n in _ICONS for k in ("", "-filled"))
        return f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">{symbols}</svg>'

    def _js(self, rng: random.Random, size: int) -> list[str]:
        """Inline scripts of about ``size`` bytes in all, each a few snippets long."""
        scripts, n = [], 0
        while n < size:
            parts = []
            for _ in range(rng.randint(10, 24)):
                a, b = rng.choice(_IDENT), f"_{rng.getrandbits(16):04x}"
                parts.append(rng.choice(_JS).format(a=a, b=b, s=self.static, h=self.hash, n=rng.randint(10, 99999)))
            scripts.append("".join(parts))
            n += len(scripts[-1])
        return scripts

    # -- pieces filled per page

    def _headline(self, rng: random.Random) -> str:
        return self.pool.headline(rng, 18, 36) if self.ja else self.pool.headline(rng, 40, 80)

    def _label(self, rng: random.Random) -> str:
        return self.pool.label(rng, 5) if self.ja else self.pool.label(rng, rng.randint(8, 18))

    def _link(self, rng: random.Random, section: str | None = None, src: str = "") -> str:
        section = section or rng.choice(self.sections)
        url = f"{self.base}/{section}/2026/0{rng.randint(1, 3)}/{rng.randint(10, 28)}/a{rng.getrandbits(24)}"
        return f"{url}?ref={src}&amp;pos={rng.randint(1, 9)}" if src else url

    def _teaser(self, rng: random.Random, pos: int, summary: bool) -> str:
        url, title = self._link(rng, src="more"), escape(self._headline(rng), quote=False)
        img = f"{self.static}/img/2026/0{rng.randint(1, 3)}"
        key = f"{rng.getrandbits(32):08x}"
        text = (f'<p class="card__summary text-muted">{escape(self.pool.headline(rng, 40, 70) if self.ja else self.pool.headline(rng, 90, 160), quote=False)}</p>'
                if summary else "")
        props = ""
        if self.islands:
            data = {"id": key, "title": plain(title), "url": url.replace("&amp;", "&"), "section": rng.choice(self.sections),
                    "image": {"src": f"{img}/{key}.jpg", "w": 640, "h": 360, "variants": [f"{img}/{key}-{w}.jpg" for w in (320, 640, 1280)]},
                    "summary": self.pool.headline(rng, 60, 140), "tracking": {"list": "more-from", "pos": pos},
                    "related": [{"title": self._headline(rng), "url": self._link(rng)} for _ in range(4)],
                    "author": {"name": self.pool.label(rng, 8), "url": f"{self.base}/authors/{rng.getrandbits(24)}"}}
            props = (f'<script type="application/json" data-island="TeaserCard-{key}" hidden></script>'
                     f'<div class="island" data-component="TeaserCard" data-props="{escape(json.dumps(data, ensure_ascii=False))}"></div>')
        icon = '<svg class="icon icon--clock" aria-hidden="true"><use href="#icon-clock"></use></svg>' if self.sprite else ""
        return (f'<div class="col-12 col-md-6 col-lg-3 grid__item flex flex-col mb-6 md:mb-8">'
                f'<div class="card card--teaser card--{rng.choice(("default", "compact", "wide"))}" data-id="{key}" '
                f'data-position="{pos}" data-track-label="more-from|{pos}|{key}" data-component="TeaserCard">'
                f'<div class="card__inner relative flex flex-col h-full bg-white rounded-md shadow-sm hover:shadow-md transition-shadow">'
                f'<a class="card__link block text-inherit no-underline focus:outline-none focus-visible:ring-2" href="{url}" data-track="teaser">'
                f'<!-- teaser {key} --><div class="card__media ratio ratio--16x9">'
                f'<picture class="card__picture"><source type="image/webp" srcset="{img}/{key}.webp">'
                f'<img class="card__image lazyload object-cover w-full h-full" src="{img}/{key}.jpg" '
                f'alt="{escape(self._label(rng))}" loading="lazy" width="640" height="360">'
                f'</picture></div><div class="card__body flex-1 px-4 pt-3 pb-2"><h3 class="card__title heading heading--s text-lg font-semibold leading-snug line-clamp-3">{title}</h3>{text}'
                f'<div class="card__meta flex items-center gap-2 text-xs text-gray-600 uppercase tracking-wide"><span class="card__section font-bold">{rng.choice(self.sections).title()}</span>'
                f' &middot; '
                f'<time class="card__time" datetime="2026-03-{rng.randint(1, 28):02d}T{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}:00Z">'
                f'{rng.randint(1, 23)}h</time>{icon}</div></div></a>'
                f'<button class="card__bookmark btn btn--icon" type="button" data-id="{key}" '
                f'aria-label="Bookmark" aria-pressed="false"><i class="icon icon-bookmark" aria-hidden="true"></i></button>'
                f'<button class="card__share btn btn--icon" type="button" data-share-url="{url}" aria-label="Share">'
                f'<i class="icon icon-share" aria-hidden="true"></i></button></div></div></div>{props}')

    def head(self, rng: random.Random, title: str) -> str:
        t = escape(title)
        tags = [f'<meta name="theme-color" content="#{rng.getrandbits(24):06x}">',
                '<meta name="format-detection" content="telephone=no">',
                '<meta name="referrer" content="strict-origin-when-cross-origin">',
                f'<meta property="fb:app_id" content="{rng.getrandbits(48)}">',
                '<meta property="og:image:width" content="1200">', '<meta property="og:image:height" content="675">',
                f'<meta property="og:image:alt" content="{t}">', f'<meta name="twitter:title" content="{t}">',
                f'<meta name="twitter:image" content="{self.static}/img/2026/03/{rng.getrandbits(32):08x}-1200x675.jpg">',
                f'<meta name="twitter:creator" content="@{self.hash[:6]}">',
                f'<meta name="google-site-verification" content="{rng.getrandbits(128):032x}">',
                '<meta name="msapplication-TileColor" content="#ffffff">',
                f'<meta name="apple-mobile-web-app-title" content="{escape(self.site_name)}">',
                f'<meta name="parsely-metadata" content=\'{{"section":"{rng.choice(self.sections)}","id":"{rng.getrandbits(32)}"}}\'>',
                f'<link rel="manifest" href="{self.base}/manifest.webmanifest">']
        tags += [f'<link rel="apple-touch-icon" sizes="{s}x{s}" href="{self.static}/icons/apple-touch-icon-{s}.png">'
                 for s in (120, 152, 180)]
        tags += [f'<link rel="icon" type="image/png" sizes="{s}x{s}" href="{self.static}/icons/favicon-{s}.png">'
                 for s in (16, 32)]
        tags += [f'<link rel="alternate" hreflang="{h}" href="{self.base}/{h}/">' for h in _LANGS[:5]]
        tags += [f'<link rel="preload" as="script" href="{self.static}/js/{n}.{self.hash}.js">'
                 for n in ("runtime", "vendor", "app", "article", "ads", "consent")]
        tags += [f'<link rel="dns-prefetch" href="https://{h}.example">'
                 for h in ("ads", "cdn", "analytics", "fonts", "video", "comments")]
        gtm = ("(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});"
               "var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
               f"j.src='https://analytics.example/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);}})"
               f"(window,document,'script','dataLayer','GTM-{self.hash.upper()}');")
        slots = {f"slot-{i}": {"unit": f"/{self.hash}/{self.lang}/article/{i}", "sizes": [[300, 250], [728, 90]],
                               "targeting": {"section": rng.choice(self.sections), "pos": i}, "lazy": i > 1} for i in range(8)}
        ads = f"window.adConfig={json.dumps({'site': self.base, 'lang': self.lang, 'slots': slots}, separators=(',', ':'))};"
        ext = "".join(f'<script async src="https://{h}.example/{p}.js"></script>'
                      for h, p in (("ads", "gpt"), ("ads", "prebid"), ("analytics", "a"), ("cdn", "polyfill"),
                                   ("comments", "embed"), ("video", "player")))
        inline = "".join(f"<script>{s}</script>" for s in self.js[: len(self.js) // 2])
        return _indent("".join(tags) + f"<!-- critical css, build {self.hash} --><style>{self.css}</style>"
                       f"<!-- Google Tag Manager --><script>{gtm}</script><!-- End Google Tag Manager -->"
                       f"<script>{ads}</script>{inline}{ext}", 1, self.step) + "\n"

    def body_start(self) -> str:
        return (f'{self.sprite}\n<div id="app" class="app app--article" data-page-type="article" data-build="{self.hash}">'
                '<div class="page-wrapper"><div class="layout layout--article">\n')

    def body_close(self) -> str:
        return "\n</div><!-- /.layout --></div><!-- /.page-wrapper --></div><!-- /#app -->\n"

    def mega_menu(self, rng: random.Random) -> str:
        cols = []
        for s in self.sections[:6]:
            links = "".join(f'<li class="mega__item"><a class="mega__link" href="{self._link(rng, s)}" data-track="nav|{s}|{k}">'
                            f'{escape(self._label(rng), quote=False)}</a></li>' for k in range(4))
            cols.append(f'<div class="col col-md-2 mega__col"><div class="mega__section">'
                        f'<h3 class="mega__title"><a href="{self.base}/{self.lang}/{s}/" data-track="nav|{s}">{s.title()}</a></h3>'
                        f'<ul class="mega__list list-unstyled">{links}</ul>{self._promo(rng) if len(cols) % 2 else ""}</div></div>')
        return _indent(f'<!-- mega menu --><div class="mega" id="mega-menu" hidden aria-hidden="true"><div class="mega__inner container">'
                       f'<div class="row">{"".join(cols)}</div></div></div>', 2, self.step) + "\n"

    def _promo(self, rng: random.Random) -> str:
        return (f'<div class="mega__promo hidden lg:block mt-4"><img class="mega__promo-image rounded" '
                f'src="{self.static}/img/promo/{rng.getrandbits(32):08x}.jpg" alt="" width="240" height="135" loading="lazy">'
                f'<p class="mega__promo-label text-sm">{escape(self._label(rng), quote=False)}</p></div>')

    def ticker(self, rng: random.Random) -> str:
        """A market (or weather) strip under the header: list items with figures, no links."""
        items = "".join(f'<li class="ticker__item flex items-center gap-1" data-symbol="{w.upper()}">'
                        f'<strong class="ticker__name font-semibold">{w.upper()}</strong> '
                        f'<span class="ticker__value {"text-green-700" if rng.random() < 0.5 else "text-red-700"}">'
                        f'{rng.randint(100, 40000)}.{rng.randint(0, 99):02d} ({rng.choice("+-")}{rng.randint(0, 300) / 100:.2f}%)</span></li>'
                        for w in rng.sample(["dax", "cac", "ftse", "stoxx", "nikkei", "dow", "sp500", "nasdaq", "brent",
                                             "gold", "eurusd", "btc", "omx", "wig"], 10))
        return _indent(f'<!-- ticker --><div class="ticker" role="region" aria-label="Markets"><div class="ticker__inner container">'
                       f'<ul class="ticker__list flex overflow-x-auto whitespace-nowrap">{items}</ul></div></div>', 2, self.step) + "\n"

    def dialogs(self, rng: random.Random) -> str:
        """The login dialog and the consent manager's preference panel, hidden until opened."""
        purposes = "".join(
            f'<div class="cmp-purpose border-b py-3 flex justify-between" data-purpose="{k}">'
            f'<h4 class="cmp-purpose__title text-sm font-semibold">{escape(self._label(rng), quote=False)}</h4>'
            f'<label class="switch" for="cmp-p{k}"><input class="switch__input" type="checkbox" id="cmp-p{k}" name="purpose-{k}" '
            f'{"checked disabled" if k == 1 else ""}><span class="switch__slider" aria-hidden="true"></span></label></div>'
            for k in range(1, 7))
        login = (f'<div class="modal" id="login-modal" role="dialog" aria-modal="true" aria-labelledby="login-title" hidden>'
                 f'<div class="modal__dialog max-w-md mx-auto"><div class="modal__content bg-white rounded-lg p-6">'
                 f'<h2 class="modal__title text-xl" id="login-title">{escape(self._label(rng), quote=False)}</h2>'
                 f'<button class="modal__close btn btn--icon" type="button" data-dismiss="modal" aria-label="Close">&times;</button>'
                 f'<form class="modal__form" action="{self.base}/account/login" method="post">'
                 f'<div class="form-group"><label class="form-label" for="login-email">E-mail</label>'
                 f'<input class="form-control" id="login-email" type="email" name="email" autocomplete="username" required></div>'
                 f'<div class="form-group"><label class="form-label" for="login-password">Password</label>'
                 f'<input class="form-control" id="login-password" type="password" name="password" autocomplete="current-password" required></div>'
                 f'<p class="modal__hint text-xs text-gray-600">{escape(self._label(rng), quote=False)}</p>'
                 f'<button class="btn btn--primary w-full" type="submit">OK</button></form></div></div></div>')
        prefs = (f'<div class="cmp-preferences" id="cmp-preferences" role="dialog" aria-modal="true" hidden>'
                 f'<div class="cmp-preferences__inner"><h3 class="cmp-preferences__title">{escape(self._label(rng), quote=False)}</h3>'
                 f'<div class="cmp-preferences__list">{purposes}</div>'
                 f'<div class="cmp-preferences__actions"><button class="btn btn--secondary" type="button" data-cmp="save">OK</button></div></div></div>')
        return _indent(f"<!-- dialogs: login, consent preferences (hidden until opened) -->{login}{prefs}<!-- /dialogs -->", 3, self.step) + "\n"

    def _ad(self, i: int, label: str) -> str:
        return (f'<!-- ad slot {i}: lazy, refreshed every 30 s while in view --><div class="ad-slot ad-slot--inline ad-slot--mpu" id="slot-{i}" data-slot="{i}" '
                f'data-sizes="300x250,336x280" data-refresh="30"><div class="ad-slot__label">{label}</div>'
                f'<div class="ad-slot__inner" id="div-gpt-ad-{self.hash}-{i}"></div></div>')

    def after_article(self, rng: random.Random) -> str:
        more = "".join(self._teaser(rng, k, summary=k % 4 == 0) for k in range(8))
        read = "".join(f'<li class="most-read__item"><span class="most-read__rank">{i}</span>'
                       f'<a class="most-read__link" href="{self._link(rng)}">{escape(self._headline(rng), quote=False)}</a></li>'
                       for i in range(1, 9))
        label = escape(self._label(rng)[:12], quote=False)
        return _indent(
            "".join(self._ad(i, label) for i in range(3, 5))
            + f'<section class="more-from" data-component="MoreFrom"><div class="container"><div class="row">'
            f'<div class="col-12"><h2 class="more-from__title heading heading--m">{escape(self._headline(rng)[:30], quote=False)}</h2></div>'
            f'{more}</div></div></section>'
            f'<aside class="most-read" data-component="MostRead"><div class="most-read__inner">'
            f'<h2 class="most-read__title">{escape(self._headline(rng)[:20], quote=False)}</h2><ol class="most-read__list">{read}</ol></div></aside>'
            f'<div class="newsletter" data-component="Newsletter"><div class="newsletter__inner">'
            f'<h3 class="newsletter__title">{escape(self._label(rng), quote=False)}</h3>'
            f'<p class="newsletter__lead">{escape(self._headline(rng), quote=False)}</p>'
            f'<form class="newsletter__form" action="{self.base}/newsletter/subscribe" method="post"><div class="form-group">'
            f'<input class="form-control" type="email" name="email" required autocomplete="email" aria-label="E-mail">'
            f'<button class="btn btn--primary" type="submit">OK</button></div></form></div></div>'
            f'<div id="comments" class="comments" data-comments-id="{rng.getrandbits(32)}"><div class="comments__header">'
            f'<h2 class="comments__title">{escape(self._label(rng), quote=False)}</h2>'
            f'<button class="btn btn--ghost comments__toggle" type="button" aria-expanded="false">+</button></div>'
            f'<div class="comments__list" data-lazy="true"></div></div>'
            + "".join(self._ad(i, label) for i in range(5, 7)), 3, self.step) + "\n"

    def footer(self, rng: random.Random) -> str:
        cols = "".join(f'<div class="footer__col col-6 col-md-2"><div class="footer__group"><h4 class="footer__heading">{s.title()}</h4>'
                       '<div class="footer__links">'
                       + "".join(f'<a class="footer__link" href="{self.base}/{self.lang}/{s}/{t}" data-track="footer|{s}|{t}">'
                                 f'{t.replace("-", " ").title()}</a>'
                                 for t in rng.sample(["latest", "analysis", "interviews", "data", "live", "archive",
                                                      "newsletters", "video", "podcast", "photos"], 5))
                       + "</div></div></div>" for s in self.sections[:6])
        return _indent(f'<!-- footer sitemap --><div class="footer__sitemap container"><div class="row">{cols}</div></div>', 2, self.step) + "\n"

    def body_end(self, rng: random.Random, article: str, title: str, n: int) -> str:
        parts = []
        if self.state:
            paras = [plain(p) for p in re.findall(r"<p(?:\s[^>]*)?>(.*?)</p>", article, re.S)]
            state = {"props": {"pageProps": {
                "article": {"id": n, "title": plain(title), "lang": self.lang,
                            "body": [{"type": "paragraph", "text": p} for p in paras if len(p) > 60],
                            "tags": rng.sample(self.sections, 5)},
                "navigation": [{"label": s.title(), "href": f"{self.base}/{self.lang}/{s}/",
                                "children": [{"label": self._label(rng), "href": self._link(rng, s)} for _ in range(4)]}
                               for s in self.sections],
                "recommendations": [{"title": self._headline(rng), "href": self._link(rng),
                                     "image": f"{self.static}/img/{rng.getrandbits(32):08x}.jpg"} for _ in range(16)]}},
                "page": "/[section]/[...slug]", "buildId": self.hash, "locale": self.lang}
            state_json = json.dumps(state, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
            parts.append(f'<script id="__NEXT_DATA__" type="application/json">{state_json}</script>')
        lazy = ("(function(){var io=new IntersectionObserver(function(es){es.forEach(function(e){if(e.isIntersecting){"
                "var i=e.target;i.src=i.dataset.src;io.unobserve(i);}})},{rootMargin:'200px'});"
                "document.querySelectorAll('img[data-src]').forEach(function(i){io.observe(i)});})();")
        parts.append(f"<script>{lazy}</script>")
        parts += [f"<script>{s}</script>" for s in self.js[len(self.js) // 2 :]]
        view = {"event": "article_view", "id": n, "lang": self.lang, "section": rng.choice(self.sections),
                "words": len(plain(article).split())}
        parts.append(f"<script>window.dataLayer=window.dataLayer||[];dataLayer.push({json.dumps(view)});</script>")
        parts += [f'<script defer src="{self.static}/js/{p}.{self.hash}.js"></script>'
                  for p in ("runtime", "vendor", "app", "article", "comments", "newsletter", "video", "share",
                            "paywall", "live", "gallery", "search", "player", "polyfills")]
        return _indent("".join(parts), 1, self.step) + "\n"


def dress(page: str, chrome: Chrome, rng: random.Random, n: int) -> str:
    """``page`` with the site's chrome added around its own: head, menu, teasers, footer, state."""
    title_m = re.search(r"<title>(.*?)</title>", page, re.S)
    title = plain(title_m.group(1)) if title_m else ""
    art_start, art_end = page.find("<article"), page.find("</article>")
    article = page[art_start:art_end] if 0 <= art_start < art_end else ""

    # (place in the page, what goes there), the places found in the page as it came
    adds: list[tuple[int, str]] = []

    def at(marker: str, add: str, after: bool = False) -> None:
        i = page.find(marker)
        if i >= 0:
            adds.append((page.find(">", i) + 1 if after else i, add))

    at("</head>", chrome.head(rng, title))
    at("<body", chrome.body_start(), after=True)
    at("</nav>", chrome.mega_menu(rng), after=True)
    at("</header>", chrome.ticker(rng), after=True)
    at("</article>", chrome.after_article(rng), after=True)
    at("</footer>", chrome.footer(rng))
    at("</footer>", chrome.dialogs(rng), after=True)
    at("</body>", chrome.body_close() + chrome.body_end(rng, article, title, n))
    out, pos = [], 0
    for i, add in sorted(adds, key=lambda a: a[0]):  # stable: two adds at one place keep their order
        out += [page[pos:i], add]
        pos = i
    out.append(page[pos:])
    return "".join(out)
