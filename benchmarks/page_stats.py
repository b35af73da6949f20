"""Per-page shape statistics (medians) of real and generated pages, to check the generator.

    python benchmarks/page_stats.py DIR_OF_HTML_FILES WARC_DIR [...]

For each argument (a folder of ``*.html`` files, or a folder of ``*.warc.gz`` whose first 300
responses are read) prints the median per page of: size, whitespace between tags, comments,
entities, scripts and their text (and the JSON part), style text, inline SVG, elements,
attribute bytes, links, list items, visible text (body without script/style/svg/noscript/
template, whitespace collapsed), paragraphs, divs and the deepest element nesting (of that
visible document).
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from archivist.warc_reader import iter_records


def _pages(folder: Path, n: int = 300) -> list[bytes]:
    html = sorted(folder.glob("*.html"))
    if html:
        return [f.read_bytes() for f in html]
    out: list[bytes] = []
    for warc in sorted(folder.glob("*.warc.gz")):
        for r in iter_records(warc):
            if getattr(r, "record_type", None) == "response":
                out.append(r.content(strict=True))
            if len(out) >= n:
                return out
    return out


def _depth(root) -> int:  # type: ignore[no-untyped-def]
    deepest, stack = 0, [(root, 0)]
    while stack:
        node, k = stack.pop()
        deepest = max(deepest, k)
        child = node.child
        while child is not None:
            if child.tag != "-text":
                stack.append((child, k + 1))
            child = child.next
    return deepest


def stats(raw: bytes) -> dict[str, float]:
    html = raw.decode("utf-8", "replace")
    tree = LexborHTMLParser(html)
    els = tree.css("*")
    scripts = tree.css("script")
    d = {
        "KB": len(raw) / 1024,
        "ws_KB": sum(len(m) for m in re.findall(r">(\s+)<", html)) / 1024,
        "comment_KB": sum(len(m) for m in re.findall(r"<!--.*?-->", html, re.S)) / 1024,
        "entities": len(re.findall(r"&[#a-zA-Z0-9]+;", html)),
        "head_meta_link": len(tree.css("head meta, head link")),
        "scripts": len(scripts),
        "script_KB": sum(len(n.text() or "") for n in scripts) / 1024,
        "json_KB": sum(len(n.text() or "") for n in scripts if "json" in (n.attributes.get("type") or "")) / 1024,
        "style_KB": sum(len(n.text() or "") for n in tree.css("style")) / 1024,
        "svg_KB": sum(len(n.html or "") for n in tree.css("svg")) / 1024,
        "elements": len(els),
        "attr_KB": sum(sum(len(k) + len(v or "") for k, v in n.attributes.items()) for n in els) / 1024,
        "class_KB": sum(len(n.attributes.get("class") or "") for n in els) / 1024,
        "links": len(tree.css("a")),
        "li": len(tree.css("li")),
        "span": len(tree.css("span")),
        "img": len(tree.css("img")),
        "p": len(tree.css("p")),
        "div": len(tree.css("div")),
    }
    body = tree.body
    for n in tree.css("script,style,svg,noscript,template"):
        n.decompose()
    d["text_KB"] = len(re.sub(r"\s+", " ", body.text(separator=" ") if body else "")) / 1024
    d["depth"] = _depth(tree.root)  # of the visible document, without script/style/svg
    return d


def main() -> None:
    cols = []
    for arg in sys.argv[1:]:
        per = [stats(p) for p in _pages(Path(arg))]
        cols.append((Path(arg).name[-18:], len(per), {k: statistics.median(s[k] for s in per) for k in per[0]}))
    print(f"{'median per page':16}" + "".join(f"{f'{name} ({n})':>26}" for name, n, _ in cols))
    for key in cols[0][2]:
        print(f"{key:16}" + "".join(f"{c[key]:26.1f}" for _, _, c in cols))


if __name__ == "__main__":
    main()
