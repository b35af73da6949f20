"""``show``: one record, and its source re-read from the WARC by offset to prove the provenance.

The row names a WARC file, an offset and digests; re-reading the record at that offset and
hashing its payload again shows the row really came from those bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from .hashing import sha1_base32, sha256_hex
from .parquet_io import read_table
from .warc_reader import SourceRecord, read_record_at


class ShowError(Exception):
    """The record or its source cannot be found (a usage or fatal problem, exit 2)."""


@dataclass
class ShowResult:
    row: dict[str, Any]
    warc_path: Path | None = None
    source: SourceRecord | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def find_row(records_dir: str | Path, record_id: str) -> dict[str, Any]:
    """The row whose ``id`` (or ``warc_record_id``) is ``record_id``, from any shard of the folder."""
    d = Path(records_dir)
    if not d.is_dir():
        raise ShowError(f"{d}: no such records folder")
    rid = record_id.strip().strip("<>").removeprefix("urn:uuid:")
    shards = sorted(p for p in d.glob("*.parquet") if not p.name.endswith(".rejects.parquet"))
    if not shards:
        raise ShowError(f"{d}: no record shards (*.parquet) in this folder")
    for s in shards:
        t = read_table(s)
        hit = t.filter(pc.equal(t["id"], rid))
        if hit.num_rows:
            return hit.slice(0, 1).to_pylist()[0]
    raise ShowError(f"no record with id {rid} in {d} ({len(shards)} shard(s) searched)")


def find_rows_by_payload(records_dir: str | Path, payload_sha256: str) -> list[dict[str, Any]]:
    """Rows whose payload has this sha256 (a revisit's original among them), in shard then row order."""
    d = Path(records_dir)
    out: list[dict[str, Any]] = []
    for s in sorted(p for p in d.glob("*.parquet") if not p.name.endswith(".rejects.parquet")):
        t = read_table(s, columns=["id", "payload_sha256", "warc_filename", "warc_record_offset"])
        out += t.filter(pc.equal(t["payload_sha256"], payload_sha256)).to_pylist()
    return out


def show(record_id: str, records_dir: str | Path, archives_dir: str | Path | None = None) -> ShowResult:
    row = find_row(records_dir, record_id)
    archives = Path(archives_dir) if archives_dir else Path(records_dir).resolve().parent / "archives"
    res = ShowResult(row=row)
    path = archives / row["warc_filename"]
    if not path.is_file():
        raise ShowError(f"{path}: the WARC named by record {row['id']} is not there (give --archives)")
    res.warc_path = path
    try:
        src = read_record_at(path, row["warc_record_offset"])
    except (OSError, ValueError) as e:
        res.problems.append(f"{path.name}@{row['warc_record_offset']}: cannot read a record there: {e}")
        return res
    res.source = src
    if (src.record_id or "") != row["warc_record_id"]:
        res.problems.append(f"{path.name}@{row['warc_record_offset']}: record id {src.record_id} is not the row's {row['warc_record_id']}")
    if src.length != row["warc_record_length"]:
        res.problems.append(f"{path.name}@{row['warc_record_offset']}: record length {src.length} is not the row's {row['warc_record_length']}")
    if src.record_type == "revisit":
        # A revisit stores no payload; it carries the original's digest, which the row must match.
        declared = src.headers.get("WARC-Payload-Digest", "").partition(":")[2].upper()
        if declared != row["payload_sha1"]:
            res.problems.append(f"{path.name}@{row['warc_record_offset']}: revisit digest sha1:{declared} is not the row's sha1:{row['payload_sha1']}")
    else:
        got = sha256_hex(src.payload)
        if got != row["payload_sha256"]:
            res.problems.append(f"{path.name}@{row['warc_record_offset']}: payload sha256 {got} does not match the row's {row['payload_sha256']}")
        elif sha1_base32(src.payload) != row["payload_sha1"]:
            res.problems.append(f"{path.name}@{row['warc_record_offset']}: payload sha1 {sha1_base32(src.payload)} does not match the row's {row['payload_sha1']}")
    return res


def as_json(res: ShowResult) -> dict[str, Any]:
    src = res.source
    return {
        "record": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in res.row.items()},
        "source": None if src is None else {
            "warc": str(res.warc_path),
            "offset": src.offset,
            "length": src.length,
            "record_type": src.record_type,
            "record_id": src.record_id,
            "target_uri": src.target_uri,
            "date": src.date.isoformat() if src.date else None,
            "payload_bytes": len(src.payload),
            "payload_sha256": sha256_hex(src.payload),
        },
        "verified": res.ok,
        "problems": res.problems,
    }
