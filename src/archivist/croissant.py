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

# Nested and list columns are described in the card; Croissant gets the flat ones.
_FLAT = {"string", "int32", "int64", "float32", "float64", "bool", "timestamp"}


def render(manifest: dict[str, Any], corpus: dict[str, Any], datasheet: dict[str, str]) -> dict[str, Any]:
    rs = schema.record_schema()
    data = [f for f in manifest["files"] if f["role"] == "data"]
    lic = corpus.get("license") or "other"
    rng = manifest.get("date_range") or {}
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": f["path"],
            "name": f["path"],
            "contentUrl": f["path"],
            "contentSize": f"{f['bytes']} B",
            "encodingFormat": "application/x-parquet",
            "sha256": f["sha256"],
        }
        for f in data
    ]
    fields = [
        {
            "@type": "cr:Field",
            "@id": f"records/{f.name}",
            "name": f.name,
            "description": f.description,
            "dataType": f.croissant_type(),
            "source": {"fileSet" if len(data) > 1 else "fileObject": {"@id": data[0]["path"] if len(data) == 1 else "data-files"},
                       "extract": {"column": f.name}},
        }
        for f in rs.fields
        if f.type in _FLAT
    ] if data else []
    if len(data) > 1:
        distribution.append({"@type": "cr:FileSet", "@id": "data-files", "name": "data-files",
                             "encodingFormat": "application/x-parquet", "includes": "data/train-*.parquet"})
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": manifest["name"],
        "description": (corpus.get("description") or manifest["name"]).strip(),
        "license": LICENSE_URLS.get(lic, corpus.get("license_link") or lic),
        "url": corpus.get("url") or f"https://huggingface.co/datasets/{manifest['name']}",
        "version": manifest["version"],
        "datePublished": (rng.get("last_capture") or "")[:10] or None,
        "creator": {"@type": "sc:Organization", "name": corpus.get("operator") or manifest["name"]},
        "keywords": ["web archive", "WARC", "web corpus"],
        "inLanguage": sorted(manifest.get("languages", {})),
        "rai:dataCollection": datasheet.get("collection", ""),
        "rai:dataCollectionType": "Web Scraping",
        "rai:dataCollectionTimeframe": f"{rng.get('first_capture', '')}/{rng.get('last_capture', '')}",
        "rai:dataPreprocessingProtocol": datasheet.get("preprocessing", ""),
        "rai:dataLimitations": datasheet.get("limitations", ""),
        "rai:dataUseCases": datasheet.get("uses", ""),
        "rai:personalSensitiveInformation": datasheet.get("personal_information", ""),
        "distribution": distribution,
        "recordSet": [{"@type": "cr:RecordSet", "@id": "records", "name": "records", "key": {"@id": "records/id"},
                       "field": fields}] if data else [],
    }
