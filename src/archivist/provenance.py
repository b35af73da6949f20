"""W3C PROV-JSON for a release: WARC files -> extract activity (agent: tool@version) -> shards.

The release entity has each shard as a member and, when there is a parent release, is derived
from it as a ``prov:Revision``. The document is written by hand (no runtime dependency) with
stable identifiers, so the same release gives the same bytes; the tests read it back with the
``prov`` package to check it is valid PROV-JSON.
"""

from __future__ import annotations

from typing import Any

NAMESPACES = {
    "archivist": "https://archivist.invalid/ns#",
    "warc": "https://archivist.invalid/warc/",
    "release": "https://archivist.invalid/release/",
}


def _lit(value: Any, xsd: str) -> dict[str, str]:
    return {"$": str(value), "type": f"xsd:{xsd}"}


def _qname(value: str) -> dict[str, str]:
    return {"$": value, "type": "prov:QUALIFIED_NAME"}


def release_id(name: str, version: str) -> str:
    return f"release:{name}/{version}"


def render(manifest: dict[str, Any]) -> dict[str, Any]:
    name, version = manifest["name"], manifest["version"]
    tool = manifest["tool"]
    agent = f"archivist:{tool['name']}-{tool['version']}"
    activity = f"archivist:extract-{name}-{version}"
    rel = release_id(name, version)
    entities: dict[str, Any] = {}
    used: dict[str, Any] = {}
    generated: dict[str, Any] = {}
    members: dict[str, Any] = {}
    derived: dict[str, Any] = {}

    for n, i in enumerate(manifest["inputs"]):
        wid = f"warc:{i['path']}"
        entities[wid] = {"prov:type": _qname("archivist:WarcFile"), "prov:label": i["path"],
                         "archivist:sha256": i["sha256"], "archivist:bytes": _lit(i["bytes"], "long")}
        used[f"_:used{n}"] = {"prov:activity": activity, "prov:entity": wid}
    shards = [f for f in manifest["files"] if f["role"] in ("data", "index", "rejects")]
    for n, f in enumerate(shards):
        sid = f"{rel}/{f['path']}"
        entities[sid] = {"prov:type": _qname("archivist:ParquetShard"), "prov:label": f["path"],
                         "archivist:role": f["role"], "archivist:sha256": f["sha256"],
                         "archivist:bytes": _lit(f["bytes"], "long"), "archivist:rows": _lit(f["rows"] or 0, "long")}
        generated[f"_:gen{n}"] = {"prov:entity": sid, "prov:activity": activity}
        members[f"_:member{n}"] = {"prov:collection": rel, "prov:entity": sid}
    entities[rel] = {"prov:type": _qname("prov:Collection"), "prov:label": f"{name} {version}",
                     "archivist:version": version, "archivist:tree_sha256": manifest["tree_sha256"],
                     "archivist:logical_digest": manifest["logical_digest"]}
    if manifest.get("parent_version"):
        parent = release_id(name, manifest["parent_version"])
        entities[parent] = {"prov:type": _qname("prov:Collection"), "prov:label": f"{name} {manifest['parent_version']}",
                            "archivist:version": manifest["parent_version"]}
        derived["_:revision"] = {"prov:generatedEntity": rel, "prov:usedEntity": parent,
                                 "prov:type": _qname("prov:Revision")}

    deps = tool.get("dependencies", {})
    doc: dict[str, Any] = {
        "prefix": dict(NAMESPACES),
        "entity": entities,
        "activity": {activity: {"prov:type": _qname("archivist:Extract"), "prov:label": f"extract and publish {version}",
                                "archivist:params_sha256": manifest["params_sha256"]}},
        "agent": {agent: {"prov:type": _qname("prov:SoftwareAgent"), "prov:label": f"{tool['name']}@{tool['version']}",
                          **{f"archivist:{k.replace('-', '_')}": v for k, v in sorted(deps.items())}}},
        "wasAssociatedWith": {"_:assoc": {"prov:activity": activity, "prov:agent": agent}},
    }
    if used:
        doc["used"] = used
    if generated:
        doc["wasGeneratedBy"] = generated
        doc["hadMember"] = members
    if derived:
        doc["wasDerivedFrom"] = derived
    return doc
