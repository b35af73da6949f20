"""The field-by-field conformance checker catches each rule broken on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from archivist.conformance import check_file, check_record, errors
from archivist.warc_writer import gzip_member

RID = "<urn:uuid:12345678-1234-5678-9abc-123456789abc>"
RID2 = "<urn:uuid:22345678-1234-5678-9abc-123456789abc>"
DATE = "2024-05-01T10:00:00Z"
DIG = "sha1:AIKLJM2V2EOKR4WOIWUWRQTEMUN57P4D"
PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


def good(rtype: str) -> list[tuple[str, str]]:
    h = [("WARC-Type", rtype), ("WARC-Record-ID", RID), ("WARC-Date", DATE)]
    if rtype != "warcinfo":
        h.append(("WARC-Target-URI", "http://example.org/a"))
    if rtype == "revisit":
        h += [("WARC-Profile", PROFILE), ("WARC-Refers-To", RID2), ("WARC-Refers-To-Target-URI", "http://example.org/a"),
              ("WARC-Refers-To-Date", DATE), ("WARC-Payload-Digest", DIG)]
    ct = {"warcinfo": "application/warc-fields", "metadata": "application/warc-fields",
          "response": "application/http;msgtype=response", "request": "application/http;msgtype=request",
          "resource": "text/html; charset=utf-8", "revisit": "application/http;msgtype=response"}[rtype]
    h += [("Content-Type", ct), ("Content-Length", "10")]
    return h


@pytest.mark.parametrize("rtype", ["warcinfo", "response", "request", "resource", "metadata", "revisit"])
def test_good_records_pass(rtype: str) -> None:
    assert check_record("WARC/1.1", good(rtype)) == []


def _with(rtype: str, *, drop: str | None = None, add: list[tuple[str, str]] | None = None,
          replace: tuple[str, str] | None = None) -> list[tuple[str, str]]:
    h = [(k, v) for k, v in good(rtype) if k != drop]
    if replace:
        h = [(k, replace[1] if k == replace[0] else v) for k, v in h]
    return h + (add or [])


BROKEN = [
    ("target-uri on warcinfo", "warcinfo", _with("warcinfo", add=[("WARC-Target-URI", "http://x/")]), "warc-target-uri"),
    ("payload digest on warcinfo", "warcinfo", _with("warcinfo", add=[("WARC-Payload-Digest", DIG)]), "warc-payload-digest"),
    ("payload digest on metadata", "metadata", _with("metadata", add=[("WARC-Payload-Digest", DIG)]), "warc-payload-digest"),
    ("revisit without profile", "revisit", _with("revisit", drop="WARC-Profile"), "warc-profile"),
    ("revisit without refers-to-target-uri", "revisit", _with("revisit", drop="WARC-Refers-To-Target-URI"),
     "warc-refers-to-target-uri"),
    ("revisit without refers-to-date", "revisit", _with("revisit", drop="WARC-Refers-To-Date"), "warc-refers-to-date"),
    ("identical-payload revisit without digest", "revisit", _with("revisit", drop="WARC-Payload-Digest"),
     "WARC-Payload-Digest"),
    ("refers-to on response", "response", _with("response", add=[("WARC-Refers-To", RID2)]), "warc-refers-to"),
    ("no content-type on a non-empty block", "resource", _with("resource", drop="Content-Type"), "Content-Type"),
    ("date with space", "resource", _with("resource", replace=("WARC-Date", "2024-05-01 10:00:00")), "WARC-Date"),
    ("date with offset", "resource", _with("resource", replace=("WARC-Date", "2024-05-01T10:00:00+02:00")), "WARC-Date"),
    ("record id without <>", "resource", _with("resource", replace=("WARC-Record-ID", RID[1:-1])), "WARC-Record-ID"),
    ("record id not a uuid urn", "resource", _with("resource", replace=("WARC-Record-ID", "<urn:x:1>")), "WARC-Record-ID"),
    ("repeated WARC-Date", "resource", _with("resource", add=[("WARC-Date", DATE)]), "warc-date"),
    ("target uri in <>", "resource", _with("resource", replace=("WARC-Target-URI", "<http://example.org/a>")),
     "WARC-Target-URI"),
    ("missing WARC-Date", "resource", _with("resource", drop="WARC-Date"), "WARC-Date"),
    ("missing target uri on response", "response", _with("response", drop="WARC-Target-URI"), "warc-target-uri"),
    ("filename on response", "response", _with("response", add=[("WARC-Filename", "a.warc.gz")]), "warc-filename"),
    ("bad truncated value", "response", _with("response", add=[("WARC-Truncated", "because")]), "WARC-Truncated"),
    ("unreadable digest", "response", _with("response", add=[("WARC-Block-Digest", "sha1:xyz")]), "WARC-Block-Digest"),
]


@pytest.mark.parametrize(("label", "rtype", "headers", "field"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_records_are_caught(label: str, rtype: str, headers: list[tuple[str, str]], field: str) -> None:
    errs = errors(check_record("WARC/1.1", headers))
    assert [e.field for e in errs] == [field], (label, [str(e) for e in errs])


def test_repeated_concurrent_to_is_allowed() -> None:
    h = _with("response", add=[("WARC-Concurrent-To", RID2), ("WARC-Concurrent-To", RID2)])
    assert check_record("WARC/1.1", h) == []


def test_version_1_0_is_an_error() -> None:
    assert [e.field for e in errors(check_record("WARC/1.0", good("resource")))] == ["version"]


def test_check_file_reads_real_records(tmp_path: Path) -> None:
    block = b"hello"
    head = "\r\n".join(["WARC/1.1", "WARC-Type: warcinfo", f"WARC-Record-ID: {RID}", f"WARC-Date: {DATE}",
                        "WARC-Target-URI: http://x/", "Content-Type: application/warc-fields",
                        f"Content-Length: {len(block)}"]) + "\r\n\r\n"
    f = tmp_path / "bad.warc.gz"
    f.write_bytes(gzip_member(head.encode() + block + b"\r\n\r\n"))
    errs = errors(check_file(f))
    assert [(e.field, e.offset) for e in errs] == [("warc-target-uri", 0)]


def test_check_file_catches_a_repeated_record_id(tmp_path: Path) -> None:
    block = b"<p>x</p>"
    head = "\r\n".join(["WARC/1.1", "WARC-Type: resource", f"WARC-Record-ID: {RID}", f"WARC-Date: {DATE}",
                        "WARC-Target-URI: http://x/", "Content-Type: text/html",
                        f"Content-Length: {len(block)}"]) + "\r\n\r\n"
    one = gzip_member(head.encode() + block + b"\r\n\r\n")
    f = tmp_path / "dup.warc.gz"
    f.write_bytes(one + one)
    assert [(e.field, e.message) for e in errors(check_file(f))] == [("WARC-Record-ID", "id used by an earlier record")]
