"""``archivist show ID --html``: the extracted record beside the archived page, in one HTML file.

Left, the record (metadata, text, outlinks, provenance and the digest check); right, the page as
archived, in ``<iframe sandbox srcdoc=...>``. Three layers keep the archived page inert:

1. the archived markup is defused before it is embedded: scripts become inert data blocks,
   ``on*`` handlers, ``javascript:`` URLs and meta refresh are renamed or removed, and resource
   URLs (images, styles, frames) are kept only as ``data-archived-*`` attributes, so nothing is
   fetched and the viewer works offline;
2. the iframe's ``sandbox`` attribute has no ``allow-scripts`` (and no ``allow-same-origin``);
3. a Content-Security-Policy on the page (inherited by the srcdoc frame) forbids scripts and
   every network load.

The output is deterministic (no clock, no absolute paths) and every value is HTML-escaped.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

from . import __version__
from .hashing import sha256_hex
from .show import ShowResult

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# Attributes that make a browser fetch something; kept for the reader as data-archived-<name>.
_FETCHING = {"src", "srcset", "href", "poster", "data", "background", "action", "formaction", "codebase",
             "archive", "longdesc", "lowsrc", "dynsrc", "ping", "xlink:href", "imagesrcset", "manifest"}
# Elements whose href only navigates on click (inside the sandbox); kept so links stay readable.
_LINKS = {"a", "area"}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(?!data:)", re.I)
_CSS_IMPORT = re.compile(r"@import\b", re.I)

STYLE = """
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: #222; }
header { padding: 8px 16px; background: #f4f6f8; border-bottom: 1px solid #ddd; }
header h1 { font-size: 18px; margin: 0; }
header p { margin: 2px 0 0; color: #555; font-size: 13px; }
main { display: grid; grid-template-columns: minmax(360px, 2fr) 3fr; height: calc(100vh - 58px); }
#record { overflow: auto; padding: 12px 16px; border-right: 1px solid #ddd; font-size: 13px; }
#archived { display: flex; flex-direction: column; min-height: 0; }
#archived h2, #record h2 { font-size: 14px; margin: 14px 0 6px; }
#archived h2 { margin: 0; padding: 8px 12px; background: #fafafa; border-bottom: 1px solid #eee; }
iframe { flex: 1; width: 100%; border: 0; background: #fff; }
pre.archived-text { flex: 1; margin: 0; padding: 12px; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid #eee; overflow-wrap: anywhere; }
th { color: #456; white-space: nowrap; width: 9em; font-weight: 600; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; background: #fbfbfb; padding: 8px; border: 1px solid #eee; max-height: 40vh; overflow: auto; }
.ok { color: #1a7f37; font-weight: 600; }
.bad { color: #c0392b; font-weight: 600; }
ol.outlinks { padding-left: 22px; margin: 0; }
code { font-size: 12px; }
footer { color: #777; font-size: 11px; margin-top: 16px; }
"""


def _e(v: Any) -> str:
    return escape("" if v is None else str(v), quote=True)


def _safe_href(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _defuse_css(css: str) -> str:
    # url(x) -> url(data:,x): no fetch, and the original URL stays readable in the source
    return _CSS_IMPORT.sub("@archived-import", _CSS_URL.sub(lambda m: f"url({m.group(1)}data:,", css))


def defuse_html(markup: str) -> str:
    """The archived page as inert HTML for an ``srcdoc``: same structure and text, nothing runs
    or loads. A page lxml cannot parse becomes its escaped source in a ``<pre>``."""
    import lxml.html
    from lxml import etree

    try:
        doc = lxml.html.document_fromstring(markup or "<html></html>")
    except (etree.ParserError, ValueError):
        return f"<!doctype html><pre>{_e(markup)}</pre>"
    for el in list(doc.iter()):
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        tag = el.tag.lower()
        if tag == "script":
            el.set("type", "text/x-archived-script")  # an unknown type is never executed
        if tag == "meta" and (el.get("http-equiv") or "").lower() in ("refresh", "content-security-policy", "set-cookie"):
            el.getparent().remove(el)
            continue
        if tag == "base":
            el.getparent().remove(el)
            continue
        if tag == "style" and el.text:
            el.text = _defuse_css(el.text)
        for name in list(el.attrib):
            low = name.lower()
            value = el.attrib[name]
            if low.startswith("on") or low in ("srcdoc", "nonce", "integrity"):
                del el.attrib[name]
                el.set(f"data-archived-{low}", value)
            elif low == "style":
                el.set(name, _defuse_css(value))
            elif low in _FETCHING and not (tag in _LINKS and low == "href" and _safe_href(value.strip())):
                if tag in _LINKS and low == "href" and value.strip().startswith("#"):
                    continue  # in-page anchors are harmless
                del el.attrib[name]
                el.set(f"data-archived-{low.replace(':', '-')}", value)
    head = doc.find("head")
    if head is None:
        head = etree.Element("head")
        doc.insert(0, head)
    meta = etree.Element("meta")
    meta.set("http-equiv", "Content-Security-Policy")
    meta.set("content", CSP)
    head.insert(0, meta)
    charset = etree.Element("meta")
    charset.set("charset", "utf-8")
    head.insert(0, charset)
    return "<!doctype html>\n" + lxml.html.tostring(doc, encoding="unicode", method="html")


def _decode(payload: bytes, charset: str | None) -> str:
    for cs in (charset, "utf-8"):
        if cs:
            try:
                return payload.decode(cs)
            except (LookupError, UnicodeDecodeError):
                continue
    return payload.decode("utf-8", errors="replace")


def _rows(items: list[tuple[str, Any]]) -> str:
    return "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in items if v not in (None, ""))


def _archived_pane(res: ShowResult, content: bytes | None, origin: str | None) -> str:
    r = res.row
    src = res.source
    if content is None:
        why = "the source record could not be read" if src is None else f"the {src.record_type} record holds no payload"
        return f'<section id="archived"><h2>Archived page</h2><pre class="archived-text">({_e(why)})</pre></section>'
    media = (src.media_type if src is not None else "") or (r.get("content_type") or "").split(";")[0].strip().lower()
    text = _decode(content, r.get("charset_used"))
    note = f" (payload of the original capture {_e(origin)})" if origin else ""
    title = f"Archived page: {_e(media or 'unknown type')}, {len(content)} bytes{note}"
    if "html" in media or ("xml" in media and "<html" in text[:2000].lower()):
        doc = defuse_html(text)
        return (f'<section id="archived"><h2>{title}</h2>'
                f'<iframe id="archived-page" title="archived page" sandbox="" referrerpolicy="no-referrer" '
                f'srcdoc="{_e(doc)}"></iframe></section>')
    return f'<section id="archived"><h2>{title}</h2><pre class="archived-text">{_e(text)}</pre></section>'


def render(res: ShowResult, content: bytes | None = None, origin: str | None = None) -> str:
    """The side-by-side page. ``content`` is the archived payload with content coding undone
    (default: the re-read source's); ``origin`` names where it came from when not the row's own record."""
    r = res.row
    src = res.source
    if content is None and src is not None and src.payload:
        content = src.content()
    when = [
        ("title", _e(r.get("title"))),
        ("url", f'<a href="{_e(_safe_href(r["url"]))}">{_e(r["url"])}</a>' if _safe_href(r["url"]) else _e(r["url"])),
        ("canonical", _e(r.get("canonical_url"))),
        ("site", _e(r.get("site_name"))),
        ("captured", _e(r.get("captured_at"))),
        ("published", _e(f"{r['published']} ({r.get('published_source')})") if r.get("published") else None),
        ("modified", _e(r.get("modified"))),
        ("authors", _e(", ".join(r.get("authors") or []))),
        ("language", _e(f"{r.get('language')} ({r['language_confidence']:.2f})" if r.get("language") and r.get("language_confidence") is not None else r.get("language"))),
        ("attribution", _e(r.get("source_attribution"))),
        ("license", _e(r.get("license"))),
        ("description", _e(r.get("description"))),
        ("words", _e(r.get("word_count"))),
        ("exact-dup cluster", _e(r.get("exact_dup_cluster"))),
        ("near-dup cluster", _e(r.get("near_dup_cluster"))),
        ("kept", _e(r.get("is_kept"))),
    ]
    if res.ok and src is not None:
        check = f'<span class="ok">re-read at the offset: {_e(src.record_type)} record, digests match the row</span>'
    elif src is None:
        check = '<span class="bad">not checked: ' + _e("; ".join(res.problems) or "source not read") + "</span>"
    else:
        check = '<span class="bad">DOES NOT match the row: ' + _e("; ".join(res.problems)) + "</span>"
    prov = [
        ("WARC file", f"<code>{_e(r['warc_filename'])}</code>"),
        ("offset", _e(r["warc_record_offset"])),
        ("length", _e(r["warc_record_length"])),
        ("record id", f"<code>{_e(r['warc_record_id'])}</code>"),
        ("payload sha1", f"<code>{_e(r['payload_sha1'])}</code>"),
        ("payload sha256", f"<code>{_e(r['payload_sha256'])}</code>"),
        ("HTTP status", _e(r.get("http_status"))),
        ("content type", _e(r.get("content_type"))),
        ("charset", _e(f"{r.get('charset_used')} (declared {r.get('charset_declared') or '-'})")),
        ("extractor", _e(f"{r.get('extractor')} settings {r.get('settings_hash')}")),
        ("text sha256", f"<code>{_e(r.get('text_sha256'))}</code>"),
        ("digest check", check),
    ]
    if src is not None and src.payload:
        prov.insert(6, ("re-read sha256", f"<code>{_e(sha256_hex(src.payload))}</code>"))
    links = r.get("outlinks") or []
    link_items = []
    for link in links:
        url = link.get("url") if isinstance(link, dict) else str(link)
        label = link.get("text") if isinstance(link, dict) else None
        href = _safe_href(url)
        a = f'<a href="{_e(href)}">{_e(url)}</a>' if href else _e(url)
        link_items.append(f"<li>{a}{' — ' + _e(label) if label else ''}</li>")
    outlinks = f'<ol class="outlinks">{"".join(link_items)}</ol>' if link_items else "<p>none</p>"
    title = r.get("title") or "(no title)"
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>Record {_e(r['id'])}: {_e(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head><body>",
        f'<header><h1 id="record-title">{_e(title)}</h1><p>record <code>{_e(r["id"])}</code></p></header>',
        "<main>",
        '<section id="record">',
        f'<h2>Record</h2><table class="fields">{_rows(when)}</table>',
        f'<h2>Text ({_e(r.get("word_count"))} words)</h2><div class="text" id="record-text">{_e(r.get("text"))}</div>',
        f"<h2>Outlinks ({len(links)})</h2>{outlinks}",
        f'<h2>Provenance</h2><table class="provenance">{_rows(prov)}</table>',
        f"<footer>archivist {_e(__version__)} show --html</footer>",
        "</section>",
        _archived_pane(res, content, origin),
        "</main></body></html>",
    ]
    return "\n".join(out) + "\n"


def original_content(res: ShowResult, records_dir: str | Path, archives_dir: Path) -> tuple[bytes | None, str | None]:
    """For a revisit (no payload of its own): the payload of a record with the same sha256,
    re-read from its WARC and checked; (None, None) when none is found."""
    from .show import ShowError, find_rows_by_payload
    from .warc_reader import read_record_at

    try:
        rows = find_rows_by_payload(records_dir, res.row["payload_sha256"])
    except ShowError:
        return None, None
    for other in rows:
        path = archives_dir / other["warc_filename"]
        try:
            src = read_record_at(path, other["warc_record_offset"])
        except (OSError, ValueError):
            continue
        if src.record_type != "revisit" and sha256_hex(src.payload) == res.row["payload_sha256"]:
            return src.content(), f"{other['warc_filename']}@{other['warc_record_offset']}"
    return None, None
