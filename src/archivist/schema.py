"""The declared schemas (``schemas/*.json``) and everything derived from them.

The JSON files are the only place a column is declared. The Arrow schema written to
Parquet, the dataset card's feature list, the Croissant fields and the schema table in the
docs are all computed here, so they cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

_SCALARS: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float32": pa.float32(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    # Milliseconds: Parquet has no second unit (it would read back as ms); UTC throughout.
    "timestamp": pa.timestamp("ms", tz="UTC"),
}

_CROISSANT_TYPES = {
    "string": "sc:Text",
    "int32": "sc:Integer",
    "int64": "sc:Integer",
    "float32": "sc:Float",
    "float64": "sc:Float",
    "bool": "sc:Boolean",
    "timestamp": "sc:Date",
}


def schemas_dir() -> Path:
    """Where the declared schemas live: inside the wheel, or the repository's ``schemas/``."""
    packaged = Path(__file__).with_name("_schemas")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    nullable: bool
    description: str
    group: str | None = None
    fields: tuple[Field, ...] = ()

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Field:
        return cls(
            name=d["name"],
            type=d["type"],
            nullable=bool(d.get("nullable", True)),
            description=d.get("description", ""),
            group=d.get("group"),
            fields=tuple(cls.from_json(f) for f in d.get("fields", ())),
        )

    def arrow_type(self) -> pa.DataType:
        if self.type in _SCALARS:
            return _SCALARS[self.type]
        if self.type == "list<string>":
            return pa.list_(pa.string())
        if self.type == "struct":
            return pa.struct([f.arrow_field() for f in self.fields])
        if self.type == "list<struct>":
            return pa.list_(pa.struct([f.arrow_field() for f in self.fields]))
        raise ValueError(f"schema field {self.name!r}: unknown type {self.type!r}")

    def arrow_field(self) -> pa.Field:
        return pa.field(self.name, self.arrow_type(), nullable=self.nullable)

    def croissant_type(self) -> str:
        base = self.type.removeprefix("list<").removesuffix(">")
        return _CROISSANT_TYPES.get(base, "sc:Text")


@dataclass(frozen=True)
class TableSchema:
    name: str
    version: str
    description: str
    primary_key: str | None
    sort_key: str | None
    fields: tuple[Field, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def arrow(self) -> pa.Schema:
        meta = {b"archivist.schema": f"{self.name}@{self.version}".encode()}
        return pa.schema([f.arrow_field() for f in self.fields], metadata=meta)

    def fingerprint(self) -> str:
        """sha256 over the Arrow schema's canonical text: changes iff a column changes."""
        text = "\n".join(f"{f.name}\t{f.type}\t{f.nullable}" for f in self.arrow())
        return hashlib.sha256(text.encode()).hexdigest()

    def features_yaml(self) -> list[dict[str, Any]]:
        """The card's ``dataset_info.features``, as ``datasets`` derives it from the Arrow schema."""
        from datasets import Features

        return Features.from_arrow_schema(self.arrow())._to_yaml_list()

    def empty_table(self) -> pa.Table:
        return self.arrow().empty_table()

    def table_from_rows(self, rows: list[dict[str, Any]]) -> pa.Table:
        """Build a table in declared column order; a missing or extra key is an error, not a guess."""
        names = set(self.names)
        for row in rows:
            if row.keys() != names:
                missing, extra = names - row.keys(), row.keys() - names
                raise ValueError(f"{self.name} row does not match schema: missing {sorted(missing)}, extra {sorted(extra)}")
        columns = {n: [r[n] for r in rows] for n in self.names}
        return pa.Table.from_pydict(columns, schema=self.arrow())

    def check(self, schema: pa.Schema) -> list[str]:
        """Differences between a written file's schema and the declared one (empty when equal)."""
        problems = []
        declared = self.arrow()
        if schema.names != declared.names:
            problems.append(f"columns {schema.names} != declared {declared.names}")
        for f in declared:
            if f.name in schema.names:
                got = schema.field(f.name)
                if not got.type.equals(f.type):
                    problems.append(f"{f.name}: type {got.type} != declared {f.type}")
                if got.nullable != f.nullable:
                    problems.append(f"{f.name}: nullable {got.nullable} != declared {f.nullable}")
        return problems

    def markdown_table(self) -> str:
        lines = ["| column | type | nullable | description |", "|---|---|---|---|"]
        for f in self.fields:
            lines.append(f"| `{f.name}` | {f.type} | {'yes' if f.nullable else 'no'} | {f.description} |")
            for sub in f.fields:
                lines.append(f"| `{f.name}.{sub.name}` | {sub.type} | {'yes' if sub.nullable else 'no'} | {sub.description} |")
        return "\n".join(lines)


@cache
def load(name: str) -> TableSchema:
    path = schemas_dir() / f"{name}.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    return TableSchema(
        name=d["name"],
        version=d["version"],
        description=d.get("description", ""),
        primary_key=d.get("primary_key"),
        sort_key=d.get("sort_key"),
        fields=tuple(Field.from_json(f) for f in d["fields"]),
    )


def record_schema() -> TableSchema:
    return load("record")


def rejects_schema() -> TableSchema:
    return load("rejects")


@cache
def manifest_json_schema() -> dict[str, Any]:
    return json.loads((schemas_dir() / "manifest.schema.json").read_text(encoding="utf-8"))


def docs_markdown() -> str:
    """``docs/schema.md``: the schema tables, regenerated from the declarations (``python -m archivist.schema``)."""
    parts = ["# Record schemas", "", "Generated from `schemas/*.json` by `python -m archivist.schema > docs/schema.md`; do not edit by hand.", ""]
    for s in (record_schema(), rejects_schema()):
        parts += [f"## `{s.name}` (version {s.version})", "", s.description, "", s.markdown_table(), ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(docs_markdown(), end="")
