"""SQL over the Parquet of a records folder or a release with DuckDB: views ``records`` and
``rejects`` (see :func:`archivist.stats.connect`)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .stats import _first_line, connect, locate

FORMATS = ("table", "csv", "json")


class QueryError(ValueError):
    """SQL that DuckDB refused (syntax, unknown column, ...): the message says why."""


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def query(sql: str, path: str | Path) -> Result:
    """Run ``sql`` against the views ``records`` and ``rejects`` of ``path``."""
    import duckdb

    if not sql.strip():
        raise QueryError("empty SQL: give a query such as \"SELECT language, count(*) FROM records GROUP BY 1\"")
    con = connect(locate(path))
    try:
        cur = con.execute(sql)
        if cur.description is None:  # a statement without a result (SET, CREATE VIEW, ...)
            return Result([], [])
        return Result([d[0] for d in cur.description], cur.fetchall())
    except duckdb.Error as e:
        raise QueryError(f"SQL error: {_first_line(e)}") from None
    finally:
        con.close()


def _plain(v: Any) -> Any:
    """A JSON-ready value: timestamps as ISO 8601, decimals as numbers, bytes as hex."""
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.UTC)
            return v.strftime("%Y-%m-%dT%H:%M:%S") + (f".{v.microsecond:06d}" if v.microsecond else "") + "Z"
        return v.isoformat()
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, bytes | bytearray | memoryview):
        return bytes(v).hex()
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def to_json(res: Result) -> str:
    """A JSON array of objects, one per row, keyed by column name."""
    return json.dumps([{c: _plain(v) for c, v in zip(res.columns, r, strict=True)} for r in res.rows],
                      ensure_ascii=False, indent=2)


def to_csv(res: Result) -> str:
    """RFC 4180 CSV with a header row; lists and structs as JSON, null as an empty field."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(res.columns)
    for r in res.rows:
        w.writerow([_csv_cell(v) for v in r])
    return buf.getvalue()


def _csv_cell(v: Any) -> Any:
    v = _plain(v)
    if v is None:
        return ""
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    return v


def to_table(res: Result, max_width: int = 80) -> Any:
    """A rich Table; cells are plain text (never markup) and long ones are cut."""
    from rich.table import Table
    from rich.text import Text

    t = Table(show_lines=False)
    for c in res.columns:
        t.add_column(Text(c), overflow="fold")
    for r in res.rows:
        cells = []
        for v in r:
            s = "null" if v is None else str(_csv_cell(v))
            if len(s) > max_width:
                s = s[: max_width - 1] + "…"
            cells.append(Text(s, style="dim" if v is None else ""))
        t.add_row(*cells)
    t.caption = f"{len(res.rows)} row{'s' if len(res.rows) != 1 else ''}"
    return t
