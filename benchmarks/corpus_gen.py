"""A realistic crawl-shaped WARC for benchmarks: news pages with full site chrome.

Pages are built from the bundled examples (five sites, five languages, five charsets) with
their article paragraphs reshuffled and renumbered, so every page is distinct, and dressed in
the site chrome of ``site_chrome.py`` (scripts, styles, menus, teasers, application state), so
that their weight and markup match real news pages: about 100 KB each, as the real pages of the
extraction benchmark (median 115 KB). Records are request/response pairs with HTTP headers, as a
crawler writes them (peers such as datatrove read only response records).
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from site_chrome import Chrome, dress

from archivist.warc_writer import WarcFileWriter, record_id, warc_date

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "pages"
_P = re.compile(rb"(<p(?:\s[^>]*)?>)(.*?)(</p>)", re.S)
_CHARSETS = {"fr_news.html": "windows-1252", "ru_news.html": "windows-1251", "ja_news.html": "shift_jis"}


def _templates() -> list[tuple[str, bytes, str]]:
    out = []
    for name in ("en_news.html", "de_news.html", "fr_news.html", "ru_news.html", "ja_news.html"):
        out.append((name, (EXAMPLES / name).read_bytes(), _CHARSETS.get(name, "utf-8")))
    return out


def _variant(raw: bytes, rng: random.Random, n: int) -> bytes:
    """``raw`` with its article's paragraphs reshuffled and numbered ``n`` (the chrome's stay put)."""
    start, end = raw.find(b"<article"), raw.find(b"</article>")
    if 0 <= start < end:
        return raw[:start] + _shuffle(raw[start:end], rng, n) + raw[end:]
    return _shuffle(raw, rng, n)


def _shuffle(raw: bytes, rng: random.Random, n: int) -> bytes:
    paras = [m.group(2) for m in _P.finditer(raw)]
    body = [p for p in paras if len(p) > 60]
    if not body:
        return raw
    rng.shuffle(body)
    it = iter(body * 3)

    def repl(m: re.Match[bytes]) -> bytes:
        if len(m.group(2)) <= 60:
            return m.group(0)
        return m.group(1) + next(it) + f" ({n})".encode() + m.group(3)

    return _P.sub(repl, raw)


def make_warc(out_dir: Path, pages: int, seed: int = 7, prefix: str = "bench") -> list[Path]:
    rng = random.Random(seed)
    templates = _templates()
    # The crawl comes after the pages' publication dates (March 9-13, 2026), as in any real
    # crawl: a capture dated before its page was published sends the date search through every
    # candidate on the page, a case real WARCs do not present.
    start = datetime(2026, 4, 1, tzinfo=UTC)
    writer = WarcFileWriter(out_dir=out_dir, prefix=prefix, timestamp=start, info=[("isPartOf", "benchmark")],
                            max_bytes=1 << 40)
    chromes = [Chrome(raw.decode(cs), name[:2], seed=k) for k, (name, raw, cs) in enumerate(templates)]
    try:
        for i in range(pages):
            _name, raw, cs = templates[i % len(templates)]
            page = _variant(raw, rng, i).decode(cs)
            body = dress(page, chromes[i % len(templates)], rng, i).encode(cs, "xmlcharrefreplace")
            url = f"https://site{i % len(templates)}.example/news/{i:07d}.html"
            date = warc_date(start + timedelta(seconds=i))
            http = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset={cs}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            resp_id = record_id("bench-response", url, date)
            from archivist.hashing import sha1_base32

            writer.write([("WARC-Type", "response"), ("WARC-Record-ID", resp_id), ("WARC-Date", date),
                          ("WARC-Target-URI", url), ("Content-Type", "application/http; msgtype=response"),
                          ("WARC-Payload-Digest", "sha1:" + sha1_base32(body)),
                          # as Common Crawl writes it; readers such as datatrove's skip pages whose
                          # type they must otherwise guess with libmagic and guess wrong
                          ("WARC-Identified-Payload-Type", "text/html")], http)
            req = f"GET /news/{i:07d}.html HTTP/1.1\r\nHost: site{i % len(templates)}.example\r\n\r\n".encode()
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
