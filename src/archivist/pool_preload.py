"""Imported once by the forkserver of a local process pool (``executors.LocalExecutor``).

Pool workers fork from the forkserver; with this module preloaded there, they start with the
extraction code already imported (and pyarrow's pandas probe already settled) instead of each
importing it afresh, which costs about 0.5 s of CPU per worker.
"""

from __future__ import annotations

try:
    from .arrow_process import configure
    from .extract import _shard_task  # noqa: F401  (the shard task and everything it runs)

    configure()
except Exception:  # a failed preload loses only the head start: workers import as usual
    pass
