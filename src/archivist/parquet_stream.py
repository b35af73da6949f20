"""Streaming Parquet writes: rows go out in fixed-size row groups, so memory stays bounded by
one row group whatever the shard's size. Same settings as ``parquet_io.write_table``; the file
appears under its final name only when complete (temporary file + rename).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .fsutil import atomic_path
from .memory import release_free_memory
from .parquet_io import WRITE_OPTIONS

ROW_GROUP_ROWS = 1000


class RowGroupWriter:
    """Buffer rows (dicts) and write each ``rows_per_group`` of them as one row group."""

    def __init__(self, writer: pq.ParquetWriter, to_table: Any, rows_per_group: int) -> None:
        self._writer = writer
        self._to_table = to_table
        self._rows: list[dict[str, Any]] = []
        self.rows_per_group = rows_per_group
        self.rows_written = 0

    def add(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.rows_per_group:
            self.flush()

    def add_table(self, table: pa.Table) -> None:
        """Write a table's rows as whole row groups (a caller that already holds Arrow data)."""
        for start in range(0, table.num_rows, self.rows_per_group):
            part = table.slice(start, self.rows_per_group).combine_chunks()
            self._writer.write_table(part, row_group_size=self.rows_per_group)
            self.rows_written += part.num_rows

    def flush(self) -> None:
        if self._rows:
            table = self._to_table(self._rows).combine_chunks()
            self._writer.write_table(table, row_group_size=self.rows_per_group)
            self.rows_written += len(self._rows)
            self._rows = []
            del table
            release_free_memory()


@contextmanager
def stream_rows(dest: str | Path, schema: Any, rows_per_group: int = ROW_GROUP_ROWS) -> Iterator[RowGroupWriter]:
    """``schema`` is an ``archivist.schema`` table schema (``arrow()`` + ``table_from_rows``)."""
    with atomic_path(dest) as tmp:
        writer = pq.ParquetWriter(tmp, schema.arrow(), **WRITE_OPTIONS)
        try:
            w = RowGroupWriter(writer, schema.table_from_rows, rows_per_group)
            yield w
            w.flush()
        finally:
            writer.close()


def rewrite_row_groups(path: str | Path, patch: Any) -> None:
    """Rewrite ``path`` group by group through ``patch(table, first_row) -> table`` (same layout)."""
    path = Path(path)
    src = pq.ParquetFile(path)
    groups = [src.metadata.row_group(i).num_rows for i in range(src.num_row_groups)]
    rows_per_group = max(groups, default=ROW_GROUP_ROWS)
    with atomic_path(path) as tmp:
        writer = pq.ParquetWriter(tmp, src.schema_arrow, **WRITE_OPTIONS)
        try:
            start = 0
            for i in range(src.num_row_groups):
                # One thread: the read does not spread its buffers over several threads' heaps.
                t = patch(src.read_row_group(i, use_threads=False), start).combine_chunks()
                writer.write_table(t, row_group_size=rows_per_group)
                start += t.num_rows
                del t
                release_free_memory()
        finally:
            writer.close()


def read_row_groups(path: str | Path, columns: list[str]) -> Iterator[pa.Table]:
    """``columns`` of ``path``, one row group at a time, the heap given back after each.

    The run-level passes read a shard's texts this way: ``iter_batches`` kept some of each
    group's buffers (a 4x larger shard raised the pass's peak RSS by some 60 MB).
    """
    src = pq.ParquetFile(path)
    for i in range(src.num_row_groups):
        t = src.read_row_group(i, columns=columns, use_threads=False)
        yield t
        del t
        release_free_memory()
