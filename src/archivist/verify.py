"""Verify a release: every file re-hashed, tree hash, logical digest, schema, Croissant and card.

Every failure names the file it is about, so a user knows which file to fetch again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import card, croissant, schema
from .hashing import file_sha256
from .parquet_io import read_table
from .release import META_FILES, logical_digest, row_content_sha256, tree_sha256


@dataclass
class VerifyResult:
    release: str
    ok: bool = True
    checked: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def fail(self, msg: str) -> None:
        self.ok = False
        self.failures.append(msg)

    def to_json(self) -> dict[str, object]:
        return {"release": self.release, "ok": self.ok, "checked": self.checked, "failures": self.failures}


def verify(release: str | Path) -> VerifyResult:
    release = Path(release)
    res = VerifyResult(str(release))
    mpath = release / "manifest.json"
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        res.fail(f"{mpath}: cannot read manifest: {e}")
        return res

    import jsonschema

    try:
        jsonschema.validate(manifest, schema.manifest_json_schema())
        res.checked.append("manifest.json: shape")
    except jsonschema.ValidationError as e:
        res.fail(f"{mpath}: does not match manifest schema: {e.message}")

    listed = {f["path"] for f in manifest.get("files", [])}
    for f in manifest.get("files", []):
        p = release / f["path"]
        if not p.is_file():
            res.fail(f"{p}: missing")
            continue
        size, digest = p.stat().st_size, file_sha256(p)
        if size != f["bytes"] or digest != f["sha256"]:
            res.fail(f"{p}: sha256 {digest[:16]}… / {size} bytes, manifest says {f['sha256'][:16]}… / {f['bytes']} bytes")
        else:
            res.checked.append(f"{f['path']}: sha256")
    on_disk = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    extra = sorted(on_disk - listed - {"manifest.json"})
    for e in extra:
        res.fail(f"{release / e}: not listed in the manifest")
    if tree_sha256(manifest.get("files", [])) != manifest.get("tree_sha256"):
        res.fail(f"{mpath}: tree_sha256 does not match the listed files")
    else:
        res.checked.append("tree_sha256")
    for name in META_FILES:
        if name != "manifest.json" and name not in listed:
            res.fail(f"{release / name}: missing from the manifest's file list")
    if not res.ok:
        return res
    _check_meta(release, manifest, res)

    rs = schema.record_schema()
    n_failures = len(res.failures)
    ids: list[str] = []
    hashes: list[str] = []
    for f in manifest["files"]:
        if f["role"] != "data":
            continue
        p = release / f["path"]
        try:
            t = read_table(p)
        except Exception as e:
            res.fail(f"{p}: unreadable Parquet: {e}")
            continue
        problems = rs.check(t.schema)
        if problems:
            res.fail(f"{p}: schema differs from declared: {'; '.join(problems)}")
        if t.num_rows != f.get("rows"):
            res.fail(f"{p}: {t.num_rows} rows, manifest says {f.get('rows')}")
        ids += t["id"].to_pylist()
        hashes += row_content_sha256(t)
    if len(res.failures) == n_failures:  # data readable and well-formed: the digest is meaningful
        res.checked.append("schema")
        if logical_digest(ids, hashes) != manifest["logical_digest"]:
            res.fail(f"{mpath}: logical digest of the data differs from the manifest")
        else:
            res.checked.append("logical_digest")
    return res


def _check_meta(release: Path, manifest: dict, res: VerifyResult) -> None:
    """Croissant required fields + per-file sha256, card lint, PROV-JSON shape."""
    actual = {f["path"]: f["sha256"] for f in manifest["files"]}
    cpath = release / "croissant.json"
    try:
        problems = croissant.check(json.loads(cpath.read_text(encoding="utf-8")), actual)
    except (OSError, json.JSONDecodeError) as e:
        problems = [f"unreadable: {e}"]
    for p in problems:
        res.fail(f"{cpath}: {p}")
    if not problems:
        res.checked.append("croissant.json: required fields, sha256 per file")
    rpath = release / "README.md"
    try:
        problems = card.lint(rpath.read_text(encoding="utf-8"), manifest)
    except OSError as e:
        problems = [f"unreadable: {e}"]
    for p in problems:
        res.fail(f"{rpath}: card lint: {p}")
    if not problems:
        res.checked.append("README.md: card lint")
    ppath = release / "provenance.json"
    try:
        prov = json.loads(ppath.read_text(encoding="utf-8"))
        shards = {k for k, v in prov.get("entity", {}).items() if v.get("archivist:sha256") in actual.values()}
        if not prov.get("prefix") or not prov.get("activity") or not shards:
            res.fail(f"{ppath}: not a PROV-JSON document for this release's files")
        else:
            res.checked.append("provenance.json")
    except (OSError, json.JSONDecodeError, AttributeError) as e:
        res.fail(f"{ppath}: unreadable PROV-JSON: {e}")
