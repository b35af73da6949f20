"""The HTML report: self-contained, deterministic, escaped, and rendered by a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from archivist import report_html, stats
from tests import headless, small_corpus

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PLOTS = ("languages", "sites", "timeline", "lengths", "duplicates", "rejects")

# Evaluated in the page after load: per plot, its laid-out size and how many bars have a
# non-zero box; plus whether any <script> exists and whether the hostile title shows as text.
PROBE = """(() => {
  const plots = {};
  for (const s of document.querySelectorAll('svg[data-plot]')) {
    const box = s.getBoundingClientRect();
    const bars = Array.from(s.querySelectorAll('rect.bar'));
    plots[s.dataset.plot] = {
      width: box.width, height: box.height, bars: bars.length,
      drawn: bars.filter(r => { const b = r.getBBox(); return b.width > 0 && b.height > 0; }).length,
    };
  }
  return {
    plots,
    scripts: document.querySelectorAll('script').length,
    bold: document.querySelectorAll('td b').length,
    titles: Array.from(document.querySelectorAll('table.sample tbody tr td:first-child')).map(td => td.textContent),
  };
})()"""


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_corpus.built_once(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def report(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    r = subprocess.run([str(BIN / "archivist"), "report", str(corpus / "releases/1.0.0"), "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return out


def test_report_is_self_contained_and_escapes_page_text(corpus: Path, report: Path):
    page = report.read_text(encoding="utf-8")
    # Nothing to fetch: no scripts, no external stylesheets, fonts or images.
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert not re.search(r"""(src|href)\s*=\s*["'](?!https?://[a-z]+\.example/)""", page), "only links to the records' own pages"
    assert "<link" not in page and "@import" not in page and "@font-face" not in page and "url(" not in page
    assert "Content-Security-Policy" in page
    # A release's report names its version and logical digest.
    import json

    m = json.loads((corpus / "releases/1.0.0/manifest.json").read_text(encoding="utf-8"))
    rel = lxml_html.fromstring(page).xpath("//table[@id='release']")[0].text_content()
    assert m["version"] in rel and m["logical_digest"] in rel and m["tree_sha256"] in rel
    assert 'id="release"' not in report_html.render_html(corpus / "records")
    # The hostile title and URL appear escaped, never as markup.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "hostile?q=&lt;x&gt;&amp;a=1" in page
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//script") == [] and doc.xpath("//td//b") == []
    titles = doc.xpath("//table[@class='sample']/tbody/tr/td[1]/text()")
    assert small_corpus.HOSTILE_TITLE in titles
    # Every plot is inline SVG with bars, and the sample is the first records by id.
    for name in PLOTS:
        svg = doc.xpath(f"//svg[@data-plot='{name}']")
        assert len(svg) == 1, name
        assert svg[0].xpath(".//rect[@class='bar']"), name
    ids = doc.xpath("//table[@class='sample']/tbody/tr/@data-id")
    import duckdb

    expected = [r[0] for r in duckdb.connect().execute(
        f"SELECT id FROM read_parquet('{corpus}/releases/1.0.0/data/*.parquet') ORDER BY id LIMIT 20").fetchall()]
    assert ids == expected


def test_report_is_deterministic_and_links_to_replay(corpus: Path, report: Path, tmp_path: Path):
    again = tmp_path / "again.html"
    report_html.write_report(corpus / "releases/1.0.0", again)
    assert again.read_bytes() == report.read_bytes()
    # The records folder and the release hold the same rows: the same plots.
    assert report_html.plots(corpus / "records") == report_html.plots(corpus / "releases/1.0.0")

    page = report_html.render_html(corpus / "records", replay_prefix="http://localhost:8080/coll/")
    assert 'href="http://localhost:8080/coll/20260310080000/https://news.example/2026/03/flood-barrier"' in page
    # Without a prefix the source is the WARC file and offset.
    plain = report.read_text(encoding="utf-8")
    rows = duckdb_rows(corpus)
    for fn, off in rows:
        assert f"<code>{fn}</code> @ {off}" in plain
    with pytest.raises(ValueError, match="replay-prefix"):
        report_html.render_html(corpus / "records", replay_prefix="javascript:alert(1)//")


def duckdb_rows(corpus: Path) -> list[tuple[str, int]]:
    import duckdb

    shards = [str(p) for p in sorted((corpus / "records").glob("*.parquet")) if not p.name.endswith(".rejects.parquet")]
    return duckdb.connect().execute(
        "SELECT warc_filename, warc_record_offset FROM read_parquet(?)", [shards]).fetchall()


def test_report_cli_errors_are_one_clear_line(corpus: Path, tmp_path: Path):
    for args, words in [([str(corpus / "records"), "-o", str(tmp_path)], "is a folder"),
                        ([str(tmp_path / "nothing"), "-o", str(tmp_path / "r.html")], "no such folder"),
                        ([str(corpus / "records"), "-o", str(tmp_path / "r.html"), "--replay-prefix", "ftp:x"], "replay-prefix")]:
        r = subprocess.run([str(BIN / "archivist"), "report", *args], capture_output=True, text=True, timeout=120)
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "r.html").exists()


def test_render_plots_writes_standalone_svgs_for_the_card(corpus: Path, tmp_path: Path):
    paths = report_html.render_plots(corpus / "releases/1.0.0", tmp_path / "rel")
    assert [p.name for p in paths] == [f"{n}.svg" for n in PLOTS]
    for p in paths:
        assert p.parent == tmp_path / "rel" / "images"
        tree = lxml_html.etree.fromstring(p.read_bytes())  # well-formed XML
        assert tree.tag == "{http://www.w3.org/2000/svg}svg"
        assert tree.findall(".//{http://www.w3.org/2000/svg}rect")
    again = report_html.render_plots(corpus / "releases/1.0.0", tmp_path / "rel2")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]
    md = report_html.plots_markdown(paths, tmp_path / "rel")
    assert "![languages](images/languages.svg)" in md


def test_bars_match_the_figures(corpus: Path):
    s = stats.compute(corpus / "records")
    svg = report_html.plots(corpus / "records")["languages"]
    for r in s["languages"]:
        assert f"<title>{r['key']}: {r['count']}</title>" in svg
    tl, unit = report_html.timeline(s["days"])
    assert unit == "day" and sum(v for _, v in tl) == s["records"]
    assert tl[0][0] == s["days"][0]["key"] and tl[-1][0] == s["days"][-1]["key"]


def test_timeline_switches_to_months_over_long_spans():
    days = [{"key": "2025-01-03", "count": 2}, {"key": "2025-06-30", "count": 1}, {"key": "2025-07-01", "count": 4}]
    tl, unit = report_html.timeline(days)
    assert unit == "month"
    assert tl == [("2025-01", 2), ("2025-02", 0), ("2025-03", 0), ("2025-04", 0), ("2025-05", 0), ("2025-06", 1), ("2025-07", 4)]


# ---------------------------------------------------------------- in a real browser

needs_chromium = pytest.mark.skipif(
    headless.find_chromium() is None,
    reason="chromium not installed (Debian: apt-get install -y chromium; .ci/run installs it when missing)",
)


@needs_chromium
def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path):
    shot = tmp_path / "report-screenshot.png"
    res = headless.open_page(report, PROBE, shot, timeout=90)
    print(f"\nreport screenshot: {shot}")
    assert res.errors == [], res.errors
    v = res.value
    assert sorted(v["plots"]) == sorted(PLOTS)
    for name, p in v["plots"].items():
        assert p["width"] > 100 and p["height"] > 50, (name, p)
        assert p["bars"] > 0 and p["drawn"] > 0, (name, p)
    assert v["plots"]["languages"]["drawn"] == 3 and v["plots"]["sites"]["drawn"] == 3
    assert v["scripts"] == 0 and v["bold"] == 0
    assert small_corpus.HOSTILE_TITLE in v["titles"]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 2000)
    if os.environ.get("ARCHIVIST_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, REPO / "docs" / "report-screenshot.png")


@needs_chromium
def test_the_browser_check_sees_console_errors_and_missing_plots(tmp_path: Path):
    """The harness itself can fail: a console error, a blocked script and a plot with no bars show."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; script-src \'sha256-x\'">'
        "</head><body><svg data-plot=\"languages\" width=\"100\" height=\"100\"></svg>"
        "<script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    res = headless.open_page(bad, PROBE, None, timeout=60)
    assert res.errors, "a CSP-blocked inline script must show as a console error"
    assert res.value["plots"]["languages"]["bars"] == 0

    noisy = tmp_path / "noisy.html"
    noisy.write_text("<!doctype html><html><body><script>console.error('boom'); undefinedFn();</script></body></html>",
                     encoding="utf-8")
    res = headless.open_page(noisy, PROBE, None, timeout=60)
    assert any("boom" in e for e in res.errors), res.errors
    assert any("undefinedFn" in e for e in res.errors), res.errors
