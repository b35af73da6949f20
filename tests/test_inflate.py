"""Content-coded payloads are inflated with ISA-L, and come out exactly as zlib would give them,
intact or damaged, so a page's record does not depend on which library is installed."""

from __future__ import annotations

import gzip
import random
import struct
import zlib

import pytest

from archivist import inflate
from archivist.warc_reader import MAX_DECODED, ContentTooLarge, decode_content

BODY = ("<html><body>" + "".join(f"<p>paragraph {i} of a page, été, 東京</p>" for i in range(400))).encode()


@pytest.fixture
def zlib_only(monkeypatch: pytest.MonkeyPatch):
    """decode_content as it runs where no ISA-L wheel is installed."""

    def run(body: bytes, enc: str) -> bytes:
        with monkeypatch.context() as m:
            m.setattr(inflate, "_isal", None)
            return decode_content(body, enc)

    return run


def test_isal_is_the_inflater() -> None:
    # isal is a dependency: if this fails, the install lost it and payloads inflate at zlib speed.
    assert inflate.LIBRARY == "isal"


@pytest.mark.parametrize("enc,make", [
    ("gzip", lambda b: gzip.compress(b, mtime=0)),
    ("x-gzip", lambda b: gzip.compress(b, 9, mtime=0)),
    ("gzip", zlib.compress),  # a zlib stream labelled gzip: read anyway, as before
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
])
def test_intact_bodies(enc: str, make) -> None:
    assert decode_content(make(BODY), enc) == BODY


def _gzip_with_fields(flags: int) -> bytes:
    head = b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0\0\xff"
    if flags & 4:
        head += struct.pack("<H", 2) + b"ab"
    if flags & 8:
        head += b"page.html\0"
    if flags & 16:
        head += b"a comment\0"
    if flags & 2:
        head += struct.pack("<H", zlib.crc32(head) & 0xFFFF)
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return head + c.compress(BODY) + c.flush() + struct.pack("<II", zlib.crc32(BODY), len(BODY))


def _damaged(rng: random.Random) -> list[tuple[bytes, str]]:
    page = BODY[: rng.randint(100, len(BODY))]
    streams = [(gzip.compress(page, mtime=0), "gzip"), (zlib.compress(page), "deflate"),
               (zlib.compress(page)[2:-4], "deflate"), (_gzip_with_fields(rng.randrange(32)), "gzip")]
    out = []
    for data, enc in streams:
        for _ in range(12):
            b = bytearray(data)
            op = rng.random()
            if op < 0.35:
                b = b[: rng.randint(0, len(b))]
            elif op < 0.85:
                for _ in range(rng.randint(1, 3)):
                    i = rng.randrange(len(b))
                    b[i] ^= 1 << rng.randrange(8)
            else:
                b += rng.randbytes(20)
            out.append((bytes(b), enc))
    return out


# Each seed's 2,880 cases hold one body ISA-L stops inside without an error while zlib refuses
# it (a flipped bit in the compressed data); so does the header sweep below for its headers.
@pytest.mark.parametrize("seed", [15, 20, 28])
def test_damaged_bodies_come_out_as_zlib_gives_them(zlib_only, seed: int) -> None:
    rng = random.Random(seed)
    cases = [c for _ in range(60) for c in _damaged(rng)]
    differ = [(b[:12].hex(), enc) for b, enc in cases if decode_content(b, enc) != zlib_only(b, enc)]
    assert not differ, differ[:5]


def test_damaged_raw_deflate_comes_out_as_zlib_gives_it(zlib_only) -> None:
    # Raw deflate has no checksum: ISA-L ends some bit-flipped streams cleanly where zlib
    # refuses them (26 of 10,000 in a search; seeds 0-9 here hold some, and this test fails
    # when raw deflate is given to ISA-L).
    cases = []
    for seed in range(10):
        rng = random.Random(seed)
        raw = zlib.compress(BODY[: rng.randint(100, len(BODY))])[2:-4]
        for _ in range(50):
            b = bytearray(raw)
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(b))
                b[i] ^= 1 << rng.randrange(8)
            cases.append(bytes(b))
    differ = [b[:8].hex() for b in cases if decode_content(b, "deflate") != zlib_only(b, "deflate")]
    assert not differ, differ[:5]


def test_every_header_byte_value(zlib_only) -> None:
    # ISA-L reads past headers zlib refuses (reserved gzip flags, a zlib window over 32 KiB):
    # every value of every gzip header byte, and every zlib method/flag byte pair's first byte.
    g = gzip.compress(BODY, mtime=0)
    z = zlib.compress(BODY)
    cases = []
    for i in range(10):
        for v in range(256):
            b = bytearray(g)
            b[i] = v
            cases.append((bytes(b), "gzip"))
    for cmf in range(256):
        flg = (31 - (cmf * 256) % 31) % 31  # a valid check value, so only the method byte is odd
        cases += [(bytes([cmf, flg]) + z[2:], "deflate"), (bytes([cmf, flg]) + z[2:], "gzip")]
    differ = [(b[:4].hex(), enc) for b, enc in cases if decode_content(b, enc) != zlib_only(b, enc)]
    assert not differ, differ[:5]


def test_bomb_is_capped_and_refused_in_strict_mode() -> None:
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = c.compress(b"\0" * (MAX_DECODED + (1 << 20))) + c.flush()
    assert len(decode_content(bomb, "gzip")) == MAX_DECODED
    with pytest.raises(ContentTooLarge):
        decode_content(bomb, "gzip", strict=True)
    assert inflate.decompress(bomb, 31, 1 << 10) == (b"\0" * 1024, True)
