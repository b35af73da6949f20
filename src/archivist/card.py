"""The Hugging Face dataset card (``README.md`` of a release), rendered from the manifest.

The YAML header is generated from the real schema and data: explicit ``configs`` so no
metadata file is ever read as data, ``dataset_info.features`` from the Arrow schema (a
hand-written feature list silently casts the data), languages found in the rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import schema

# Hub licence ids (hub-docs repositories-licenses.md)
HUB_LICENSES = frozenset(["apache-2.0", "mit", "openrail", "bigscience-openrail-m", "creativeml-openrail-m", "bigscience-bloom-rail-1.0", "bigcode-openrail-m", "afl-3.0", "artistic-2.0", "bsl-1.0", "bsd", "bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear", "c-uda", "cc", "cc0-1.0", "cc-by-2.0", "cc-by-2.5", "cc-by-3.0", "cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0", "cc-by-nc-2.0", "cc-by-nc-3.0", "cc-by-nc-4.0", "cc-by-nd-4.0", "cc-by-nc-nd-3.0", "cc-by-nc-nd-4.0", "cc-by-nc-sa-2.0", "cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0", "cdla-sharing-1.0", "cdla-permissive-1.0", "cdla-permissive-2.0", "wtfpl", "ecl-2.0", "epl-1.0", "epl-2.0", "etalab-2.0", "eupl-1.1", "eupl-1.2", "agpl-3.0", "gfdl", "gpl", "gpl-2.0", "gpl-3.0", "lgpl", "lgpl-2.1", "lgpl-3.0", "isc", "h-research", "intel-research", "lppl-1.3c", "ms-pl", "apple-ascl", "apple-amlr", "mpl-2.0", "odc-by", "odbl", "openmdw-1.0", "openrail++", "osl-3.0", "postgresql", "ofl-1.1", "ncsa", "unlicense", "zlib", "pddl", "lgpl-lr", "deepfloyd-if-license", "fair-noncommercial-research-license", "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma", "unknown", "other"])
SIZE_LABELS = ("n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M", "100M<n<1B", "1B<n<10B",
               "10B<n<100B", "100B<n<1T", "n>1T")

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
    fm["task_categories"] = list(corpus.get("task_categories") or ["text-generation"])
    fm["language_creators"] = ["found"]
    fm["annotations_creators"] = ["no-annotation"]
    fm["source_datasets"] = ["original"]
    fm["tags"] = ["web-archive", "warc", "archivist"]
    # explicit configs: without them the Hub/datasets may read manifest.json or croissant.json as data
    configs = [{"config_name": "default", "default": True, "data_files": [{"split": "train", "path": "data/train-*.parquet"}]},
               {"config_name": "index", "data_files": [{"split": "train", "path": "index/records-*.parquet"}]}]
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
          ("motivation", "collection", "preprocessing", "uses", "limitations", "personal_information", "maintenance")}
    inputs = "\n".join(f"- `{i['path']}`: {i.get('records', 0)} records, {i.get('rejects', 0)} rejects" for i in manifest["inputs"])
    images = [f["path"] for f in manifest["files"] if f["role"] == "image"]
    glance = "\n\n".join(f"![{Path(p).stem}]({p})" for p in images) or "No plots in this release."
    per_source = "\n".join(f"| {host} | {', '.join(f'{k}: {v}' for k, v in lic.items())} |"
                           for host, lic in manifest.get("licenses_by_source", {}).items())
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
| mean words per record | {stats.get('mean_words', '')} |
| total words | {stats.get('total_words', '')} |
| source hosts | {stats.get('sources', '')} |
| input WARC files | {len(manifest['inputs'])} ({sum(i['bytes'] for i in manifest['inputs'])} bytes) |
| reject reasons | {", ".join(f"{k}: {v}" for k, v in (stats.get('reject_reasons') or {}).items()) or 'none'} |

## Corpus at a glance

{glance}

## Dataset structure

One row per captured page. Every row points back to the exact WARC record it came from
(`warc_filename`, `warc_record_offset`, `warc_record_length`, `warc_record_id`, payload digests).

{schema.record_schema().markdown_table()}

## Curation rationale (motivation)

{ds['motivation']}

## Source data: collection

{ds['collection']}

Captured between {rng.get('first_capture', 'n/a')} and {rng.get('last_capture', 'n/a')} (WARC-Date of the records).
Input archives (sha256 in `manifest.json`; `archivist reproduce` re-extracts from them):

{inputs or "- none recorded"}

## Preprocessing

{ds['preprocessing']}

Extraction settings hash (the `settings_hash` column): `{manifest['params'].get('settings_hash', '')}`;
sha256 of all publish parameters: `{manifest['params_sha256'][:16]}…`. Duplicates are marked (`exact_dup_cluster`,
`near_dup_cluster`, `is_kept`), never dropped: filter on `is_kept` for a deduplicated view.

## Uses

{ds['uses']}

## Limitations

{ds['limitations']}

## Personal and sensitive information

{ds['personal_information']}

## Licensing

Corpus licence: `{fm['license']}`. Per-source licences (records): {", ".join(f"{k}: {v}" for k, v in sorted(manifest.get('licenses', {}).items())) or "none recorded"}.

| source host | licences (records) |
|---|---|
{per_source}

## Maintenance

{ds['maintenance'] if ds['maintenance'] != "Not stated." else "Releases are immutable; corrections come as new versions with CHANGES.md and diff.json against their parent."}

## Files and checksums

Tree hash (sha256 over `path<TAB>sha256` lines of data, index and rejects files): `{manifest['tree_sha256']}`.
Logical digest (sha256 over sorted `id<TAB>content_sha256` lines; independent of file bytes): `{manifest['logical_digest']}`.

| file | role | rows | bytes | sha256 |
|---|---|---|---|---|
{files}

Check a copy with `archivist verify <release dir>`.
"""


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """(YAML header, body) of a card; header None when there is none or it does not parse."""
    import yaml

    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 4)
    if end < 0:
        return None, text
    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError:
        return None, text
    return (data if isinstance(data, dict) else None), text[end + 5:]


def lint(text: str, manifest: dict[str, Any] | None = None) -> list[str]:
    """Offline checks of a card's YAML header (the Hub validates server-side only).

    Licence and size-category enums, ``configs`` shape, ``dataset_info`` features equal to the
    declared schema, and -- given the manifest -- sizes and row counts that match the release.
    """
    fm, _ = split_front_matter(text)
    if fm is None:
        return ["no parseable YAML front matter"]
    problems: list[str] = []
    lic = fm.get("license")
    for item in (lic if isinstance(lic, list) else [lic]):
        if item not in HUB_LICENSES:
            problems.append(f"license {item!r} is not a Hub licence id")
    if lic == "other" and not (fm.get("license_name") and fm.get("license_link")):
        problems.append("license 'other' needs license_name and license_link")
    sizes = fm.get("size_categories")
    if not isinstance(sizes, list) or not sizes or any(x not in SIZE_LABELS for x in sizes):
        problems.append(f"size_categories {sizes!r} not in {list(SIZE_LABELS)}")
    for key in ("pretty_name",):
        if not isinstance(fm.get(key), str) or not fm.get(key):
            problems.append(f"{key} missing")
    for key in ("language", "task_categories"):
        if not isinstance(fm.get(key), list) or not all(isinstance(x, str) and x for x in fm[key]):
            problems.append(f"{key} must be a non-empty list of strings")
    configs = fm.get("configs")
    if not isinstance(configs, list) or not configs:
        problems.append("configs missing: metadata files could be read as data")
        configs = []
    defaults = 0
    for c in configs:
        if not isinstance(c, dict) or not isinstance(c.get("config_name"), str):
            problems.append(f"config {c!r} has no config_name")
            continue
        defaults += bool(c.get("default"))
        df = c.get("data_files")
        if not isinstance(df, list) or not df:
            problems.append(f"config {c['config_name']}: data_files must be a list of {{split, path}}")
            continue
        for entry in df:
            if not isinstance(entry, dict) or set(entry) != {"split", "path"}:
                problems.append(f"config {c['config_name']}: data_files entry {entry!r} is not {{split, path}}")
            elif "-" in str(entry["split"]):
                problems.append(f"config {c['config_name']}: split name {entry['split']!r} contains '-'")
    if configs and defaults != 1:
        problems.append(f"{defaults} configs marked default; exactly one must be")
    info = fm.get("dataset_info")
    if not isinstance(info, dict):
        problems.append("dataset_info missing")
        return problems
    if info.get("features") != schema.record_schema().features_yaml():
        problems.append("dataset_info.features differ from the declared record schema")
    splits = info.get("splits")
    if not isinstance(splits, list) or not all(isinstance(x, dict) and {"name", "num_bytes", "num_examples"} <= x.keys() for x in splits):
        problems.append("dataset_info.splits entries need name, num_bytes and num_examples")
    elif manifest is not None:
        rows = sum(x["num_examples"] for x in splits)
        if rows != manifest["rows"]:
            problems.append(f"dataset_info.splits count {rows} rows, the manifest {manifest['rows']}")
        if sizes and sizes[0] != size_category(manifest["rows"]):
            problems.append(f"size_categories {sizes[0]} does not fit {manifest['rows']} rows")
        data_bytes = sum(f["bytes"] for f in manifest["files"] if f["role"] == "data")
        if info.get("download_size") != data_bytes:
            problems.append(f"dataset_info.download_size {info.get('download_size')} != {data_bytes} bytes of data files")
        for f in manifest["files"]:
            if f["role"] == "image" and f"]({f['path']})" not in text:
                problems.append(f"plot {f['path']} is listed in the manifest but not shown in the card")
        langs = sorted(manifest.get("languages", {})) or ["und"]
        if fm.get("language") != langs:
            problems.append(f"language {fm.get('language')} != languages found in the data {langs}")
    return problems
