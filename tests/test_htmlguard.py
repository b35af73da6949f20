"""The pathological-markup guard gives the same answer with its byte-count shortcut as without."""

from __future__ import annotations

from archivist import charset, htmlguard

DEEP = "<html><body>" + "<div>" * (htmlguard.MAX_DEPTH + 10) + "x" + "</div>" * (htmlguard.MAX_DEPTH + 10) + "</body></html>"
WIDE = "<html><body><div " + " ".join(f'a{i}="{i}"' for i in range(htmlguard.MAX_ATTRIBUTES + 10)) + ">x</div></body></html>"
FINE = "<html><head><title>Été</title></head><body>" + "<p class='x'>Ceci est un paragraphe — ünïcödé.</p>" * 3000 + "</body></html>"


def test_shortcut_agrees_with_the_text_scan() -> None:
    for html in (DEEP, WIDE, FINE):
        for codec in ("utf-8", "windows-1252", "shift_jis"):
            raw = html.encode(codec, errors="replace")
            text = raw.decode(codec)
            assert charset.ascii_compatible(codec)
            assert htmlguard.problem(text, raw) == htmlguard.problem(text), (codec, html[:40])
    assert htmlguard.problem(DEEP) and htmlguard.problem(WIDE) and htmlguard.problem(FINE) is None


def test_charsets_that_do_not_write_ascii_as_ascii_get_no_shortcut() -> None:
    for codec in ("utf-16", "utf-16-le", "utf-32", "cp500"):
        assert not charset.ascii_compatible(codec), codec
    assert not charset.ascii_compatible("no-such-charset")
