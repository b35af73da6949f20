"""Compare two releases: records added, removed and modified (by id), files, schema, semver bump.

The suggested bump follows Croissant's version semantics: PATCH when the records are unchanged
(re-serialised only), MINOR when old records are unchanged and records or columns were added,
MAJOR when records were edited or removed, or columns removed or retyped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .parquet_io import read_table

SAMPLE = 50  # ids listed per category; counts are always complete


def _manifest(release: Path) -> dict[str, Any]:
    p = release / "manifest.json"
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{p}: cannot read the release manifest: {e}") from e


def _index(manifest: dict[str, Any], release: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in manifest["files"]:
        if f["role"] == "index":
            t = read_table(release / f["path"], columns=["id", "content_sha256"])
            out.update(zip(t["id"].to_pylist(), t["content_sha256"].to_pylist(), strict=True))
    return out


def _columns(m: dict[str, Any] | None) -> dict[str, tuple[str, bool]]:
    if not m:
        return {}
    return {c["name"]: (c["type"], c["nullable"]) for c in m["record_schema"].get("columns", [])}


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def _declared_bump(a: str | None, b: str) -> str | None:
    if a is None:
        return None
    va, vb = _version_key(a), _version_key(b)
    if vb[0] != va[0]:
        return "major" if vb[0] > va[0] else "downgrade"
    if vb[1] != va[1]:
        return "minor" if vb[1] > va[1] else "downgrade"
    return "patch" if vb[2] > va[2] else ("none" if vb == va else "downgrade")


_RANK = {"none": 0, "patch": 1, "minor": 2, "major": 3}


def diff_releases(ma: dict[str, Any] | None, a: Path | None, mb: dict[str, Any], b: Path) -> dict[str, Any]:
    """Diff of release ``b`` (manifest ``mb``, files in ``b``) against ``a`` (None: the empty corpus)."""
    ia = _index(ma, a) if ma is not None and a is not None else {}
    ib = _index(mb, b)
    added = sorted(ib.keys() - ia.keys())
    removed = sorted(ia.keys() - ib.keys())
    modified = sorted(k for k in ia.keys() & ib.keys() if ia[k] != ib[k])
    unchanged = len(ia.keys() & ib.keys()) - len(modified)
    fa = {f["path"]: f["sha256"] for f in (ma or {}).get("files", []) if f["role"] != "meta"}
    fb = {f["path"]: f["sha256"] for f in mb["files"] if f["role"] != "meta"}
    ca, cb = _columns(ma), _columns(mb)
    cols_added = sorted(cb.keys() - ca.keys()) if ma else []
    cols_removed = sorted(ca.keys() - cb.keys())
    cols_changed = sorted(k for k in ca.keys() & cb.keys() if ca[k] != cb[k])
    schema_changed = bool(ma) and ma["record_schema"]["arrow_fingerprint"] != mb["record_schema"]["arrow_fingerprint"]
    if removed or modified or cols_removed or cols_changed:
        bump = "major"
    elif added or cols_added or (schema_changed and not ca):
        bump = "minor"
    else:
        bump = "patch"
    declared = _declared_bump(ma["version"] if ma else None, mb["version"])
    return {
        "from": ({"version": ma["version"], "logical_digest": ma["logical_digest"], "rows": ma["rows"]} if ma else None),
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
        "schema": {
            "changed": schema_changed,
            "from": ({k: ma["record_schema"][k] for k in ("name", "version", "arrow_fingerprint")} if ma else None),
            "to": {k: mb["record_schema"][k] for k in ("name", "version", "arrow_fingerprint")},
            "columns_added": cols_added, "columns_removed": cols_removed, "columns_changed": cols_changed,
        },
        "suggested_bump": bump if ma else "initial",
        "declared_bump": declared,
        # a version bump smaller than the changes need misleads anyone pinning a major line
        "bump_ok": declared is None or _RANK.get(declared, -1) >= _RANK[bump],
    }


def diff(a: str | Path, b: str | Path) -> dict[str, Any]:
    a, b = Path(a), Path(b)
    return diff_releases(_manifest(a), a, _manifest(b), b)


def _ids(label: str, ids: list[str], total: int) -> list[str]:
    if not total:
        return []
    lines = [f"\n{label} ({total}):\n"]
    lines += [f"- `{i}`" for i in ids]
    if total > len(ids):
        lines.append(f"- … and {total - len(ids)} more (see the index files)")
    return lines


def changes_markdown(d: dict[str, Any]) -> str:
    to = d["to"]
    r = d["records"]
    out = [f"# Changes in {to['version']}", ""]
    if d["from"] is None:
        out += [f"Initial release: {to['rows']} records.", ""]
    else:
        out += [f"Against {d['from']['version']} ({d['from']['rows']} records -> {to['rows']}).", "",
                f"- records: +{r['added']} added, -{r['removed']} removed, ~{r['modified']} modified, {r['unchanged']} unchanged",
                f"- suggested version bump (Croissant rules): **{d['suggested_bump']}**; declared: {d['declared_bump']}"
                + ("" if d["bump_ok"] else " (smaller than the changes need)")]
        s = d["schema"]
        if s["changed"]:
            out.append(f"- schema {s['from']['version']} -> {s['to']['version']}: columns added {s['columns_added']}, "
                       f"removed {s['columns_removed']}, changed {s['columns_changed']}")
        else:
            out.append("- schema unchanged")
        f = d["files"]
        out.append(f"- files: {len(f['added'])} added, {len(f['removed'])} removed, {len(f['changed'])} changed")
    out += _ids("Added", r["added_ids"], r["added"]) if d["from"] else []
    out += _ids("Removed", r["removed_ids"], r["removed"])
    out += _ids("Modified", r["modified_ids"], r["modified"])
    out += ["", f"Logical digest: `{to['logical_digest']}`", ""]
    return "\n".join(out)
