"""A cheap pre-check for markup that makes HTML tree builders quadratic.

The HTML5 tree builders (lexbor, libxml2) spend O(depth) per closing tag and O(attributes) per
attribute, so 100,000 nested elements or 100,000 attributes on one tag take minutes and would
end as a sandbox timeout after holding a worker for the whole timeout. Browsers themselves cap
nesting (Blink at 512 levels). One linear regex scan finds such pages in milliseconds; they
become a ``pathological-html`` reject instead.
"""

from __future__ import annotations

import re

MAX_DEPTH = 5000
MAX_ATTRIBUTES = 10000  # lexbor takes 0.2 s on one tag with this many; 100,000 take minutes

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)([^<>]*)>")
_VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"])
# Often left open on purpose (the parser closes them implicitly): never counted as nesting, so a
# long list of unclosed <p> or <li> is not mistaken for depth.
_IMPLIED_END = frozenset(["p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "rb", "rt", "rtc", "rp", "caption", "html", "head", "body"])
_ATTR = re.compile(r"""(?<=\s)[^\s"'=<>/]++\s*+=""")  # anchored after a space: linear
# A tag long enough to hold MAX_ATTRIBUTES attributes (each takes at least two characters).
_LONG_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*+)([^<>]{" + str(2 * MAX_ATTRIBUTES) + r",}+)>")


def byte_counts(raw: bytes) -> tuple[int, int]:
    """``(raw.count(b"<"), raw.count(b"="))``: two vectorised compares (numpy) count a news page
    in a third of the time of two ``bytes.count`` loops."""
    if len(raw) < 8192:
        return raw.count(b"<"), raw.count(b"=")
    import numpy as np

    a = np.frombuffer(raw, dtype=np.uint8)
    return int(np.count_nonzero(a == 60)), int(np.count_nonzero(a == 61))


def problem(html: str, raw: bytes | None = None, *, counts: tuple[int, int] | None = None) -> str | None:
    """Why ``html`` would stall a tree builder, or ``None`` if it is fine.

    ``raw``, the bytes ``html`` was decoded from with an ASCII-compatible charset, makes the
    common case cheaper: bytes count faster than text, and they hold at least as many "<" and
    "=" as the text does. ``counts`` is ``byte_counts(raw)`` when the caller has it already.
    """
    if raw is not None:
        lt, eq = byte_counts(raw) if counts is None else counts
        if lt <= MAX_DEPTH and eq < MAX_ATTRIBUTES:
            return None
    # Counted in C: too few opening tags to nest that deep, too few "=" for that many attributes.
    tags = html.count("<")
    if tags <= MAX_DEPTH or tags - html.count("</") <= MAX_DEPTH:
        if html.count("=") < MAX_ATTRIBUTES:
            return None
        for m in _LONG_TAG.finditer(html):
            if len(_ATTR.findall(m.group(2))) > MAX_ATTRIBUTES:
                return f"a <{m.group(1).lower()}> tag with more than {MAX_ATTRIBUTES} attributes"
        return None
    depth = 0
    for m in _TAG.finditer(html):
        closing, name, rest = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            depth = max(0, depth - 1)
            continue
        if len(rest) > 2 * MAX_ATTRIBUTES and len(_ATTR.findall(rest)) > MAX_ATTRIBUTES:
            return f"a <{name}> tag with more than {MAX_ATTRIBUTES} attributes"
        if name not in _VOID and name not in _IMPLIED_END and not rest.endswith("/"):
            depth += 1
            if depth > MAX_DEPTH:
                return f"elements nested more than {MAX_DEPTH} deep"
    return None
