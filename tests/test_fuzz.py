"""Property-based fuzzing (hypothesis) with a fixed, derandomized budget so CI is reproducible.

Targets: the archive readers (our own parser in archives_in and the warcio-based
warc_reader.iter_records), the charset decision, the page extractor, the text-page parser and
the sidecar reader. Crashes found here are fixed and pinned in tests/test_hostile_regressions.py.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist import charset, textpage
from archivist.archives_in import CopiedRecord, iter_archive_bytes
from archivist.extractor import NotExtractable, extract_bytes
from archivist.report import Reject
from archivist.sources import read_sidecar
from archivist.warc_reader import ReadError, SourceRecord, iter_records
from tests.hostile import valid_warc_gz, valid_warc_records

# derandomize: the same examples on every run (a fixed seed); deadline per example generous
# enough for a loaded 2-core CI box, small enough to catch a quadratic blow-up.
# ARCHIVIST_FUZZ_SCALE=10 runs ten times the examples; ARCHIVIST_FUZZ_RANDOM=1 explores new ones
# (use both for a long local session; CI keeps the fixed, reproducible budget).
_SCALE = int(os.environ.get("ARCHIVIST_FUZZ_SCALE", "1"))
BUDGET = settings(max_examples=1000 * _SCALE, deadline=2000, derandomize=not os.environ.get("ARCHIVIST_FUZZ_RANDOM"),
                  database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SMALL_BUDGET = settings(BUDGET, max_examples=300 * _SCALE)

VALID_GZ = valid_warc_gz(3)
VALID_PLAIN = b"".join(valid_warc_records(3))


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[i:]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=64))
        else:
            del data[i : i + draw(st.integers(1, 200))]
    return bytes(data)


def _check_archive_items(data: bytes, name: str) -> None:
    items = list(iter_archive_bytes(name, data))
    for it in items:
        assert isinstance(it, CopiedRecord | Reject), type(it)
        if isinstance(it, Reject):
            assert it.reason and it.detail
    # a file of nothing but padding (NUL, whitespace) yields nothing here; copy_archive then
    # reports it as empty-archive
    assert items or not data.strip(b"\x00\r\n\t "), "nothing yielded and nothing reported"


@BUDGET
@given(mutated(VALID_GZ))
def test_fuzz_archive_parser_gz(data: bytes) -> None:
    _check_archive_items(data, "fuzz.warc.gz")


@BUDGET
@given(mutated(VALID_PLAIN))
def test_fuzz_archive_parser_plain(data: bytes) -> None:
    _check_archive_items(data, "fuzz.warc")


def test_unmutated_archive_yields_every_record() -> None:
    got = [it for it in iter_archive_bytes("ok.warc.gz", VALID_GZ)]
    assert [type(it) for it in got] == [CopiedRecord] * 3


@SMALL_BUDGET
@given(mutated(VALID_GZ))
def test_fuzz_warc_reader(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "fuzz.warc.gz"
        p.write_bytes(data)
        for it in iter_records(p):
            assert isinstance(it, SourceRecord | ReadError)
            if isinstance(it, ReadError):
                assert it.reason and it.detail


_LABELS = ["utf-8", "windows-1251", "idna", "punycode", "rot13", "base64", "hex", "zip", "uu", "utf-7",
           "unicode_escape", "raw_unicode_escape", "undefined", "utf-16", "utf-32", "x-klingon", "", "mbcs",
           "iso-2022-jp", "shift_jis", "gb2312", "big5", "cp037", "utf-8-sig", "palmos", "string_escape"]
content_types = st.one_of(
    st.none(),
    st.sampled_from(_LABELS).map(lambda c: f"text/html; charset={c}"),
    st.text(max_size=60),
)
payloads = st.one_of(
    st.binary(max_size=3000),
    st.tuples(st.sampled_from(_LABELS), st.binary(max_size=500)).map(
        lambda t: b'<html><head><meta charset="' + t[0].encode() + b'"></head><body>' + t[1]),
)


@BUDGET
@given(payloads, content_types, st.booleans())
def test_fuzz_charset(raw: bytes, ctype: str | None, html: bool) -> None:
    d = charset.decide(raw, ctype, html=html)
    assert codecs.lookup(d.used)._is_text_encoding  # a real text codec, not rot13/base64
    assert isinstance(charset.decode(raw, d), str)


_TAGS = ["div", "p", "span", "article", "main", "nav", "footer", "script", "style", "table", "td", "li", "a",
         "h1", "title", "meta", "br", "template", "svg", "math", "iframe", "noscript", "select", "option"]


def _html_tree() -> st.SearchStrategy[str]:
    text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
    attrs = st.lists(st.tuples(st.sampled_from(["class", "id", "href", "content", "property", "itemprop", "lang", "x"]),
                               text), max_size=3).map(lambda a: "".join(f' {k}="{v}"' for k, v in a))
    return st.recursive(
        text,
        lambda kids: st.tuples(st.sampled_from(_TAGS), attrs, st.lists(kids, max_size=4), st.booleans()).map(
            lambda t: f"<{t[0]}{t[1]}>{''.join(t[2])}" + (f"</{t[0]}>" if t[3] else "")),
        max_leaves=30,
    )


_MEDIA = st.sampled_from(["text/html", "text/plain", "application/xhtml+xml", "", "image/png", "TEXT/HTML"])


@BUDGET
@given(st.binary(max_size=4000), _MEDIA, content_types)
def test_fuzz_extract_bytes(raw: bytes, media: str, ctype: str | None) -> None:
    try:
        extract_bytes(raw, media, declared_content_type=ctype, url="https://fuzz.example/")
    except NotExtractable as e:
        assert e.reason


@BUDGET
@given(_html_tree(), st.sampled_from(["utf-8", "windows-1252", "utf-16"]))
def test_fuzz_extract_structured_html(body: str, enc: str) -> None:
    html = f"<html><head><title>t</title></head><body>{body}</body></html>"
    try:
        doc = extract_bytes(html.encode(enc, "replace"), "text/html", url="https://fuzz.example/a")
        assert doc.text.strip()
    except NotExtractable as e:
        assert e.reason


@BUDGET
@given(st.text(max_size=3000))
def test_fuzz_textpage(text: str) -> None:
    tp = textpage.parse(text)
    assert isinstance(tp.text, str)


_CELLS = st.one_of(st.text(max_size=20), st.sampled_from(["2026-03-01", "2026-13-45", "yesterday", "", "a.html"]))


@SMALL_BUDGET
@given(st.one_of(
    st.binary(max_size=400),
    st.lists(st.lists(_CELLS, min_size=1, max_size=4), max_size=5).map(
        lambda rows: "\n".join(",".join(r) for r in [["path", "url", "captured_at"], *rows]).encode("utf-8", "replace")),
), st.sampled_from(["side.csv", "side.jsonl"]))
def test_fuzz_sidecar(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_bytes(data)
        try:
            read_sidecar(p)
        except ValueError as e:
            assert str(p) in str(e), f"error does not name the file: {e}"
