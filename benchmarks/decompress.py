"""Decompression benchmark: stdlib zlib, ISA-L (python-isal) and FastWARC 2's zlib-rs on the same WARC.

    python benchmarks/decompress.py [--pages 2000 | --warc FILE.warc.gz] [--repeat 5]

Prints the CPU time (median of ``--repeat`` runs, each library in turn) of:

1. inflating the whole ``.warc.gz``, with nothing else done;
2. reading every record and its payload, as ``extract`` does: FastWARC over the ``.warc.gz``
   (``warc_reader.iter_records``, what archivist runs), against the gzip members inflated one by
   one with ISA-L in Python and the inflated bytes parsed by FastWARC (what reading with ISA-L
   would take, since each record's compressed offset and length must be kept for provenance),
   and warcio;
3. inflating the pages as content-coded payloads (each response body gzipped, as a crawler that
   keeps ``Content-Encoding: gzip`` stores it): ``warc_reader.decode_content`` with ISA-L and
   with zlib alone.
"""

from __future__ import annotations

import argparse
import gzip
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def cpu(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeat):
        t = time.process_time()
        result = fn()
        times.append(time.process_time() - t)
    return statistics.median(times), result


def drain(f: io.RawIOBase | io.BufferedIOBase | object) -> int:
    n = 0
    while chunk := f.read(1 << 20):  # type: ignore[attr-defined]
        n += len(chunk)
    return n


def inflate_zlib(path: Path) -> int:
    with gzip.open(path, "rb") as f:
        return drain(f)


def inflate_isal(path: Path) -> int:
    from isal import igzip

    with igzip.open(path, "rb") as f:
        return drain(f)


def inflate_zlib_rs(path: Path) -> int:
    from fastwarc.stream_io import GzipReader

    return drain(GzipReader(str(path)))


def read_archivist(path: Path) -> int:
    from archivist.warc_reader import SourceRecord, iter_records

    return sum(len(r.payload) for r in iter_records(path) if isinstance(r, SourceRecord))


def _isal_members(fh: io.BufferedReader):
    """(compressed offset, compressed length, inflated bytes) of each gzip member."""
    from isal import isal_zlib

    buf, base, pos = b"", 0, 0
    while True:
        if len(buf) - pos < 1 << 16:
            buf, base, pos = buf[pos:] + fh.read(1 << 20), base + pos, 0
            if pos >= len(buf):
                return
        d, start, feed, out = isal_zlib.decompressobj(31), pos, 1 << 14, []
        while not d.eof:
            chunk = buf[pos : pos + feed]
            if not chunk:
                more = fh.read(1 << 20)
                if not more:
                    raise EOFError("file ends inside a gzip member")
                buf, base, start, pos = buf[start:] + more, base + start, 0, pos - start
                continue
            out.append(d.decompress(chunk))
            pos += len(chunk) - len(d.unused_data) if d.eof else len(chunk)
            feed *= 2
        yield base + start, pos - start, b"".join(out)


def read_isal_then_fastwarc(path: Path, batch: int = 4 << 20) -> int:
    from fastwarc.warc import ArchiveIterator

    total = 0
    with open(path, "rb") as fh:
        parts: list[bytes] = []
        starts: dict[int, tuple[int, int]] = {}  # inflated position -> (offset, length) in the file
        size = 0

        def parse() -> int:
            n = 0
            for rec in ArchiveIterator(io.BytesIO(b"".join(parts)), parse_http=True):
                assert rec.stream_pos in starts  # one record per member, as archivist writes them
                n += len(rec.reader.read())
            return n

        for off, clen, data in _isal_members(fh):
            starts[size] = (off, clen)
            parts.append(data)
            size += len(data)
            if size >= batch:
                total += parse()
                parts, starts, size = [], {}, 0
        if parts:
            total += parse()
    return total


def read_warcio(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as fh:
        return sum(len(r.content_stream().read()) for r in ArchiveIterator(fh))


def coded_payloads(path: Path) -> list[bytes]:
    from archivist.warc_reader import SourceRecord, iter_records

    return [gzip.compress(r.payload, 6, mtime=0) for r in iter_records(path)
            if isinstance(r, SourceRecord) and r.record_type == "response"]


def decode_all(bodies: list[bytes], use_isal: bool) -> int:
    from archivist import inflate
    from archivist.warc_reader import decode_content

    saved = inflate._isal
    try:
        if not use_isal:
            inflate._isal = None
        return sum(len(decode_content(b, "gzip")) for b in bodies)
    finally:
        inflate._isal = saved


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--warc", type=Path, help="use this .warc.gz instead of generating one")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="archivist-inflate-") as tmp:
        if args.warc:
            path = args.warc
        else:
            from corpus_gen import make_warc

            path = make_warc(Path(tmp), args.pages)[0]
        plain = inflate_zlib(path)
        print(f"input: {path.name}, {path.stat().st_size / 1e6:.1f} MB compressed, {plain / 1e6:.1f} MB inflated;"
              f" CPU seconds, median of {args.repeat}")

        def show(label: str, secs: float, base: float | None = None) -> None:
            rel = f"  {base / secs:4.2f}x zlib" if base else ""
            print(f"  {label:58s} {secs:6.3f} s  {plain / secs / 1e6:6.0f} MB/s{rel}")

        print("1. inflate the whole file")
        z, n = cpu(lambda: inflate_zlib(path), args.repeat)
        assert n == plain
        show("stdlib zlib (gzip module)", z, z)
        for label, fn in (("ISA-L (isal.igzip)", inflate_isal), ("zlib-rs (FastWARC 2 GzipReader)", inflate_zlib_rs)):
            secs, n = cpu(lambda fn=fn: fn(path), args.repeat)
            assert n == plain, label
            show(label, secs, z)

        print("2. read every record and its payload")
        base, n0 = cpu(lambda: read_archivist(path), args.repeat)
        show("archivist: FastWARC over the .warc.gz (zlib-rs)", base)
        secs, n = cpu(lambda: read_isal_then_fastwarc(path), args.repeat)
        assert n == n0, (n, n0)  # the same payload bytes
        show("members inflated with ISA-L in Python, FastWARC parses", secs)
        secs, _ = cpu(lambda: read_warcio(path), max(1, args.repeat // 2))
        show("warcio (stdlib zlib)", secs)

        print("3. content-coded payloads (each page gzipped), warc_reader.decode_content")
        bodies = coded_payloads(path)
        kb = sum(map(len, bodies)) / len(bodies) / 1024
        zt, n1 = cpu(lambda: decode_all(bodies, False), args.repeat)
        it, n2 = cpu(lambda: decode_all(bodies, True), args.repeat)
        assert n1 == n2
        per = 1e3 / len(bodies)
        print(f"  {len(bodies)} pages, {kb:.0f} KB gzipped each")
        print(f"  {'stdlib zlib':58s} {zt * per:6.3f} ms/page")
        print(f"  {'ISA-L':58s} {it * per:6.3f} ms/page  {zt / it:4.2f}x zlib")


if __name__ == "__main__":
    main()
