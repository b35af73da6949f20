"""Croissant 1.0 metadata (``croissant.json``) for a release, derived from the manifest and schema."""

from __future__ import annotations

from typing import Any

from . import schema

CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "equivalentProperty": "cr:equivalentProperty",
    "samplingRate": "cr:samplingRate",
}

LICENSE_URLS = {
    "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "odc-by": "https://opendatacommons.org/licenses/by/1-0/",
    "apache-2.0": "https://www.apache.org/licenses/LICENSE-2.0",
    "mit": "https://opensource.org/license/mit",
}

_PARQUET = "application/x-parquet"


def _source(file_id: str, column: str) -> dict[str, Any]:
    return {"fileObject": {"@id": file_id}, "extract": {"column": column}}


def _field(rs_id: str, f: schema.Field, file_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{rs_id}/{f.name}",
        "name": f.name,
        "description": f.description,
        "dataType": f.croissant_type(),
        "source": _source(file_id, f.name),
    }
    if f.type.startswith("list<"):
        out["repeated"] = True
    if f.fields:
        # list<struct> / struct: one subField per struct member, read from the same column
        out.pop("dataType")
        out["subField"] = [
            {"@type": "cr:Field", "@id": f"{rs_id}/{f.name}/{sub.name}", "name": sub.name,
             "description": sub.description, "dataType": sub.croissant_type(),
             "source": {"fileObject": {"@id": file_id}, "extract": {"column": f.name}, "transform": {"jsonPath": sub.name}}}
            for sub in f.fields
        ]
    return out


# Every column is described, nested ones included: mlcroissant 1.1.1 reads list<string> as a
# repeated Text field and list<struct> as repeated subFields (tests/test_publish_croissant.py).


def _file_object(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "@type": "cr:FileObject",
        "@id": f["path"],
        "name": f["path"],
        "description": f"{f['role']} file, {f.get('rows')} rows",
        "contentUrl": f["path"],
        "contentSize": f"{f['bytes']} B",
        "encodingFormat": _PARQUET,
        "sha256": f["sha256"],
    }


def render(manifest: dict[str, Any], corpus: dict[str, Any], datasheet: dict[str, str]) -> dict[str, Any]:
    rs = schema.record_schema()
    parquet = [f for f in manifest["files"] if f["path"].endswith(".parquet")]
    data = [f for f in parquet if f["role"] == "data"]
    index = [f for f in parquet if f["role"] == "index"]
    lic = corpus.get("license") or "other"
    rng = manifest.get("date_range") or {}
    distribution = [_file_object(f) for f in parquet]
    record_sets = []
    if len(data) == 1:
        data_id = data[0]["path"]
    else:
        # many shards: one FileSet the record set reads; each shard still has its own FileObject + sha256
        data_id = "data-files"
        distribution.append({"@type": "cr:FileSet", "@id": data_id, "name": data_id,
                             "encodingFormat": _PARQUET, "includes": "data/train-*.parquet"})
    if data:
        fields = [_field("records", f, data_id) for f in rs.fields ]
        if len(data) != 1:
            for fld in fields:
                fld["source"] = {"fileSet": {"@id": data_id}, "extract": fld["source"]["extract"]}
        record_sets.append({"@type": "cr:RecordSet", "@id": "records", "name": "records",
                            "description": rs.description, "key": {"@id": "records/id"}, "field": fields})
    if index:
        cols = (("id", "sc:Text"), ("content_sha256", "sc:Text"), ("shard", "sc:Text"), ("row", "sc:Integer"),
                ("warc_filename", "sc:Text"), ("warc_record_id", "sc:Text"), ("license", "sc:Text"))
        record_sets.append({
            "@type": "cr:RecordSet", "@id": "index", "name": "index",
            "description": "Per record: content sha256, shard and row, source WARC record and licence.",
            "key": {"@id": "index/id"},
            "field": [{"@type": "cr:Field", "@id": f"index/{c}", "name": c, "dataType": t,
                       "source": _source(index[0]["path"], c)} for c, t in cols],
        })
    version = manifest["version"]
    name = manifest["name"]
    url = corpus.get("url") or f"https://huggingface.co/datasets/{name}"
    creator = corpus.get("operator") or name
    year = (rng.get("last_capture") or "0000")[:4]
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": name,
        "description": (corpus.get("description") or name).strip(),
        "license": LICENSE_URLS.get(lic, corpus.get("license_link") or lic),
        "url": url,
        "version": version,
        # dates come from the captures, never the clock: republishing must give the same bytes
        "datePublished": (rng.get("last_capture") or "")[:10] or None,
        "dateCreated": (rng.get("first_capture") or "")[:10] or None,
        "creator": {"@type": "sc:Organization", "name": creator},
        "publisher": {"@type": "sc:Organization", "name": creator},
        "keywords": ["web archive", "WARC", "web corpus"],
        "inLanguage": sorted(manifest.get("languages", {})),
        "isLiveDataset": False,
        "citeAs": (f"@misc{{{name.replace('-', '_')}_{version.replace('.', '_')},\n  title = {{{corpus.get('pretty_name') or name}}},\n"
                   f"  author = {{{creator}}},\n  year = {{{year}}},\n  version = {{{version}}},\n  url = {{{url}}}\n}}"),
        "rai:dataCollection": datasheet.get("collection", ""),
        "rai:dataCollectionType": "Web Scraping",
        "rai:dataCollectionRawData": f"{len(manifest['inputs'])} WARC/1.1 file(s), listed with sha256 in manifest.json",
        "rai:dataCollectionMissingData": "Pages that could not be extracted are listed with a reason in rejects/.",
        "rai:dataCollectionTimeframe": f"{rng.get('first_capture', '')}/{rng.get('last_capture', '')}",
        "rai:dataPreprocessingProtocol": datasheet.get("preprocessing", ""),
        "rai:dataManipulationProtocol": "Duplicates are marked (exact_dup_cluster, is_kept), never removed.",
        "rai:dataLimitations": datasheet.get("limitations", ""),
        "rai:dataBiases": datasheet.get("biases") or datasheet.get("limitations", ""),
        "rai:dataUseCases": datasheet.get("uses", ""),
        "rai:dataSocialImpact": datasheet.get("social_impact") or datasheet.get("uses", ""),
        "rai:personalSensitiveInformation": datasheet.get("personal_information", ""),
        "rai:dataReleaseMaintenancePlan": datasheet.get("maintenance") or
            "Releases are immutable; changes come as new versions with CHANGES.md and diff.json.",
        "distribution": distribution,
        "recordSet": record_sets,
    }


REQUIRED = ("@context", "@type", "conformsTo", "name", "description", "license", "url", "creator",
            "datePublished", "distribution")


def check(doc: dict[str, Any], files: dict[str, str]) -> list[str]:
    """Our own required-field check (mlcroissant only warns) and sha256 of each FileObject.

    ``files`` maps release-relative paths to their actual sha256.
    """
    problems = [f"missing required field {k!r}" for k in REQUIRED if not doc.get(k)]
    if doc.get("conformsTo") != "http://mlcommons.org/croissant/1.0":
        problems.append(f"conformsTo {doc.get('conformsTo')!r} is not Croissant 1.0")
    for d in doc.get("distribution") or []:
        if d.get("@type") != "cr:FileObject":
            continue
        path = d.get("contentUrl")
        if path not in files:
            problems.append(f"FileObject {path!r} is not a file of the release")
        elif d.get("sha256") != files[path]:
            problems.append(f"FileObject {path!r}: sha256 {d.get('sha256')} != actual {files[path]}")
    return problems
