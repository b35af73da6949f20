"""The Hugging Face dataset card (``README.md`` of a release), rendered from the manifest.

The YAML header is generated from the real schema and data: explicit ``configs`` so no
metadata file is ever read as data, ``dataset_info.features`` from the Arrow schema (a
hand-written feature list silently casts the data), languages found in the rows.
"""

from __future__ import annotations

from typing import Any

from . import schema

SIZE_CATEGORIES = [
    (1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"), (100_000_000_000, "10B<n<100B"), (1_000_000_000_000, "100B<n<1T"),
]


def size_category(n: int) -> str:
    for bound, label in SIZE_CATEGORIES:
        if n < bound:
            return label
    return "n>1T"


def _yaml_scalar(v: Any) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    return json.dumps(str(v), ensure_ascii=False)


def to_yaml(obj: Any, indent: int = 0) -> str:
    """A small, deterministic YAML emitter for the card header (block style, quoted strings)."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, dict | list) and v:
                lines.append(f"{pad}{k}:")
                lines.append(to_yaml(v, indent + 1))
            elif isinstance(v, dict | list):
                lines.append(f"{pad}{k}: {'{}' if isinstance(v, dict) else '[]'}")
            else:
                lines.append(f"{pad}{k}: {_yaml_scalar(v)}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict) and item:
                inner = to_yaml(item, indent + 1).splitlines()
                first = inner[0].lstrip()
                lines.append(f"{pad}- {first}")
                lines.extend(inner[1:])
            elif isinstance(item, list):
                lines.append(f"{pad}-")
                lines.append(to_yaml(item, indent + 1))
            else:
                lines.append(f"{pad}- {_yaml_scalar(item)}")
    return "\n".join(lines)


def front_matter(manifest: dict[str, Any], corpus: dict[str, Any]) -> dict[str, Any]:
    data_files = [f for f in manifest["files"] if f["role"] == "data"]
    rejects_files = [f for f in manifest["files"] if f["role"] == "rejects"]
    rows = manifest["rows"]
    data_bytes = sum(f["bytes"] for f in data_files)
    fm: dict[str, Any] = {
        "pretty_name": corpus.get("pretty_name") or manifest["name"],
        "license": corpus.get("license") or "other",
    }
    if fm["license"] == "other":
        fm["license_name"] = corpus.get("license_name") or "see-dataset-card"
        fm["license_link"] = corpus.get("license_link") or "LICENSE.md"
    fm["language"] = sorted(manifest.get("languages", {})) or ["und"]
    fm["multilinguality"] = "multilingual" if len(manifest.get("languages", {})) > 1 else "monolingual"
    fm["size_categories"] = [size_category(rows)]
    fm["task_categories"] = ["text-generation"]
    fm["language_creators"] = ["found"]
    fm["annotations_creators"] = ["no-annotation"]
    fm["source_datasets"] = ["original"]
    fm["tags"] = ["web-archive", "warc", "archivist"]
    configs = [{"config_name": "default", "default": True, "data_files": [{"split": "train", "path": "data/train-*.parquet"}]}]
    if rejects_files:
        configs.append({"config_name": "rejects", "data_files": [{"split": "train", "path": "rejects/rejects-*.parquet"}]})
    fm["configs"] = configs
    fm["dataset_info"] = {
        "config_name": "default",
        "features": schema.record_schema().features_yaml(),
        "splits": [{"name": "train", "num_bytes": data_bytes, "num_examples": rows}],
        "download_size": data_bytes,
        "dataset_size": data_bytes,
    }
    fm["corpus_version"] = manifest["version"]
    return fm


def render(manifest: dict[str, Any], corpus: dict[str, Any], datasheet: dict[str, str], stats: dict[str, Any]) -> str:
    fm = front_matter(manifest, corpus)
    name = fm["pretty_name"]
    langs = ", ".join(f"{k} ({v})" for k, v in sorted(manifest.get("languages", {}).items(), key=lambda kv: (-kv[1], kv[0])))
    rng = manifest.get("date_range") or {}
    files = "\n".join(
        f"| `{f['path']}` | {f['role']} | {f.get('rows') if f.get('rows') is not None else ''} | {f['bytes']} | `{f['sha256'][:16]}…` |"
        for f in manifest["files"]
    )
    ds = {k: (datasheet.get(k) or "Not stated.").strip() for k in
          ("motivation", "collection", "preprocessing", "uses", "limitations", "personal_information")}
    return f"""---
{to_yaml(fm)}
---

# {name}

{(corpus.get("description") or "").strip()}

Version **{manifest['version']}** of `{manifest['name']}`{f", derived from {manifest['parent_version']}" if manifest.get('parent_version') else ""}.
Built by {manifest['tool']['name']} {manifest['tool']['version']} from {len(manifest['inputs'])} WARC file(s).

## Loading

```python
from datasets import load_dataset
ds = load_dataset("path/or/repo", revision="v{manifest['version']}")
```

## Dataset summary

| measure | value |
|---|---|
| records | {manifest['rows']} |
| records kept after duplicate marking | {stats.get('kept', '')} |
| exact-duplicate rows marked | {stats.get('exact_dups', '')} |
| rejected inputs (see the `rejects` config) | {stats.get('rejects', 0)} |
| languages (records) | {langs or 'none identified'} |
| captures from | {rng.get('first_capture', '')} |
| captures to | {rng.get('last_capture', '')} |
| median words per record | {stats.get('median_words', '')} |

## Dataset structure

One row per captured page. Every row points back to the exact WARC record it came from
(`warc_filename`, `warc_record_offset`, `warc_record_length`, `warc_record_id`, payload digests).

{schema.record_schema().markdown_table()}

## Curation rationale (motivation)

{ds['motivation']}

## Source data: collection

{ds['collection']}

## Preprocessing

{ds['preprocessing']}

Extraction settings hash: `{manifest['params_sha256'][:16]}`. Duplicates are marked (`exact_dup_cluster`,
`near_dup_cluster`, `is_kept`), never dropped: filter on `is_kept` for a deduplicated view.

## Uses

{ds['uses']}

## Limitations

{ds['limitations']}

## Personal and sensitive information

{ds['personal_information']}

## Licensing

Corpus licence: `{fm['license']}`. Per-source licences (records): {", ".join(f"{k}: {v}" for k, v in sorted(manifest.get('licenses', {}).items())) or "none recorded"}.

## Files and checksums

Tree hash (sha256 over `path<TAB>sha256` lines of data, index and rejects files): `{manifest['tree_sha256']}`.
Logical digest (sha256 over sorted `id<TAB>content_sha256` lines; independent of file bytes): `{manifest['logical_digest']}`.

| file | role | rows | bytes | sha256 |
|---|---|---|---|---|
{files}

Check a copy with `archivist verify <release dir>`.
"""
