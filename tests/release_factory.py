"""Self-written pages -> real ingest/extract/publish, for the publish tests."""

from __future__ import annotations

from pathlib import Path

import archivist

CORPUS = {
    "name": "tiny-news",
    "pretty_name": "Tiny News",
    "description": "A few hand-written news pages for testing archivist releases.",
    "license": "cc-by-4.0",
    "operator": "archivist tests",
    "url": "https://example.org/tiny-news",
}
DATASHEET = {
    "motivation": "Exercise the publish path end to end.",
    "collection": "Pages written by hand for the test suite and archived locally.",
    "preprocessing": "Main text extracted with trafilatura; duplicates marked.",
    "uses": "Tests only.",
    "limitations": "Six pages; not representative of anything.",
    "personal_information": "None: the people named are fictional.",
}

_PARA = (
    "The city council met on {day} to discuss the {topic}. Members debated for several hours "
    "and heard from residents who had travelled from every district. The mayor said the plan "
    "would be revised after the consultation closes next month, and that the budget for the "
    "{topic} would not be cut. Several speakers asked for more public meetings and clearer "
    "reports on how the money is spent."
)

TOPICS = {
    "a": ("Monday", "new library"), "b": ("Tuesday", "river bridge"), "c": ("Wednesday", "bus routes"),
    "d": ("Thursday", "school meals"), "e": ("Friday", "park lighting"), "f": ("Saturday", "market square"),
}


def page_html(key: str) -> str:
    day, topic = TOPICS[key]
    body = "".join(f"<p>{_PARA.format(day=day, topic=topic)} Paragraph {n} of {key}.</p>" for n in range(3))
    body += f"<p>The council published <a href='/reports/{key}.pdf'>the full report on the {topic}</a> on its website.</p>"
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Council and the {topic}</title></head>"
            f"<body><nav><a href='/'>Home</a></nav><article><h1>Council and the {topic}</h1>{body}</article>"
            "<footer>Copyright Example News</footer></body></html>")


def write_pages(root: Path, keys: list[str], licenses: dict[str, str] | None = None) -> Path:
    """Pages + a sidecar (fixed URLs, capture dates and licences) in ``root``; returns the sidecar.

    A page's record id depends on its URL, date and bytes only, so a licence override gives the
    same id with different row content: a "modified" record.
    """
    root.mkdir(parents=True, exist_ok=True)
    licenses = licenses or {}
    lines = ["path,url,captured_at,license"]
    for k in keys:
        (root / f"{k}.html").write_text(page_html(k), encoding="utf-8")
        n = "abcdef".index(k)  # fixed per page, so the same page keeps its id across corpora
        host = "news.example.org" if n % 2 == 0 else "blog.example.net"
        lic = licenses.get(k) or ("cc-by-4.0" if n % 2 == 0 else "cc-by-sa-4.0")
        day = n + 1
        lines.append(f"{k}.html,https://{host}/{k},2024-05-0{day}T10:00:00Z,{lic}")
    sidecar = root / "pages.csv"
    sidecar.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sidecar


def make_records(work: Path, keys: list[str], licenses: dict[str, str] | None = None) -> tuple[Path, Path]:
    """(archives dir, records dir) built by the real ingest + extract."""
    sidecar = write_pages(work / "pages", keys, licenses)
    archives, records = work / "archives", work / "records"
    archivist.ingest([str(work / "pages")], archives, sidecar=sidecar, corpus_name="tiny-news")
    archivist.extract([archives], records)
    return archives, records


def publish(records: Path, version: str, out: Path, parent: Path | None = None):
    return archivist.publish(records, version, out, corpus=dict(CORPUS), datasheet=dict(DATASHEET), parent=parent)
