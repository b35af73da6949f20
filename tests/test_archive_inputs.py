"""Existing archives as ingest inputs: every bench file read or rejected per record, with reasons."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archivist.archives_in import CopiedRecord, iter_archive, iter_archive_bytes
from archivist.ingest import ingest
from archivist.report import Reject
from tests._archive_util import charset_pages, records, write_sidecar

# Files the bench README marks MALFORMED (or whose records break a rule), and the reasons we
# must give. Everything else in bench/warc must come through without a single reject.
MALFORMED = {
    "resiliparse__clipped.warc.gz": {"truncated"},  # cut inside the gzip stream; warcio check misses it
    "resiliparse__clueweb-quirk.warc.gz": {"bad-date"},  # WARC-Date 2008-10-294T05:21:46-0700
    "warcio__bad.arc": {"bad-content-length"},  # ARC lengths -1 and "abc"
    "warcio__example-bad-non-chunked.warc.gz": {"digest-mismatch"},  # revisit block digest wrong
    "warcio__example-digest.warc": {"bad-digest"},  # "sha1:1112H3…" is no base32/16/64 value
    "warcio__example-trunc.warc": {"bad-trailer"},  # Content-Length 2 bytes short
    "warcio__example-wrong-chunks.warc.gz": {"bad-trailer"},  # Content-Length wrong around chunked body
}
DUPLICATE = {"duplicate-record", "duplicate-record-id"}
REASONS = DUPLICATE | {"truncated", "gzip-error", "bad-header", "missing-field", "bad-content-length", "bad-trailer",
           "digest-mismatch", "bad-digest", "garbage", "bad-arc-header", "bad-record-id", "bad-date",
           "unreadable", "bad-wacz"}


def bench_files(shared: Path) -> list[Path]:
    return sorted(p for p in (shared / "bench" / "warc").iterdir() if p.suffix not in (".md", ".tsv"))


def warcio_count(path: Path) -> int:
    """How many records warcio finds (whole-file gzip undone first, WACZ entries summed)."""
    if path.suffix == ".wacz":
        with zipfile.ZipFile(path) as z:
            return sum(_count(z.read(n)) for n in z.namelist() if n.startswith("archive/"))
    return _count(path.read_bytes())


def _count(data: bytes) -> int:
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return sum(1 for _ in ArchiveIterator(io.BytesIO(data), arc2warc=True))


def test_every_bench_file_is_accounted_for(shared: Path, tmp_path: Path) -> None:
    files = bench_files(shared)
    assert len(files) >= 20
    rep = ingest([str(f) for f in files], tmp_path, corpus_name="bench")
    stats = {Path(s["input"].split("#")[0]).name: s for s in rep.extra["archive_inputs"]}
    per_file: dict[str, dict] = {}
    for name, s in stats.items():
        agg = per_file.setdefault(name, {"records_in": 0, "archived": 0, "rejected": 0})
        for k in agg:
            agg[k] += s[k]
    assert set(per_file) == {f.name for f in files}, "every bench file is read as an archive"
    copied_ids = {h.get("WARC-Record-ID") for p in rep.outputs for _, h, _ in records(Path(p))}
    for f in files:
        s = per_file[f.name]
        assert s["records_in"] == s["archived"] + s["rejected"], (f.name, s)
        mine = [r for r in rep.rejects if Path(r.input.split("#")[0]).name == f.name]
        assert len(mine) == s["rejected"], f.name
        for r in mine:
            assert r.reason in REASONS and r.detail and r.input in r.detail, r
            assert isinstance(r.warc_record_offset, int) and 0 <= r.warc_record_offset < f.stat().st_size, r
        # Twins (example.warc / .warc.gz / the whole-file-gzip copies) repeat record ids already
        # copied from an earlier file: skipped once each, as duplicates, never as faults.
        dups = [r for r in mine if r.reason in DUPLICATE]
        faults = [r for r in mine if r.reason not in DUPLICATE]
        for r in dups:
            assert r.warc_record_id in copied_ids, r
        if f.name in MALFORMED:
            assert {r.reason for r in faults} == MALFORMED[f.name], (f.name, [(r.reason, r.detail) for r in faults])
        else:
            assert not faults, (f.name, [(r.reason, r.detail) for r in faults])
            assert s["archived"] + len(dups) == warcio_count(f), f.name  # an independent reader agrees

    # Whatever was archived is in the output: our warcinfo + every copied record.
    out = [Path(p) for p in rep.outputs]
    total = sum(len(records(p)) for p in out)
    assert total == len(out) + sum(s["archived"] for s in per_file.values())
    assert rep.counts["archive_records_in"] == sum(s["records_in"] for s in per_file.values())


def test_truncation_that_warcio_misses_is_found(shared: Path) -> None:
    f = shared / "bench" / "warc" / "resiliparse__clipped.warc.gz"
    if not f.exists():
        pytest.skip("clipped.warc.gz absent")
    warcio_check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(f)], capture_output=True)
    items = [i for _, i in iter_archive(f)]
    assert [i.reason for i in items if isinstance(i, Reject)] == ["truncated"]
    assert warcio_check.returncode == 0  # the fault the bench README says warcio misses


def test_cli_json_accounts_every_input(shared: Path, tmp_path: Path) -> None:
    files = bench_files(shared)
    exe = Path(sys.executable).parent / "archivist"
    p = subprocess.run([str(exe), "ingest", str(shared / "bench" / "warc"), "-o", str(tmp_path / "o"), "--json"],
                       capture_output=True, text=True, timeout=120)
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout
    assert p.returncode == 1, p.stderr  # some records rejected, run completed
    d = json.loads(p.stdout)
    archive_names = {Path(a["input"].split("#")[0]).name for a in d["archive_inputs"]}
    page_count = d["counts"].get("pages_archived", 0)
    # bench/warc also holds README.md and MANIFEST.tsv: they are pages, everything else an archive
    assert archive_names == {f.name for f in files}
    assert d["inputs"] == len(archive_names) + page_count + sum(1 for r in d["rejects"] if r["reason"] == "not-found")
    assert d["rejected"] == sum(a["rejected"] for a in d["archive_inputs"])
    assert all(r["reason"] and r["detail"] for r in d["rejects"])


# --- synthetic damage on a WARC we wrote (resynchronisation after each fault) -----------------


@pytest.fixture(scope="module")
def good_warc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("good")
    pages = charset_pages(tmp / "pages")
    rep = ingest([str(tmp / "pages")], tmp / "w", sidecar=write_sidecar(tmp / "pages", pages), corpus_name="good")
    return Path(rep.outputs[0])


def _members(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        d.decompress(data[pos:])
        end = len(data) - len(d.unused_data)
        out.append(data[pos:end])
        pos = end
    return out


def _split(items: list) -> tuple[list[CopiedRecord], list[Reject]]:
    return [i for i in items if isinstance(i, CopiedRecord)], [i for i in items if isinstance(i, Reject)]


def test_corrupt_member_is_rejected_and_the_rest_kept(good_warc: Path) -> None:
    members = _members(good_warc.read_bytes())
    n = len(members)
    bad = bytearray(members[3])
    bad[len(bad) // 2] ^= 0xFF
    data = b"".join(members[:3]) + bytes(bad) + b"".join(members[4:])
    good, rej = _split(list(iter_archive_bytes("x.warc.gz", data)))
    assert len(rej) == 1 and rej[0].reason in ("gzip-error", "digest-mismatch"), rej
    assert rej[0].warc_record_offset == sum(len(m) for m in members[:3])
    assert len(good) == n - 1


def test_cut_file_keeps_complete_records(good_warc: Path) -> None:
    members = _members(good_warc.read_bytes())
    data = b"".join(members[:5]) + members[5][: len(members[5]) // 2]
    good, rej = _split(list(iter_archive_bytes("x.warc.gz", data)))
    assert len(good) == 5 and [r.reason for r in rej] == ["truncated"]


def test_bitflip_garbage_and_whole_file_gzip_in_plain_warc(good_warc: Path) -> None:
    plain = [zlib.decompress(m, 31) for m in _members(good_warc.read_bytes())]
    n = len(plain)
    # a flipped byte in the block of record 2 -> digest-mismatch; junk before record 4 -> garbage
    rec2 = bytearray(plain[2])
    rec2[-10] ^= 0x01
    data = b"".join(plain[:2]) + bytes(rec2) + plain[3] + b"junk that is no record\r\n" + b"".join(plain[4:])
    good, rej = _split(list(iter_archive_bytes("x.warc", data)))
    assert sorted(r.reason for r in rej) == ["digest-mismatch", "garbage"], rej
    assert len(good) == n - 1
    # whole-file gzip: all records read, to be recompressed one member per record on output
    good, rej = _split(list(iter_archive_bytes("x.warc.gz", gzip.compress(b"".join(plain), mtime=0))))
    assert not rej and len(good) == n


def test_arc_records_become_warc_records(shared: Path, tmp_path: Path) -> None:
    f = shared / "bench" / "warc" / "warcio__example.arc.gz"
    if not f.exists():
        pytest.skip("example.arc.gz absent")
    rep = ingest([str(f)], tmp_path, corpus_name="arc")
    assert not rep.rejects
    recs = records(Path(rep.outputs[0]))
    assert [t for t, _, _ in recs] == ["warcinfo", "warcinfo", "response"]
    resp = recs[2][1]
    assert resp["WARC-Target-URI"] == "http://example.com/" and resp["WARC-Date"] == "2014-02-16T05:02:21Z"
    assert resp["WARC-IP-Address"] == "93.184.216.119"


def test_empty_and_non_archive_files_are_rejected_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "empty.warc.gz").write_bytes(b"")
    (tmp_path / "junk.warc").write_bytes(b"this is not a WARC file at all\n" * 3)
    (tmp_path / "junk.wacz").write_bytes(b"PK no zip")
    rep = ingest([str(tmp_path / n) for n in ("empty.warc.gz", "junk.warc", "junk.wacz")], tmp_path / "o")
    assert sorted(r.reason for r in rep.rejects) == ["bad-wacz", "empty-archive", "garbage"]
    assert all(r.detail and r.input in r.detail for r in rep.rejects)
    assert rep.outputs == [] or all(len(records(Path(p))) == 1 for p in rep.outputs)  # warcinfo only


def test_a_capture_seen_twice_is_copied_once(shared: Path, tmp_path: Path) -> None:
    warc = shared / "bench" / "warc" / "warcio__example.warc"
    gz = shared / "bench" / "warc" / "warcio__example.warc.gz"
    if not (warc.exists() and gz.exists()):
        pytest.skip("warcio example twins absent")
    rep = ingest([str(warc), str(gz)], tmp_path, corpus_name="twins")
    ids = [h["WARC-Record-ID"] for _, h, _ in records(Path(rep.outputs[0]))]
    assert len(ids) == len(set(ids))
    assert rep.counts["archive_records_copied"] == 6
    assert {r.reason for r in rep.rejects} <= {"duplicate-record", "duplicate-record-id"}
    assert len(rep.rejects) == 6


def test_records_larger_than_a_read_piece(tmp_path: Path) -> None:
    from archivist.hashing import sha1_base32
    from archivist.warc_writer import gzip_member, serialise

    block = bytes(range(256)) * (3 * 4096 + 7)  # ~3 MiB, spans several 1 MiB pieces
    head = [("WARC-Type", "resource"), ("WARC-Record-ID", "<urn:uuid:12345678-1234-5678-9abc-123456789abc>"),
            ("WARC-Date", "2024-01-01T00:00:00Z"), ("WARC-Target-URI", "http://example.org/big.bin"),
            ("Content-Type", "application/octet-stream"), ("WARC-Block-Digest", "sha1:" + sha1_base32(block))]
    rec = serialise(head, block)
    for name, data in (("big.warc", rec * 2), ("big.warc.gz", gzip_member(rec) * 2),
                       ("whole.warc.gz", gzip.compress(rec * 2, mtime=0))):
        f = tmp_path / name
        f.write_bytes(data)
        items = [i for _, i in iter_archive(f)]
        assert [type(i).__name__ for i in items] == ["CopiedRecord", "CopiedRecord"], (name, items[:1])
        assert all(i.block == block for i in items)


def test_copied_headers_kept_and_cleaned(shared: Path, tmp_path: Path) -> None:
    f = shared / "bench" / "warc" / "warcio__example-wget-bad-target-uri.warc.gz"
    g = shared / "bench" / "warc" / "py-wacz__example-warcinfo-metadata.warc"
    if not (f.exists() and g.exists()):
        pytest.skip("bench files absent")
    src_ids = [i.record_id for _, i in iter_archive(f)] + [i.record_id for _, i in iter_archive(g)]
    rep = ingest([str(f), str(g)], tmp_path, corpus_name="clean")
    out = records(Path(rep.outputs[0]))
    assert [h["WARC-Record-ID"] for _, h, _ in out[1:]] == src_ids  # ids kept, order kept
    for _, h, _ in out[1:]:
        assert not h.get("WARC-Target-URI", "x").startswith("<")
        for k in ("WARC-Block-Digest", "WARC-Payload-Digest"):
            if k in h:
                assert h[k].startswith(("sha1:", "sha256:")), h[k]  # sha-256: re-encoded
    raw = gzip.decompress(Path(rep.outputs[0]).read_bytes())
    assert raw.count(b"WARC/1.1\r\n") == len(out) and b"WARC/1.0\r\n" not in raw
