"""The declared schema is the one source: Arrow, card features, Croissant and docs derive from it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from archivist import schema


def test_every_declared_field_becomes_an_arrow_column():
    rs = schema.record_schema()
    raw = json.loads((schema.schemas_dir() / "record.json").read_text())
    arrow = rs.arrow()
    assert arrow.names == [f["name"] for f in raw["fields"]]
    for f in raw["fields"]:
        assert arrow.field(f["name"]).nullable == f["nullable"]
    assert arrow.field("outlinks").type == pa.list_(pa.struct([("url", pa.string()), ("text", pa.string())]))
    assert arrow.field("warc_record_offset").type == pa.int64()


def test_card_features_and_docs_follow_the_schema():
    rs = schema.record_schema()
    names = [f["name"] for f in rs.features_yaml()]
    assert names == rs.names
    table = rs.markdown_table()
    for name in rs.names:
        assert f"`{name}`" in table


def test_table_from_rows_refuses_rows_that_do_not_match():
    rj = schema.rejects_schema()
    good = {"input": "a", "warc_record_id": None, "warc_record_offset": None, "url": None,
            "stage": "read", "reason": "x", "detail": None}
    assert rj.table_from_rows([good]).num_rows == 1
    with pytest.raises(ValueError, match="missing"):
        rj.table_from_rows([{k: v for k, v in good.items() if k != "reason"}])
    with pytest.raises(ValueError, match="extra"):
        rj.table_from_rows([{**good, "surprise": 1}])


def test_check_reports_type_and_nullability_drift():
    rs = schema.record_schema()
    assert rs.check(rs.arrow()) == []
    drifted = rs.arrow().set(0, pa.field("id", pa.large_string(), nullable=True))
    problems = rs.check(drifted)
    assert any("id: type" in p for p in problems) and any("id: nullable" in p for p in problems)


def test_fingerprint_changes_with_a_column():
    rs = schema.record_schema()
    other = schema.TableSchema(rs.name, rs.version, rs.description, rs.primary_key, rs.sort_key, rs.fields[:-1])
    assert rs.fingerprint() != other.fingerprint()


def test_timestamps_are_utc():
    rs = schema.record_schema()
    t = rs.arrow().field("captured_at").type
    assert t.tz == "UTC"
    arr = pa.array([datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)], type=t)
    assert arr[0].as_py() == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_manifest_json_schema_is_valid_json_schema():
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema.manifest_json_schema())


def test_docs_schema_table_is_regenerated_from_the_declaration():
    from tests.conftest import REPO

    assert (REPO / "docs" / "schema.md").read_text(encoding="utf-8") == schema.docs_markdown(), (
        "docs/schema.md is stale: run python -m archivist.schema > docs/schema.md"
    )
