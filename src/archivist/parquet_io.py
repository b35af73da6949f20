"""Deterministic Parquet: the same rows give the same bytes (under the same pyarrow).

Page cuts and dictionary fallback are decided per write batch, so the chunk layout of the
input table leaks into the bytes unless it is normalised first (``combine_chunks``) and
pages are cut by row count (notes/publishing.md §3).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .fsutil import atomic_path

ROWS_PER_PAGE = 1000
# Shared by whole-table writes and the streaming writer: the same settings give the same bytes.
WRITE_OPTIONS: dict = dict(
    compression="zstd",
    compression_level=3,
    use_dictionary=True,
    write_statistics=True,
    write_page_index=True,
    data_page_version="1.0",
    max_rows_per_page=ROWS_PER_PAGE,
    dictionary_pagesize_limit=64 << 20,
)


def write_table(table: pa.Table, dest: str | Path, *, row_group_rows: int | None = None) -> None:
    table = table.combine_chunks()
    with atomic_path(dest) as tmp:
        pq.write_table(table, tmp, row_group_size=row_group_rows or max(1, table.num_rows), **WRITE_OPTIONS)


def read_table(path: str | Path, columns: list[str] | None = None) -> pa.Table:
    # One file through ParquetFile, not pq.read_table: that one loads pyarrow.dataset, whose
    # import pulls in pandas (~0.3 s in every process). Same table either way.
    if Path(path).is_file():
        with pq.ParquetFile(path) as f:
            if columns is None or set(columns) <= set(f.schema_arrow.names):
                return f.read(columns=columns)
    return pq.read_table(path, columns=columns)  # folders; a missing column raises its usual error
