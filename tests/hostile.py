"""Hostile inputs, generated on the spot (no downloads): what real crawls and careless users hand us.

Each builder writes files into a folder and returns ``{label: path}``. Pages and archives are
kept apart because the pipeline accounts for them differently (a page is one input; an archive
is one input holding many records, each archived or rejected).
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
import zlib
from pathlib import Path

from archivist.warc_writer import gzip_member, serialise
from tests.helpers import article_html

_SEED = 20260323  # fixed: the same hostile bytes on every run and in CI


def good_pages(folder: Path) -> dict[str, Path]:
    """Two ordinary articles: they must come out as records whatever else is in the run."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, topic in enumerate(("harbour", "orchard")):
        paras = [f"The {topic} committee met on Tuesday to discuss the plan number {i} for the coming season and its costs.",
                 f"Members of the {topic} association said the proposal would be put to a vote before the end of the month.",
                 f"Local people who depend on the {topic} for their living asked for more time to read the detailed documents."]
        p = folder / f"good-{topic}.html"
        p.write_text(article_html(f"The {topic} plan", paras), encoding="utf-8")
        out[f"good-{topic}"] = p
    return out


def _html(body: str, head: str = '<meta charset="utf-8">') -> str:
    return f"<!doctype html><html><head>{head}<title>t</title></head><body>{body}</body></html>"


PROSE = "<p>" + "A sentence of ordinary prose that an extractor should be able to find in the page. " * 6 + "</p>"


def hostile_pages(folder: Path) -> dict[str, Path]:
    """Small hostile pages (each well under a megabyte on disk, except the nesting ones)."""
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(_SEED)
    files: dict[str, bytes] = {
        "empty.html": b"",
        "random.bin": rnd.randbytes(65536),
        "random.html": rnd.randbytes(65536),
        "random.txt": rnd.randbytes(8192),
        "nul-bytes.html": _html(PROSE.replace("ordinary", "ordi\x00nary") + "\x00" * 1000).encode(),
        "only-nul.html": b"\x00" * 4096,
        "invalid-utf8.html": _html(PROSE).encode() .replace(b"ordinary", b"ordi\xc3\x28na\xff\xfery"),
        # meta says utf-8, the bytes are windows-1251 (Cyrillic)
        "wrong-charset.html": _html("<p>" + "Привет, это обычный текст статьи на русском языке. " * 20 + "</p>").encode("windows-1251"),
        "unknown-charset.html": _html(PROSE, head='<meta charset="x-klingon-9000">').encode(),
        "bom-conflict.html": b"\xff\xfe" + _html(PROSE).encode("utf-8"),  # UTF-16 BOM, UTF-8 bytes
        "deep-nesting.html": ("<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</body></html>").encode(),
        "deep-unclosed.html": ("<html><body>" + "<b><i>" * 50_000 + PROSE).encode(),
        "many-attributes.html": ("<html><body><div " + " ".join(f'a{i}="{i}"' for i in range(100_000)) + ">"
                                 + PROSE + "</div></body></html>").encode(),
        "huge-attribute.html": ('<html><body><div title="' + "x" * 2_000_000 + '">' + PROSE + "</div></body></html>").encode(),
        "script-only.html": _html("<script>" + "var a = 1;" * 10000 + "</script>").encode(),
        "unterminated-comment.html": ("<html><body><!-- " + PROSE * 10).encode(),
        "just-text.html": b"no markup at all, just words",
        "control-chars.txt": bytes(range(32)) * 200,
        # odd file names
        "with space.html": _html(PROSE).encode(),
        "ünïcödé-页面.html": _html(PROSE.replace("ordinary", "unicode-named")).encode(),
        "new\nline.html": _html(PROSE.replace("ordinary", "newline-named")).encode(),
        "-leading-dash.html": _html(PROSE.replace("ordinary", "dash-named")).encode(),
        ("l" * 240) + ".html": _html(PROSE.replace("ordinary", "long-named")).encode(),
        "no-extension": _html(PROSE.replace("ordinary", "extensionless")).encode(),
        "image.png": b"\x89PNG\r\n\x1a\n" + rnd.randbytes(2000),
    }
    out = {}
    for name, data in files.items():
        p = folder / name
        p.write_bytes(data)
        out[name] = p
    return out


# ---------------------------------------------------------------------------------------------
# WARCs


def _rec(rtype: str, uri: str, block: bytes, ctype: str, n: int, extra: list[tuple[str, str]] | None = None) -> bytes:
    headers = [("WARC-Type", rtype), ("WARC-Record-ID", f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>"),
               ("WARC-Date", "2026-03-01T10:00:00Z"), ("WARC-Target-URI", uri), ("Content-Type", ctype)]
    return serialise(headers + (extra or []), block)


def http_response(html: bytes, extra_headers: str = "") -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" + extra_headers.encode()
            + b"Content-Length: " + str(len(html)).encode() + b"\r\n\r\n" + html)


def valid_warc_records(n: int = 4, start: int = 1) -> list[bytes]:
    """Uncompressed WARC records: response records with article pages."""
    recs = []
    for i in range(start, start + n):
        html = article_html(f"Archived story {i}", [f"Story {i} tells how the bridge over the river was rebuilt after the flood of the spring {i}.",
                                                   "Workers from three villages carried stones for weeks until the arches stood again."]).encode()
        recs.append(_rec("response", f"https://archived.example/story/{i}", http_response(html),
                         "application/http;msgtype=response", i))
    return recs


def valid_warc_gz(n: int = 4, start: int = 1) -> bytes:
    return b"".join(gzip_member(r) for r in valid_warc_records(n, start))


def hostile_archives(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(_SEED + 1)
    good = valid_warc_gz(4, start=100)
    plain = b"".join(valid_warc_records(3, start=200))
    flipped = bytearray(valid_warc_gz(4, start=300))
    for _ in range(20):
        i = rnd.randrange(len(flipped))
        flipped[i] ^= 1 << rnd.randrange(8)
    recs = valid_warc_records(3, start=400)
    wrong_len = recs[0] + recs[1].replace(b"Content-Length: ", b"Content-Length: 9", 1) + recs[2]
    files: dict[str, bytes] = {
        "text-named.warc.gz": b"this is a plain text file, not an archive\n" * 50,
        "zero.warc": b"",
        "zero.warc.gz": b"",
        "zero.wacz": b"",
        "zero.arc": b"",
        "truncated.warc.gz": valid_warc_gz(4, start=500)[:-700],
        "truncated-plain.warc": plain[: len(plain) * 2 // 3],
        "bitflipped.warc.gz": bytes(flipped),
        "wrong-content-length.warc": wrong_len,
        "whole-file-gzip.warc.gz": gzip.compress(b"".join(valid_warc_records(3, start=600)), mtime=0),
        "random.warc.gz": b"\x1f\x8b\x08" + rnd.randbytes(5000),
        "random.warc": rnd.randbytes(5000),
        "garbage-between.warc": recs[0] + b"\r\nnot a record at all\r\n" * 10 + recs[1],
        "not-a-zip.wacz": b"PK\x03\x04 this is not really a zip" * 10,
        "renamed-good.warc.gz": good,  # control: an archive that must copy cleanly
    }
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("datapackage.json", "{}")
        zf.writestr("pages/pages.jsonl", "")
    files["no-archive-dir.wacz"] = z.getvalue()
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("archive/data.warc.gz", b"\x1f\x8b\x08garbage inside the wacz")
    files["bad-inner.wacz"] = z.getvalue()
    out = {}
    for name, data in files.items():
        p = folder / name
        p.write_bytes(data)
        out[name] = p
    return out


# ---------------------------------------------------------------------------------------------
# Big and explosive inputs (own run: they decide the memory bound)


def big_page(folder: Path, mb: int = 30) -> Path:
    """A 30 MB HTML page of real-looking paragraphs."""
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / "huge-30mb.html"
    para = ("<p>" + "Long page paragraph with words that repeat until the file is very large indeed. " * 5 + "</p>\n").encode()
    with p.open("wb") as fh:
        fh.write(b"<!doctype html><html><head><meta charset='utf-8'><title>huge</title></head><body><article>")
        written = 0
        while written < mb * 1_000_000:
            fh.write(para)
            written += len(para)
        fh.write(b"</article></body></html>")
    return p


def gzip_bomb(expanded_bytes: int, prefix: bytes = b"") -> bytes:
    """A gzip stream of ``prefix`` then zeros: ~1000:1, so 2 GB expands from ~2 MB.

    Built in a second, not by compressing gigabytes: one full-flushed deflate block of 4 MiB of
    zeros does not depend on what came before, so it is computed once and repeated.
    """
    chunk = b"\0" * (1 << 22)
    n = max(1, expanded_bytes // len(chunk))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = zlib.crc32(prefix)
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    size = (len(prefix) + n * len(chunk)) & 0xFFFFFFFF
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + head + block * n + tail
            + crc.to_bytes(4, "little") + size.to_bytes(4, "little"))


def bombs(folder: Path, expanded_bytes: int = 2 << 30) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    bomb = gzip_bomb(expanded_bytes, prefix=b"<html><body><p>bomb</p>")
    page = folder / "bomb.html.gz"
    page.write_bytes(bomb)
    rec = _rec("response", "https://bomb.example/", http_response(bomb, "Content-Encoding: gzip\r\n"),
               "application/http;msgtype=response", 900)
    warc = folder / "bomb.warc.gz"
    warc.write_bytes(gzip_member(rec) + valid_warc_gz(1, start=901))
    return {"bomb.html.gz": page, "bomb.warc.gz": warc}
