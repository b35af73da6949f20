"""Inflating a gzip or zlib body with ISA-L (python-isal), and zlib's verdict on damaged ones.

Where the time goes when archivist inflates (``benchmarks/decompress.py`` prints it):

* ``extract`` reads a ``.warc.gz`` with FastWARC 2, which inflates in Rust with zlib-rs (zlib-ng's
  algorithms) at 1.7-2.3x the speed of stdlib zlib; ISA-L runs at 2.6-2.7x. Taking the gzip
  members apart in Python to give them to ISA-L costs more than that difference, so the read
  path stays in FastWARC.
* A payload sent with a gzip or deflate content coding is inflated here, page by page, with ISA-L
  (about 2.2x stdlib zlib).
* Copying existing archives in (``archives_in``) keeps zlib: its handling of damaged gzip members
  (which record is cut, where reading resumes) is zlib's, and ISA-L saved 1-2 % of an ingest,
  whose time is in compressing the new WARC.

Two inflaters agree on every intact stream, but not on damaged ones: ISA-L decodes some that
zlib refuses (found by fuzzing: reserved gzip header flags, a zlib window over 32 KiB, flipped
bits in the compressed data, and raw deflate, which has no checksum to fail). A damaged page must
come out the same whichever library is installed, so only a stream ISA-L inflates to its end
(checksum checked) or to the size limit is taken from it; anything else, and raw deflate always,
is inflated again by zlib, whose result stands.
"""

from __future__ import annotations

import zlib

try:
    from isal import isal_zlib as _isal
except ImportError:  # no wheel for this platform: zlib gives the same bytes, only slower
    _isal = None

LIBRARY = "isal" if _isal is not None else "zlib"


def decompress(data: bytes, wbits: int, max_length: int) -> tuple[bytes, bool]:
    """(at most ``max_length`` bytes of output, whether output was left over); ``wbits`` as for
    :func:`zlib.decompressobj`. A stream zlib refuses raises :class:`zlib.error`; a cut stream
    gives what was there."""
    if _isal is not None and wbits > 0 and not _odd_header(data):
        d = _isal.decompressobj(wbits)
        try:
            out = d.decompress(data, max_length)
        except _isal.error:
            pass
        else:
            if d.eof:
                return out, False
            if d.unconsumed_tail:
                return out, True
    z = zlib.decompressobj(wbits)
    out = z.decompress(data, max_length)
    return out, bool(z.unconsumed_tail)


def _odd_header(data: bytes) -> bool:
    """A header zlib refuses and ISA-L reads past (each found by fuzzing the headers): gzip with a
    method other than deflate or reserved flag bits set, zlib with a window over 32 KiB."""
    if data[:2] == b"\x1f\x8b":
        return data[2:3] != b"\x08" or data[3:4] >= b"\x20"
    return data[:1] >= b"\x80"
