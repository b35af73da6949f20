"""Compare two releases: records added, removed and modified (by id), files, schema, semver bump."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .parquet_io import read_table

SAMPLE = 50  # ids listed per category; counts are always complete


def _index(release: Path) -> dict[str, str]:
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for f in manifest["files"]:
        if f["role"] == "index":
            t = read_table(release / f["path"], columns=["id", "content_sha256"])
            out.update(zip(t["id"].to_pylist(), t["content_sha256"].to_pylist(), strict=True))
    return out


def diff(a: str | Path, b: str | Path) -> dict[str, Any]:
    a, b = Path(a), Path(b)
    ma = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    mb = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    ia, ib = _index(a), _index(b)
    added = sorted(ib.keys() - ia.keys())
    removed = sorted(ia.keys() - ib.keys())
    modified = sorted(k for k in ia.keys() & ib.keys() if ia[k] != ib[k])
    unchanged = len(ia.keys() & ib.keys()) - len(modified)
    fa = {f["path"]: f["sha256"] for f in ma["files"]}
    fb = {f["path"]: f["sha256"] for f in mb["files"]}
    schema_changed = ma["record_schema"] != mb["record_schema"]
    if removed or modified or (schema_changed and ma["record_schema"]["version"].split(".")[0] != mb["record_schema"]["version"].split(".")[0]):
        bump = "major"
    elif added or schema_changed:
        bump = "minor"
    else:
        bump = "patch"
    return {
        "from": {"version": ma["version"], "logical_digest": ma["logical_digest"], "rows": ma["rows"]},
        "to": {"version": mb["version"], "logical_digest": mb["logical_digest"], "rows": mb["rows"]},
        "records": {
            "added": len(added), "removed": len(removed), "modified": len(modified), "unchanged": unchanged,
            "added_ids": added[:SAMPLE], "removed_ids": removed[:SAMPLE], "modified_ids": modified[:SAMPLE],
        },
        "files": {
            "added": sorted(fb.keys() - fa.keys()),
            "removed": sorted(fa.keys() - fb.keys()),
            "changed": sorted(k for k in fa.keys() & fb.keys() if fa[k] != fb[k]),
        },
        "schema": {"changed": schema_changed, "from": ma["record_schema"], "to": mb["record_schema"]},
        "suggested_bump": bump,
    }
