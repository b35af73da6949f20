"""Field-by-field WARC/1.1 conformance: mandatory and forbidden fields per record type.

warcio check and fastwarc check verify digests only; jwarc checks some fields but is not
available here. This module checks the table in ``shared/notes/archival.md`` §1 (ISO 28500:2017
§6-7 and the annotated 1.1 text). ``error`` = a "shall"/"shall not" of the standard (or a rule
of ours the brief makes mandatory: ``<urn:uuid:…>`` ids, WARC/1.1 everywhere); ``warning`` =
a "should".

Usable on any file: ``check_file(path)`` returns every violation; ``check_record(...)`` checks
one record's header list (so tests can feed deliberately broken records).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import digests

TYPES = {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation"}
_UUID_ID = re.compile(r"<urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}>")
_ANY_ID = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]+>")
_W3C = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z")
_PROFILES = (
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
    "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
    "http://netpreserve.org/warc/1.0/revisit/server-not-modified",
)
_TRUNCATED = {"length", "time", "disconnect", "unspecified"}

# Field -> record types on which the standard says it shall not be used.
FORBIDDEN: dict[str, set[str]] = {
    "warc-target-uri": {"warcinfo"},
    "warc-concurrent-to": {"warcinfo", "conversion", "continuation"},
    "warc-refers-to": {"warcinfo", "response", "resource", "request", "continuation"},
    "warc-refers-to-target-uri": TYPES - {"revisit"},
    "warc-refers-to-date": TYPES - {"revisit"},
    "warc-payload-digest": {"warcinfo", "metadata"},
    "warc-ip-address": {"warcinfo", "conversion", "continuation"},
    "warc-warcinfo-id": {"warcinfo"},
    "warc-filename": TYPES - {"warcinfo"},
    "warc-identified-payload-type": {"warcinfo", "metadata"},
    "warc-profile": TYPES - {"revisit"},
}
# Field -> record types on which it is mandatory (beyond the four every record needs).
MANDATORY: dict[str, set[str]] = {
    "warc-target-uri": {"response", "resource", "request", "revisit", "conversion", "continuation"},
    "warc-profile": {"revisit"},
    # Not "shall" in the standard, but pywb/wabac resolve revisits only through these two, so
    # we require them; WARC-Refers-To (a "should") is a warning below.
    "warc-refers-to-target-uri": {"revisit"},
    "warc-refers-to-date": {"revisit"},
    "warc-segment-origin-id": {"continuation"},
    "warc-segment-number": {"continuation"},
}
_EXPECTED_CT = {
    "warcinfo": "application/warc-fields",
    "metadata": None,  # any type is legal; warc-fields is only typical
    "request": "application/http",
    "response": "application/http",
}


@dataclass(frozen=True)
class Violation:
    level: str  # error | warning
    record_id: str | None
    record_type: str | None
    offset: int | None
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.record_type or '?'} {self.record_id or '?'}@{self.offset}: {self.field}: {self.message}"


def check_record(
    version: str,
    headers: list[tuple[str, str]],
    block_length: int | None = None,
    offset: int | None = None,
) -> list[Violation]:
    """All violations of one record, given its version line and header fields in order."""
    names = Counter(k.lower() for k, _ in headers)
    first = {}
    for k, v in headers:
        first.setdefault(k.lower(), v)
    rtype = first.get("warc-type")
    rid = first.get("warc-record-id")
    out: list[Violation] = []

    def bad(field: str, message: str, level: str = "error") -> None:
        out.append(Violation(level, rid, rtype, offset, field, message))

    if version.strip() != "WARC/1.1":
        bad("version", f"version line is {version.strip()!r}, not 'WARC/1.1'")
    for f in ("WARC-Type", "WARC-Record-ID", "WARC-Date", "Content-Length"):
        if f.lower() not in names:
            bad(f, "mandatory field missing")
    for name, n in names.items():
        if n > 1 and name != "warc-concurrent-to":
            bad(name, f"appears {n} times (only WARC-Concurrent-To may repeat)")
    if rid is not None and not _UUID_ID.fullmatch(rid):
        bad("WARC-Record-ID", f"{rid!r} is not <urn:uuid:…>")
    for k, v in headers:
        low = k.lower()
        if low in ("warc-date", "warc-refers-to-date") and not _W3C.fullmatch(v):
            bad(k, f"{v!r} is not a W3C-DTF UTC date (YYYY-MM-DDThh:mm:ss[.fff]Z)")
        elif low in ("warc-concurrent-to", "warc-refers-to", "warc-warcinfo-id", "warc-segment-origin-id") \
                and not _ANY_ID.fullmatch(v):
            bad(k, f"{v!r} is not a record id in <>")
        elif low in ("warc-target-uri", "warc-refers-to-target-uri"):
            if v.startswith("<") or v.endswith(">"):
                bad(k, f"{v!r} is wrapped in <> (WARC/1.0 grammar; 1.1 wants a plain URI)")
            if re.search(r"\s", v) or not v:
                bad(k, f"{v!r} is empty or contains whitespace")
        elif low in ("warc-block-digest", "warc-payload-digest"):
            try:
                digests.parse(v)
            except digests.BadDigest as e:
                bad(k, str(e))
            else:
                label = v.split(":", 1)[0]
                if label != label.lower() or label in ("sha-1", "sha-256"):
                    bad(k, f"label {label!r}: use lowercase sha1/sha256", "warning")
        elif low == "warc-truncated" and v.strip() not in _TRUNCATED:
            bad(k, f"{v!r} is not one of {sorted(_TRUNCATED)}")
        elif low == "content-length" and not v.strip().isdigit():
            bad(k, f"{v!r} is not a non-negative integer")
    if rtype is None:
        return out
    if rtype not in TYPES:
        bad("WARC-Type", f"unknown record type {rtype!r} (readers skip it)", "warning")
        return out
    for field, types in FORBIDDEN.items():
        if field in names and rtype in types:
            bad(field, f"shall not be used on {rtype} records")
    for field, types in MANDATORY.items():
        if field not in names and rtype in types:
            bad(field, f"mandatory on {rtype} records")
    if rtype == "revisit":
        profile = first.get("warc-profile", "")
        if profile and profile not in _PROFILES:
            bad("WARC-Profile", f"{profile!r} is not a standard revisit profile", "warning")
        if "warc-refers-to" not in names:
            bad("WARC-Refers-To", "should name the original record on revisit records", "warning")
        if profile.endswith("identical-payload-digest") and "warc-payload-digest" not in names:
            bad("WARC-Payload-Digest", "mandatory for the identical-payload-digest profile")
    length = block_length if block_length is not None else _int(first.get("content-length"))
    ct = first.get("content-type")
    if length and rtype != "continuation":
        if not ct:
            bad("Content-Type", "missing on a non-empty block")
        else:
            want = _EXPECTED_CT.get(rtype)
            if want and not ct.lower().replace(" ", "").startswith(want):
                bad("Content-Type", f"{ct!r}: {rtype} blocks should be {want}", "warning")
    return out


def _int(v: str | None) -> int | None:
    return int(v) if v and v.strip().isdigit() else None


def check_file(path: str | Path) -> list[Violation]:
    """Every violation in a WARC file (read with warcio, independent of our own reader)."""
    from warcio.archiveiterator import ArchiveIterator

    out: list[Violation] = []
    ids: set[str] = set()
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, no_record_parse=True)
        for rec in it:
            h = rec.rec_headers
            length = len(rec.raw_stream.read())
            offset = it.get_record_offset()
            out += check_record(h.protocol, list(h.headers), length, offset)
            rid = h.get_header("WARC-Record-ID")
            if rid in ids:  # "globally unique": at least unique within the file
                out.append(Violation("error", rid, rec.rec_type, offset, "WARC-Record-ID", "id used by an earlier record"))
            ids.add(rid)
    return out


def errors(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.level == "error"]
