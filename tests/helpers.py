"""Small page and workspace builders shared by tests (the project's own fixtures)."""

from __future__ import annotations

import csv
from pathlib import Path

ARTICLE = """<!doctype html>
<html lang="{lang}"><head><meta charset="{charset}"><title>{title} | Daily Example</title>
<meta name="description" content="{title}">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all. Reject all.</div>
<article><h1>{title}</h1>
{paragraphs}
</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/a">Another story</a></li></ul></aside>
<footer><p>Copyright 2026 Daily Example. All rights reserved.</p></footer>
</body></html>
"""


def article_html(title: str, paragraphs: list[str], lang: str = "en", charset: str = "utf-8") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return ARTICLE.format(title=title, paragraphs=body, lang=lang, charset=charset)


def write_pages(folder: Path, pages: dict[str, tuple[str, str]], encoding: str = "utf-8") -> Path:
    """Write {filename: (url, html)} and a sidecar; return the sidecar path."""
    folder.mkdir(parents=True, exist_ok=True)
    sidecar = folder / "pages.csv"
    with sidecar.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "url", "captured_at", "license"])
        for i, (name, (url, html)) in enumerate(sorted(pages.items())):
            (folder / name).write_bytes(html.encode(encoding))
            w.writerow([name, url, f"2026-03-{10 + i:02d}T08:00:00Z", "cc-by-4.0"])
    return sidecar


def news_pages() -> dict[str, tuple[str, str]]:
    p1 = [
        "The river authority opened the new flood barrier on Tuesday after four years of construction work along the old harbour.",
        "Engineers said the barrier can hold back a surge two metres higher than the storm that flooded the town centre in 2019.",
        "Residents who lost homes in that flood watched the gates close for the first time, some of them in tears.",
    ]
    p2 = [
        "A regional library has digitised ten thousand letters written by emigrants who left the valley in the nineteenth century.",
        "The letters describe long sea voyages, new farms on the prairie and the families who stayed behind in the mountains.",
        "Historians say the collection is one of the largest of its kind and will be free to read online from next spring.",
    ]
    return {
        "flood.html": ("https://news.example/2026/03/flood-barrier", article_html("Flood barrier opens", p1)),
        "letters.html": ("https://news.example/2026/03/emigrant-letters", article_html("Emigrant letters digitised", p2)),
        "letters-copy.html": ("https://mirror.example/emigrant-letters", article_html("Emigrant letters digitised", p2)),
    }
