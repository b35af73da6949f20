"""``archivist show ID --html``: the record beside the archived page, sandboxed, in a real browser."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from archivist import show_html
from archivist.show import show
from tests import headless
from tests._pipeline import rows_by_url, run

PARAS = [
    "The harbour festival drew record crowds on Sunday, with boats from eleven towns moored along the quay.",
    "Organisers said the evening concert would move indoors next year because of the autumn storms.",
]
# The archived page tries everything a hostile or merely ordinary page does: inline and external
# scripts, event handlers, javascript: links, a meta refresh, external styles and images.
HOSTILE_PAGE = (
    "<html><head><title>Harbour \"festival\" &lt;b&gt;crowds&lt;/b&gt;</title>"
    '<meta name="author" content="Jo Marsh">'
    '<meta http-equiv="refresh" content="0; url=https://evil.example/">'
    '<link rel="stylesheet" href="https://cdn.example/site.css">'
    "<style>body { background: url(https://cdn.example/bg.png); } h1 { color: #035; }</style>"
    "<script>document.title = 'SCRIPT RAN'; document.documentElement.setAttribute('data-ran', '1');</script>"
    '<script src="https://cdn.example/app.js"></script>'
    "</head><body onload=\"document.body.setAttribute('data-onload', '1')\">"
    "<article><h1>Harbour festival draws crowds</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAS)
    + '<img src="https://cdn.example/photo.jpg" alt="boats" onerror="document.body.setAttribute(\'data-onerror\', \'1\')">'
    '<p><a href="javascript:alert(1)">bad link</a> <a href="https://other.example/next">next story</a></p>'
    "</article><script>document.write('<p id=\"written\">SCRIPT RAN</p>')</script></body></html>"
)
URL = "https://harbour.example/2026/05/festival"
COPY_URL = "https://harbour.example/copy"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, dict]]:  # type: ignore[type-arg]
    tmp = tmp_path_factory.mktemp("showhtml")
    pages = [
        ("a.html", HOSTILE_PAGE, URL, "2026-05-03T09:00:00Z"),
        ("b.html", HOSTILE_PAGE, COPY_URL, "2026-05-04T09:00:00Z"),  # same bytes: a revisit record
    ]
    archives, records, _ = run(tmp, pages)
    return archives, records, rows_by_url(records)


def _show_html(corpus, url: str, out: Path, archives: Path | None = None) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    arch, records, rows = corpus
    env = dict(os.environ, COLUMNS="400")
    return subprocess.run([str(BIN / "archivist"), "show", rows[url]["id"], "--records", str(records),
                           "--archives", str(archives or arch), "--html", "-o", str(out)],
                          capture_output=True, text=True, timeout=120, env=env)


def _srcdoc(page: str) -> lxml_html.HtmlElement:
    doc = lxml_html.fromstring(page)
    frames = doc.xpath("//iframe")
    assert len(frames) == 1
    return frames[0]


def test_show_html_is_escaped_sandboxed_and_deterministic(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, rows = corpus
    r = rows[URL]
    out = tmp_path / "record.html"
    proc = _show_html(corpus, URL, out)
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//script") == [], "the viewer itself has no script"
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page
    # Left pane: the record and its provenance, every value escaped.
    left = doc.xpath("//section[@id='record']")[0].text_content()
    for expected in ('Harbour "festival" <b>crowds</b>', URL, "Jo Marsh", "en", r["warc_filename"],
                     str(r["warc_record_offset"]), str(r["warc_record_length"]), r["payload_sha256"], r["payload_sha1"],
                     r["warc_record_id"], "digests match the row", "Organisers said the evening concert"):
        assert expected in left, expected
    assert doc.xpath("//section[@id='record']//b") == [], "a title's markup stays text"
    outlinks = doc.xpath("//ol[@class='outlinks']//a/@href")
    assert "https://other.example/next" in outlinks and not any(h.startswith("javascript:") for h in outlinks)
    # Right pane: a sandboxed iframe (no allow-scripts, no allow-same-origin) holding the defused page.
    frame = _srcdoc(page)
    assert frame.get("sandbox") == ""
    inner = lxml_html.document_fromstring(frame.get("srcdoc"))
    assert "Harbour festival draws crowds" in inner.text_content()
    assert {s.get("type") for s in inner.xpath("//script")} == {"text/x-archived-script"}
    assert not [a for el in inner.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")]
    assert not inner.xpath("//*[@src or @srcset]") and not inner.xpath("//link[@href]")
    assert not inner.xpath("//meta[@http-equiv='refresh']")
    assert inner.xpath("//a[@href='https://other.example/next']") and not inner.xpath("//a[starts-with(@href, 'javascript')]")
    assert "https://cdn.example/photo.jpg" in inner.xpath("//img/@data-archived-src")
    assert "url(https://cdn.example/bg.png)" not in frame.get("srcdoc")
    # Same inputs, same bytes.
    again = tmp_path / "again.html"
    assert _show_html(corpus, URL, again).returncode == 0
    assert again.read_bytes() == out.read_bytes()


def test_show_html_of_a_revisit_shows_the_original_payload(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "copy.html"
    proc = _show_html(corpus, COPY_URL, out)
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    _, _, rows = corpus
    original = rows[URL]
    assert f"payload of the original capture {original['warc_filename']}@{original['warc_record_offset']}" in page
    assert "Harbour festival draws crowds" in _srcdoc(page).get("srcdoc")


def test_show_html_names_a_failed_digest_check(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archives, _, rows = corpus
    r = rows[URL]
    bad = tmp_path / "archives"
    bad.mkdir()
    data = bytearray((archives / r["warc_filename"]).read_bytes())
    # Replace the WARC record at the row's offset with the next record (the revisit): valid, but not the row's.
    nxt = rows[COPY_URL]
    member = bytes(data[nxt["warc_record_offset"]: nxt["warc_record_offset"] + nxt["warc_record_length"]])
    (bad / r["warc_filename"]).write_bytes(bytes(data[: r["warc_record_offset"]]) + member)
    out = tmp_path / "bad.html"
    proc = _show_html(corpus, URL, out, archives=bad)
    assert proc.returncode == 1
    left = lxml_html.fromstring(out.read_text(encoding="utf-8")).xpath("//section[@id='record']")[0].text_content()
    assert "DOES NOT match the row" in left and "record id" in left


def test_text_records_show_as_text(corpus) -> None:  # type: ignore[no-untyped-def]
    archives, records, rows = corpus
    res = show(rows[URL]["id"], records, archives)
    assert res.source is not None
    res.source = dataclasses.replace(res.source, http_content_type="text/plain; charset=utf-8",
                                     warc_content_type="text/plain; charset=utf-8")
    page = show_html.render(res)
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//iframe") == []
    pre = doc.xpath("//pre[@class='archived-text']")[0]
    assert "<script>document.title = 'SCRIPT RAN'" in pre.text_content()  # shown as text, never markup
    assert doc.xpath("//script") == []


def test_cli_refuses_a_folder_as_output(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proc = _show_html(corpus, URL, tmp_path)
    assert proc.returncode == 2 and "is a folder" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- in a real browser

PROBE = """(() => {
  const box = id => { const b = document.getElementById(id).getBoundingClientRect(); return [b.width, b.height]; };
  const f = document.getElementById('archived-page');
  return {
    record: box('record'), archived: box('archived'), frame: box('archived-page'),
    sandbox: f.getAttribute('sandbox'), frameDocReadable: f.contentDocument !== null,
    title: document.getElementById('record-title').textContent,
    scripts: document.querySelectorAll('script').length,
  };
})()"""


@pytest.mark.skipif(headless.find_chromium() is None,
                    reason="chromium not installed (Debian: apt-get install -y chromium; .ci/run installs it when missing)")
def test_show_html_renders_both_panes_in_headless_chromium(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "record.html"
    assert _show_html(corpus, URL, out).returncode == 0
    shot = tmp_path / "show-screenshot.png"
    res = headless.open_page(out, PROBE, shot, timeout=90, width=1280, height=900, dom=True)
    print(f"\nshow screenshot: {shot}")
    assert res.errors == [], res.errors
    v = res.value
    for pane in ("record", "archived", "frame"):
        assert v[pane][0] > 300 and v[pane][1] > 300, (pane, v[pane])
    assert v["sandbox"] == "" and v["frameDocReadable"] is False  # an opaque origin: the page cannot reach the viewer
    assert v["title"] == 'Harbour "festival" <b>crowds</b>' and v["scripts"] == 0
    # Inside the frame (read over DevTools, which sees through the sandbox): the page rendered, its scripts did not run.
    assert res.dom is not None
    nodes = list(headless.iter_nodes(res.dom))
    frames = [n for n in nodes if n.get("nodeName") == "IFRAME"]
    assert len(frames) == 1 and "contentDocument" in frames[0]
    inner = list(headless.iter_nodes(frames[0]["contentDocument"]))
    texts = " ".join(n.get("nodeValue", "") for n in inner if n.get("nodeType") == 3)
    assert "Harbour festival draws crowds" in texts and "Organisers said" in texts
    attrs = [a for n in inner for a in n.get("attributes", [])[::2]]
    assert "data-ran" not in attrs and "data-onload" not in attrs and "data-onerror" not in attrs
    assert not any(n.get("attributes") and "written" in n["attributes"] for n in inner)
    titles = [n for n in inner if n.get("nodeName") == "TITLE"]
    assert titles and "SCRIPT RAN" not in str(titles[0].get("children"))
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("ARCHIVIST_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, Path(__file__).resolve().parents[1] / "docs" / "show-screenshot.png")
