"""Re-extract a release from the WARC files its manifest lists and compare the logical digest.

The WARCs are found by name in ``archives`` and checked against the manifest's sha256 first:
re-extracting from different bytes proves nothing. Equal digests mean the same records (ids
and every column) came out of the same archives under this toolchain.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .extract import extract, records_table
from .hashing import file_sha256
from .release import logical_digest, row_content_sha256


@dataclass
class ReproduceResult:
    release: str
    ok: bool = False
    expected: str | None = None
    actual: str | None = None
    rows: int = 0
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"release": self.release, "ok": self.ok, "expected_logical_digest": self.expected,
                "actual_logical_digest": self.actual, "rows": self.rows, "problems": self.problems}


def reproduce(release: str | Path, archives: str | Path) -> ReproduceResult:
    release, archives = Path(release), Path(archives)
    res = ReproduceResult(str(release))
    mpath = release / "manifest.json"
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        res.problems.append(f"{mpath}: cannot read manifest: {e}")
        return res
    res.expected = manifest.get("logical_digest")
    inputs = manifest.get("inputs") or []
    if not inputs:
        res.problems.append(f"{mpath}: lists no input WARC files; nothing to re-extract from")
        return res
    warcs: list[Path] = []
    for i in inputs:
        p = archives / i["path"]
        if not p.is_file():
            res.problems.append(f"{p}: input WARC listed in the manifest is missing")
            continue
        digest = file_sha256(p)
        if digest != i["sha256"]:
            res.problems.append(f"{p}: sha256 {digest} differs from the manifest's {i['sha256']}")
            continue
        warcs.append(p)
    if res.problems:
        return res
    with tempfile.TemporaryDirectory(prefix="archivist-reproduce-") as tmp:
        extract(list(warcs), Path(tmp))
        table = records_table(Path(tmp))
    res.rows = table.num_rows
    res.actual = logical_digest(table["id"].to_pylist(), row_content_sha256(table))
    res.ok = res.actual == res.expected
    if not res.ok:
        res.problems.append(f"{release}: re-extracted {table.num_rows} records (manifest: {manifest.get('rows')}); "
                            f"logical digest {res.actual} != manifest {res.expected}")
    return res
