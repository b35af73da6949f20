"""A realistic crawl-shaped WARC for benchmarks: news pages with full site chrome.

Pages are built from the bundled examples (five sites, five languages, five charsets). Each page
is a new article of its site: its headline, description, authors, dates, URL and body are drawn
per page (``article_text.py``: the example's own sentences with most content words swapped for
other words of the same example), so that two articles of a site share few 5-word shingles, as
in a real crawl, and its length varies as real articles' do. The article is dressed in the site
chrome of ``site_chrome.py`` (scripts, menus, teasers, footer, application state), so that
the pages' weight and markup match the real news pages of the extraction benchmark (see
benchmarks/README.md for the measured medians). Records are request/response pairs with HTTP
headers, as a crawler writes them (peers such as datatrove read only response records).
"""

from __future__ import annotations

import html
import random
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from article_text import TextPool, plain
from site_chrome import Chrome, dress

from archivist.warc_writer import WarcFileWriter, record_id, warc_date

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "pages"
_P = re.compile(r"(<p(?:\s[^>]*)?>)(.*?)(</p>)", re.S)
_CHARSETS = {"fr_news.html": "windows-1252", "ru_news.html": "windows-1251", "ja_news.html": "shift_jis"}
# each example's byline names (and the slug of the author page where it has one), and names to
# draw from for new articles
_AUTHORS = {
    "en": ([("Maren Holt", "maren-holt"), ("Daniel Okafor", "daniel-okafor")],
           ["Sarah Lindqvist", "Tom Becker", "Priya Nair", "Jonas Kallas", "Helen Marsh", "Oskar Berg", "Ruth Adeyemi",
            "Liam Foster", "Ana Petrova", "Mark Ellison", "Grace Whitlock", "Erik Saar"]),
    "de": ([("Katrin Vogelsang", "katrin-vogelsang")],
           ["Jonas Albrecht", "Miriam Kessler", "Felix Brandt", "Sabine Wolff", "Lukas Hartmann", "Anja Roth",
            "Stefan Ziegler", "Hanna Pohl", "Tobias Lang", "Claudia Wendt"]),
    "fr": ([("Claire Dufresne", "claire-dufresne")],
           ["Julien Morel", "Sophie Garnier", "Nicolas Lemaire", "Camille Roussel", "Thomas Girard", "Élodie Marchand",
            "Antoine Perrin", "Léa Fontaine", "Hugo Caron", "Manon Dupuis"]),
    "ru": ([("Анна Ершова", "anna-ershova")],
           ["Иван Соколов", "Мария Кузнецова", "Дмитрий Орлов", "Елена Павлова", "Сергей Волков", "Ольга Морозова",
            "Алексей Новиков", "Татьяна Зайцева"]),
    "ja": ([("佐藤美咲", "")], ["田中健一", "鈴木花子", "高橋大輔", "伊藤由美", "渡辺翔太", "山本恵子", "中村誠", "小林彩"]),
}
_RU_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщыэюя",
                        ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "j", "k", "l", "m", "n", "o", "p", "r", "s", "t",
                         "u", "f", "h", "ts", "ch", "sh", "shch", "y", "e", "yu", "ya"], strict=True))
_EN_M = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"]
_DE_M = ["", "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
         "November", "Dezember"]
_RU_M = ["", "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
         "ноября", "декабря"]
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
# The crawl comes after the pages' publication dates, as in any real crawl: a capture dated
# before its page was published sends the date search through every candidate on the page, a
# case real WARCs do not present.
CRAWL_START = datetime(2026, 4, 1, tzinfo=UTC)


def _human_dates(d: datetime) -> list[str]:
    """The ways the examples print a date in their bylines (one or two per language)."""
    return [f"{d.day} {_EN_M[d.month]} {d.year}, {d:%H:%M} CET", f"{d:%H:%M} CET",
            f"{d.day}. {_DE_M[d.month]} {d.year}, {d:%H:%M} Uhr", f"{d:%H:%M} Uhr",
            f"{d:%d/%m/%Y} à {d:%Hh%M}",
            f"{d.day} {_RU_M[d.month]} {d.year}, {d:%H:%M}", f"{d:%d.%m.%Y, %H:%M}",
            f"{d.year}年{d.month}月{d.day}日 {d:%H}時{d:%M}分"]


def _slug(text: str, lang: str) -> str:
    if lang == "ru":
        text = "".join(_RU_TRANSLIT.get(c, c) for c in text.lower())
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_)[:8])


class Template:
    """One example page and what changes from one of its site's articles to the next."""

    def __init__(self, name: str, raw: bytes, charset: str) -> None:
        self.name, self.charset, self.lang = name, charset, name[:2]
        page = raw.decode(charset)
        self.page = page
        meta = dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', page))
        self.title = meta["og:title"]
        self.description = meta.get("description") or meta["og:description"]
        pub = re.search(r'"datePublished":\s*"([^"]+)"', page)
        mod = re.search(r'"dateModified":\s*"([^"]+)"', page)
        assert pub and mod, name
        self.published, self.modified = datetime.fromisoformat(pub.group(1)), datetime.fromisoformat(mod.group(1))
        canonical = re.search(r'<link rel="canonical" href="https?://[^/"]+(/[^"]*)"', page)
        assert canonical, name
        self.path = canonical.group(1)
        self.section = self.path.split("/2026/")[0]
        self.isos = sorted(set(_ISO.findall(page)))
        forms = [(k, f) for k, f in enumerate(_human_dates(self.published)) if f in page]
        forms += [(k, f) for k, f in enumerate(_human_dates(self.modified)) if f in page]
        self.date_forms = sorted({k for k, _ in forms})
        self.authors, self.names = _AUTHORS[self.lang]
        a0, a1 = page.find("<article"), page.find("</article>")
        assert 0 <= a0 < a1, name
        article = page[a0:a1]
        paras = [plain(m.group(2)) for m in _P.finditer(article)]
        self.slots = sum(1 for p in paras if len(p) > 60)
        self.body_chars = sum(len(p) for p in paras if len(p) > 60)
        self.pool = TextPool([p for p in paras if len(p) > 60] + [plain(self.title), plain(self.description)], self.lang)
        self.base = re.search(r'https?://[^/"]+', page[page.find("<body"):]).group(0)  # type: ignore[union-attr]
        # What changes from article to article, found once: the page is split at each of these
        # strings, and each article joins the pieces with its own values.
        keys = {self.title, self.description, self.path, quote(self.path, safe=""), quote(self.title, safe=""), *self.isos}
        for k in self.date_forms:
            keys |= {_human_dates(self.published)[k], _human_dates(self.modified)[k]}
        for old, old_slug in self.authors:
            keys |= {old, old_slug} - {""}
        swap = re.compile("(" + "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)) + ")")
        self.pieces = swap.split(page)

    def article(self, rng: random.Random, n: int) -> str:
        """The example page with a new article: headline, description, authors, dates, URL, body."""
        ja = self.lang == "ja"
        title = html.escape(self.pool.headline(rng, 24, 40) if ja else self.pool.headline(rng, 50, 95), quote=False)
        desc = html.escape(self.pool.headline(rng, 50, 80) if ja else self.pool.headline(rng, 120, 200), quote=False)
        # Published some time in the month before the crawl; updated as long after as the example was.
        pub = (datetime(2026, 3, 1, tzinfo=self.published.tzinfo)
               + timedelta(minutes=rng.randrange(29 * 24 * 60)))
        shift = pub - self.published
        slug = _slug(plain(title), self.lang) if not ja else ""
        new_path = f"{self.section}/{pub:%Y/%m/%d}/{slug or 'article'}-{n}"
        subs = {self.title: title, self.description: desc, self.path: new_path,
                quote(self.path, safe=""): quote(new_path, safe=""),
                quote(self.title, safe=""): quote(plain(title), safe="")}
        for iso in self.isos:
            subs[iso] = (datetime.fromisoformat(iso) + shift).isoformat()
        new_pub, new_mod = _human_dates(pub), _human_dates(self.modified + shift)
        old_pub, old_mod = _human_dates(self.published), _human_dates(self.modified)
        for k in self.date_forms:
            subs[old_mod[k]] = new_mod[k]
            subs[old_pub[k]] = new_pub[k]
        for (old, old_slug), new in zip(self.authors, rng.sample(self.names, len(self.authors)), strict=True):
            subs[old] = new
            if old_slug:
                subs[old_slug] = _slug(new, self.lang)
        page = "".join(p if k % 2 == 0 else subs[p] for k, p in enumerate(self.pieces))
        a0, a1 = page.find("<article"), page.find("</article>")
        return page[:a0] + self._body(page[a0:a1], rng) + page[a1:]

    def _body(self, article: str, rng: random.Random) -> str:
        # Real articles vary in length: from a third to three times the example's (median about
        # 3,000 characters of text, as the real pages' extracted text).
        chars = int(self.body_chars * 1.45 * rng.lognormvariate(0, 0.45))
        size = (90, 220) if self.lang == "ja" else (220, 520)
        paras: list[str] = []
        while chars > 0:
            n = rng.randint(*size)
            text = html.escape(self.pool.text(rng, n), quote=False)
            if rng.random() < 0.2 and self.lang != "ja":
                words = text.split(" ")
                if len(words) > 8:
                    k = rng.randrange(2, len(words) - 4)
                    url = f"{self.base}{self.section}/2026/0{rng.randint(1, 3)}/{rng.randint(10, 28)}/a-{rng.getrandbits(32):08x}"
                    words[k] = f'<a href="{url}">{words[k]}'
                    words[k + 2] += "</a>"
                    text = " ".join(words)
            paras.append(text)
            chars -= len(text)
        # one or two pictures inside the body, as news articles carry
        for _ in range(rng.randint(1, 2)):
            key = f"{rng.getrandbits(32):08x}"
            img = f"{self.base}/img/2026/{key}"
            caption = html.escape(self.pool.headline(rng, 20, 40) if self.lang == "ja" else self.pool.headline(rng, 60, 120), quote=False)
            fig = (f'<figure class="story__figure figure--inline"><picture><source type="image/webp" srcset="{img}-800.webp">'
                   f'<img src="{img}-800.jpg" alt="{caption[:40]}" width="800" height="450" loading="lazy"></picture>'
                   f'<figcaption class="figure__caption">{caption} '
                   f'<span class="figure__credit">© {self.pool.label(rng, 4 if self.lang == "ja" else 10)}</span></figcaption></figure>')
            k = rng.randrange(1, len(paras) + 1)
            paras.insert(k, "\x00" + fig)
        slots = self.slots
        per = [paras[k * len(paras) // slots : (k + 1) * len(paras) // slots] for k in range(slots)]
        it = iter(per)

        def repl(m: re.Match[str]) -> str:
            if len(plain(m.group(2))) <= 60:
                return m.group(0)
            group = next(it, [])
            return "\n".join(p[1:] if p.startswith("\x00") else m.group(1) + p + m.group(3) for p in group)

        return _P.sub(repl, article)


def templates() -> list[Template]:
    return [Template(name, (EXAMPLES / name).read_bytes(), _CHARSETS.get(name, "utf-8"))
            for name in ("en_news.html", "de_news.html", "fr_news.html", "ru_news.html", "ja_news.html")]


def pages(count: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """``(url, charset, body bytes)`` of ``count`` generated pages, sites in turn."""
    rng = random.Random(seed)
    temps = templates()
    chromes = [Chrome(t.page, t.lang, seed=k, pool=t.pool) for k, t in enumerate(temps)]
    for i in range(count):
        t = temps[i % len(temps)]
        page = t.article(rng, i)
        body = dress(page, chromes[i % len(temps)], rng, i).encode(t.charset, "xmlcharrefreplace")
        yield f"https://site{i % len(temps)}.example/news/{i:07d}.html", t.charset, body


def make_warc(out_dir: Path, count: int, seed: int = 7, prefix: str = "bench") -> list[Path]:
    from archivist.hashing import sha1_base32

    start = CRAWL_START
    writer = WarcFileWriter(out_dir=out_dir, prefix=prefix, timestamp=start, info=[("isPartOf", "benchmark")],
                            max_bytes=1 << 40)
    try:
        for i, (url, cs, body) in enumerate(pages(count, seed)):
            date = warc_date(start + timedelta(seconds=i))
            http = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset={cs}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            resp_id = record_id("bench-response", url, date)
            writer.write([("WARC-Type", "response"), ("WARC-Record-ID", resp_id), ("WARC-Date", date),
                          ("WARC-Target-URI", url), ("Content-Type", "application/http; msgtype=response"),
                          ("WARC-Payload-Digest", "sha1:" + sha1_base32(body)),
                          # as Common Crawl writes it; readers such as datatrove's skip pages whose
                          # type they must otherwise guess with libmagic and guess wrong
                          ("WARC-Identified-Payload-Type", "text/html")], http)
            host = url.split("/")[2]
            req = f"GET /news/{i:07d}.html HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
            writer.write([("WARC-Type", "request"), ("WARC-Record-ID", record_id("bench-request", url, date)),
                          ("WARC-Date", date), ("WARC-Target-URI", url), ("WARC-Concurrent-To", resp_id),
                          ("Content-Type", "application/http; msgtype=request")], req)
    finally:
        writer.close()
    return writer.files


def make_warc_from_pages(out_dir: Path, html_dir: Path, pages: int, seed: int = 7, prefix: str = "real") -> list[Path]:
    """A crawl-shaped WARC of real pages: the HTML files of ``html_dir`` (each with ``<id>.json``
    holding its URL beside it in ``../truth/``, as in the scrapinghub benchmark), cycled in a
    seeded order until ``pages`` responses are written; a page's later copies get ``?copy=k``."""
    import json

    rng = random.Random(seed)
    files = sorted(html_dir.glob("*.html"))
    rng.shuffle(files)
    start = datetime(2026, 4, 1, tzinfo=UTC)
    writer = WarcFileWriter(out_dir=out_dir, prefix=prefix, timestamp=start, info=[("isPartOf", "benchmark")],
                            max_bytes=1 << 40)
    from archivist.hashing import sha1_base32

    try:
        for i in range(pages):
            f = files[i % len(files)]
            meta = html_dir.parent / "truth" / f"{f.stem}.json"
            url = json.loads(meta.read_text()).get("url") if meta.exists() else None
            url = url or f"https://site.example/{f.stem}.html"
            if i >= len(files):
                url += ("&" if "?" in url else "?") + f"copy={i // len(files)}"
            body = f.read_bytes()
            date = warc_date(start + timedelta(seconds=i))
            http = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
            resp_id = record_id("bench-response", url, date)
            writer.write([("WARC-Type", "response"), ("WARC-Record-ID", resp_id), ("WARC-Date", date),
                          ("WARC-Target-URI", url), ("Content-Type", "application/http; msgtype=response"),
                          ("WARC-Payload-Digest", "sha1:" + sha1_base32(body)),
                          # as Common Crawl writes it; readers such as datatrove's skip pages whose
                          # type they must otherwise guess with libmagic and guess wrong
                          ("WARC-Identified-Payload-Type", "text/html")], http)
    finally:
        writer.close()
    return writer.files
