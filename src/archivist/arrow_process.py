"""Process-wide Arrow settings for the processes archivist runs itself (the CLI's extract command,
pool workers), never applied on ``import archivist``.

- pyarrow's one-time pandas probe is skipped (see :mod:`archivist.nopandas`): 0.3 s per process.
- Arrow allocates from the system allocator instead of its bundled mimalloc/jemalloc pool. A
  shard rewrite (marks, site-wide cleaning) reads and writes row groups of tens of MB; the
  bundled pools keep what each row group freed, per thread, so a process's peak RSS grew with
  the number of row groups it had rewritten (a 4x larger WARC: +77 MB in the mark pass alone).
  glibc returns those blocks, and the run's peak no longer depends on the input's size.
"""

from __future__ import annotations

import contextlib


def configure() -> None:
    """Apply both settings; a failure leaves pyarrow's defaults (slower start, more memory)."""
    import pyarrow as pa

    from .nopandas import skip_pandas_probe

    with contextlib.suppress(Exception):
        skip_pandas_probe()
    with contextlib.suppress(Exception):
        pa.set_memory_pool(pa.system_memory_pool())
