"""A self-contained HTML report of a corpus, and the same plots as SVG files for a release card.

Everything is inline: hand-written SVG plots, CSS in a <style> element, system fonts, no script
at all (a Content-Security-Policy forbids scripts and any network load), so the file opens
offline and nothing a page put in its title or URL can run. The output is deterministic: no
clock, no random sample (the sample is the first records by id), no absolute paths.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import __version__, stats

SAMPLE_SIZE = 20
PLOT_WIDTH = 560
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
COLORS = {"languages": "#4477aa", "sites": "#228833", "timeline": "#66ccee", "lengths": "#ccbb44",
          "duplicates": "#ee6677", "rejects": "#aa3377"}
MAX_BARS = 20


def _e(s: Any) -> str:
    return escape("" if s is None else str(s), quote=True)


def _cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- SVG plots


def _svg_open(name: str, title: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" data-plot="{_e(name)}" '
        f'width="{PLOT_WIDTH}" height="{height}" viewBox="0 0 {PLOT_WIDTH} {height}" '
        f'font-family="{_e(FONT)}" font-size="12">',
        f"<title>{_e(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="#222">{_e(title)}</text>',
    ]


def _no_data(parts: list[str], y: int, message: str) -> None:
    parts.append(f'<text x="8" y="{y}" fill="#777" font-style="italic">{_e(message)}</text>')


def svg_hbars(name: str, title: str, items: Sequence[tuple[str, int]], empty: str = "no data") -> str:
    """Horizontal bars, one per (label, count), longest first as given."""
    items = list(items)
    if len(items) > MAX_BARS:
        rest = sum(v for _, v in items[MAX_BARS - 1:])
        items = [*items[: MAX_BARS - 1], (f"{len(items) - MAX_BARS + 1} others", rest)]
    row, top, label_w = 22, 28, 220
    height = top + max(1, len(items)) * row + 8
    parts = _svg_open(name, title, height)
    biggest = max((v for _, v in items), default=0)
    if not items or biggest == 0:
        _no_data(parts, top + 14, empty)
    span = PLOT_WIDTH - label_w - 60
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = 0 if not biggest else max(1.0, span * value / biggest) if value else 0
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="#333">{_e(_cut(label, 32))}</text>')
        parts.append(f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{_num(w)}" height="{row - 6}" '
                     f'fill="{COLORS.get(name, "#4477aa")}"><title>{_e(label)}: {value}</title></rect>')
        parts.append(f'<text x="{_num(label_w + w + 4)}" y="{y + 15}" fill="#333">{value}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def svg_columns(name: str, title: str, items: Sequence[tuple[str, int]], x_title: str, empty: str = "no data") -> str:
    """Vertical columns on an ordered axis (time, length bins); some x labels are skipped to fit."""
    items = list(items)
    height, top, bottom, left, right = 240, 30, 44, 44, 34
    parts = _svg_open(name, title, height)
    plot_h = height - top - bottom
    biggest = max((v for _, v in items), default=0)
    if not items or biggest == 0:
        _no_data(parts, top + 20, empty)
        parts.append("</svg>")
        return "\n".join(parts)
    span = PLOT_WIDTH - left - right
    slot = span / len(items)
    gap = min(2.0, slot * 0.15)
    base = top + plot_h
    parts.append(f'<line x1="{left}" y1="{base}" x2="{PLOT_WIDTH - right}" y2="{base}" stroke="#999"/>')
    parts.append(f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" fill="#555">{biggest}</text>')
    parts.append(f'<text x="{left - 6}" y="{base}" text-anchor="end" fill="#555">0</text>')
    every = max(1, -(-len(items) // 6))  # at most ~6 x labels
    for i, (label, value) in enumerate(items):
        x = left + i * slot
        h = plot_h * value / biggest
        parts.append(f'<rect class="bar" x="{_num(x + gap / 2)}" y="{_num(base - h)}" width="{_num(max(0.5, slot - gap))}" '
                     f'height="{_num(h)}" fill="{COLORS.get(name, "#4477aa")}"><title>{_e(label)}: {value}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{_num(x + slot / 2)}" y="{base + 14}" text-anchor="middle" fill="#555" '
                         f'font-size="10">{_e(label)}</text>')
    parts.append(f'<text x="{left + span / 2:.0f}" y="{height - 6}" text-anchor="middle" fill="#555">{_e(x_title)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def timeline(days: list[dict[str, Any]]) -> tuple[list[tuple[str, int]], str]:
    """Captures per day (gaps filled with zero), or per month when the span exceeds ~3 months."""
    if not days:
        return [], "day"
    counts = {d["key"]: d["count"] for d in days if d["key"]}
    first, last = (dt.date.fromisoformat(k) for k in (min(counts), max(counts)))
    if (last - first).days <= 92:
        out, d = [], first
        while d <= last:
            out.append((d.isoformat(), counts.get(d.isoformat(), 0)))
            d += dt.timedelta(days=1)
        return out, "day"
    months: dict[str, int] = {}
    for k, v in counts.items():
        months[k[:7]] = months.get(k[:7], 0) + v
    y, m = first.year, first.month
    out = []
    while (y, m) <= (last.year, last.month):
        key = f"{y:04d}-{m:02d}"
        out.append((key, months.get(key, 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out, "month"


def plots(path: str | Path, figures: dict[str, Any] | None = None) -> dict[str, str]:
    """{name: svg} for every plot of the report, in page order."""
    s = figures or stats.compute(path, top=MAX_BARS * 50)
    hist = stats.length_histogram(path)
    tl, unit = timeline(s["days"])
    d = s["duplicates"]
    dup_items = [("kept", s["kept"]), ("exact duplicate", d["exact"]), ("near duplicate", d["near"])]
    if d["other"]:
        dup_items.append(("other (not kept)", d["other"]))
    return {
        "languages": svg_hbars("languages", "Records per language",
                               [(str(r["key"]), r["count"]) for r in s["languages"]]),
        "sites": svg_hbars("sites", "Records per site", [(str(r["key"]), r["count"]) for r in s["sites"]]),
        "timeline": svg_columns("timeline", f"Captures per {unit} (UTC)", tl, unit),
        "lengths": svg_columns("lengths", "Text length (words per record)",
                               [(str(b["lo"]), b["count"]) for b in hist], "words (bin start)"),
        "duplicates": svg_hbars("duplicates", "Records by duplicate status", dup_items),
        "rejects": svg_hbars("rejects", "Rejected inputs by reason",
                             [(f"{r['stage']}/{r['reason']}", r["count"]) for r in s["rejects"]["reasons"]],
                             empty="no rejects"),
    }


def render_plots(path: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the report's plots as standalone SVG files ``<out_dir>/images/<name>.svg``.

    For a release's dataset card: call it with the records folder (or the release being built)
    and the release folder, then link the files from the card, e.g. with :func:`plots_markdown`.
    Returns the written paths in page order; same data -> byte-identical files.
    """
    from .fsutil import write_text

    images = Path(out_dir) / "images"
    written = []
    for name, svg in plots(path).items():
        p = images / f"{name}.svg"
        write_text(p, '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n")
        written.append(p)
    return written


def plots_markdown(paths: Sequence[Path], relative_to: str | Path) -> str:
    """Markdown image links for :func:`render_plots` output, relative to the card's folder."""
    lines = []
    for p in paths:
        rel = Path(p).relative_to(relative_to).as_posix()
        lines.append(f"![{Path(p).stem}]({rel})")
    return "\n\n".join(lines) + "\n"


# ---------------------------------------------------------------- HTML page

CSS = f"""
body {{ font-family: {FONT}; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }}
h1 {{ font-size: 24px; margin-bottom: 4px; }}
h2 {{ font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }}
.summary {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }}
.summary div {{ background: #f4f6f8; border-radius: 6px; padding: 8px 14px; }}
.summary b {{ display: block; font-size: 20px; }}
.plots {{ display: grid; grid-template-columns: repeat(auto-fill, minmax({PLOT_WIDTH}px, 1fr)); gap: 16px; }}
figure {{ margin: 0; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ border-bottom: 1px solid #e4e4e4; padding: 4px 8px; text-align: left; vertical-align: top; }}
td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.snippet {{ color: #555; max-width: 420px; white-space: pre-wrap; overflow-wrap: anywhere; }}
td.url {{ max-width: 280px; overflow-wrap: anywhere; }}
code {{ font-size: 12px; }}
footer {{ margin-top: 32px; color: #777; font-size: 12px; }}
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _safe_href(url: str | None) -> str | None:
    """Only http(s) links are clickable: a javascript: or data: URL from a page stays text."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def _check_prefix(prefix: str | None) -> str | None:
    if prefix is None:
        return None
    if not (prefix.startswith(("http://", "https://", "/"))):
        raise ValueError(f"--replay-prefix must be an http(s) URL or an absolute path, not {prefix!r}")
    return prefix.rstrip("/")


def _source_cell(r: dict[str, Any], prefix: str | None) -> str:
    where = f"<code>{_e(r['warc_filename'])}</code> @ {_e(r['warc_record_offset'])}"
    if prefix and r.get("timestamp") and r.get("url"):
        href = f"{prefix}/{r['timestamp']}/{r['url']}"
        return f'<a href="{_e(href)}">replay {_e(r["timestamp"])}</a><br>{where}'
    return where


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    th = "".join(f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>" for i, h in enumerate(head))
    body = []
    for row in rows:
        tds = "".join(f'<td class="n">{_e(v)}</td>' if i in numeric else f"<td>{_e(v)}</td>" for i, v in enumerate(row))
        body.append(f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(path: str | Path, replay_prefix: str | None = None, sample_size: int = SAMPLE_SIZE) -> str:
    """The report page as a string."""
    prefix = _check_prefix(replay_prefix)
    s = stats.compute(path, top=MAX_BARS * 50)
    figs = plots(path, s)
    rows = stats.sample(path, sample_size)
    n, rj = s["records"], s["rejects"]
    months = [m["key"] for m in s["months"] if m["key"]]
    span = f"{months[0]} to {months[-1]}" if months else "-"

    def box(value: Any, label: str) -> str:
        return f"<div><b>{_e(value)}</b>{_e(label)}</div>"

    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Corpus report: {_e(s['corpus'])}</title>",
        f"<style>{CSS}</style>",
        "</head><body>",
        f"<h1>Corpus report: {_e(s['corpus'])}</h1>",
        '<div class="summary">',
        box(n, "records"),
        box(s["kept"], "kept (not duplicates)"),
        box(f"{100 * s['duplicates']['rate']:.1f}%", "duplicate rate"),
        box(rj["count"], "rejected inputs"),
        box(f"{100 * rj['rate']:.1f}%", "reject rate"),
        box(s["languages_distinct"], "languages"),
        box(s["sites_distinct"], "sites"),
        box(span, "capture months"),
        "</div>",
        *_release_lines(s.get("release")),
        "<h2>Plots</h2>",
        '<div class="plots">',
    ]
    for name, svg in figs.items():
        out.append(f'<figure id="plot-{name}">{svg}</figure>')
    out.append("</div>")

    wc = s["word_count"]
    keys = ["min", *(f"p{round(q * 100)}" for q in stats.QUANTILES), "max", "mean", "total"]
    out.append("<h2>Text length (words)</h2>")
    out.append(_table(keys, [["-" if wc[k] is None else wc[k] for k in keys]], numeric=range(len(keys))))
    out.append("<h2>HTTP status</h2>")
    out.append(_table(["status", "records"], [["null (local resource)" if r["key"] is None else r["key"], r["count"]]
                                              for r in s["http_status"]], numeric=[1]))
    out.append("<h2>Rejects</h2>")
    out.append(_table(["stage", "reason", "inputs"], [[r["stage"], r["reason"], r["count"]] for r in rj["reasons"]],
                      numeric=[2]) if rj["reasons"] else "<p>No input was rejected.</p>")

    out.append(f"<h2>Sample: the first {len(rows)} records by id</h2>")
    head = "".join(f"<th{' class=n' if h == 'words' else ''}>{h}</th>"
                   for h in ("title", "url", "language", "words", "first 200 characters", "source capture"))
    out.append(f'<table class="sample"><thead><tr>{head}</tr></thead><tbody>')
    for r in rows:
        href = _safe_href(r["url"])
        url_cell = f'<a href="{_e(href)}">{_e(r["url"])}</a>' if href else _e(r["url"])
        out.append(
            f'<tr data-id="{_e(r["id"])}"><td>{_e(r["title"] or "(no title)")}</td><td class="url">{url_cell}</td>'
            f'<td>{_e(r["language"] or "-")}</td><td class="n">{_e(r["word_count"])}</td>'
            f'<td class="snippet">{_e(r["snippet"])}</td><td>{_source_cell(r, prefix)}</td></tr>'
        )
    out.append("</tbody></table>")
    out.append(f"<footer>Made by archivist {_e(__version__)} from {s['files']['records']} record shard(s) and "
               f"{s['files']['rejects']} reject shard(s).</footer>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _release_lines(rel: dict[str, Any] | None) -> list[str]:
    """The release's own numbers (from its manifest) under the summary boxes."""
    if not rel:
        return []
    rows = [("version", rel.get("version")), ("parent version", rel.get("parent_version") or "none"),
            ("last capture", rel.get("created")), ("logical digest", rel.get("logical_digest")),
            ("tree sha256", rel.get("tree_sha256"))]
    cells = "".join(f"<tr><th>{_e(k)}</th><td><code>{_e('-' if v is None else v)}</code></td></tr>" for k, v in rows)
    return [f'<table class="release" id="release">{cells}</table>']


def write_report(path: str | Path, out: str | Path, replay_prefix: str | None = None,
                 sample_size: int = SAMPLE_SIZE) -> Path:
    """Write the report page to ``out`` and return it."""
    from .fsutil import write_text

    dest = Path(out)
    if dest.is_dir():
        raise ValueError(f"{dest}: is a folder; give a file name, e.g. {dest / 'report.html'}")
    page = render_html(path, replay_prefix, sample_size)
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_text(dest, page)
    return dest
